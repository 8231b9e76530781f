"""files.written_atomically: the one way sikg replaces a file (the tokens, the published checkpoint, exports)."""

import os

import pytest

from sikg.files import written_atomically


def test_the_new_content_replaces_the_old_whole_and_durably(tmp_path, monkeypatch):
    path = tmp_path / "current"
    path.write_bytes(b"old")
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real_fsync(fd)))
    with written_atomically(path, mode=0o600) as output:
        output.write(b"new")
        assert path.read_bytes() == b"old", "readers see the old content until the new one is complete"
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o600
    # the content before the rename, then the directory entry the rename made
    assert len(synced) == 2 and synced[0].startswith(str(tmp_path / ".current.")) and synced[1] == str(tmp_path)
    assert os.listdir(tmp_path) == ["current"]


def test_after_an_error_the_old_content_stays_and_nothing_is_left_behind(tmp_path):
    path = tmp_path / "current"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with written_atomically(path) as output:
            output.write(b"half")
            raise RuntimeError("the writer failed")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["current"]
