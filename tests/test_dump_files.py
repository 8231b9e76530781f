"""Dumps kept per store state (dump_files.DumpFiles): written once, then sent as a file with an ETag; a write starts
afresh; a dump that was not written whole is never kept."""

import dataclasses

import pytest

from sikg.http import dumps as dump_files
from sikg.settings import Settings
from sikg.store import open_store
from sikg.web.app import create_app


@pytest.fixture
def service(tmp_path, monkeypatch):
    store = open_store("memory")
    settings = dataclasses.replace(Settings.from_environment(), evaluators=1, export_cache=str(tmp_path / "dumps"))
    app = create_app(store, settings)
    written = []
    real_export = dump_files.export

    def counting_export(store, wanted, output):
        written.append((wanted.format.name, wanted.view))
        return real_export(store, wanted, output)

    monkeypatch.setattr(dump_files, "export", counting_export)
    try:
        yield store, app.test_client(), written, tmp_path / "dumps"
    finally:
        app.extensions["sikg"].pool.close()


def kept(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_a_dump_is_written_once_then_sent_from_its_file(service):
    _, client, written, directory = service
    first = client.get("/export", query_string={"format": "nt"})
    first_body = first.data  # read to the end: the dump is kept once it was sent whole
    again = client.get("/export", query_string={"format": "nt"})
    assert first.status_code == again.status_code == 200
    assert again.data == first_body and len(first_body) > 100_000
    assert written == [("nt", None)], "the second request wrote the dump again"
    assert again.headers["Content-Length"] == str(len(first.data))
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert len(kept(directory)) == 1 and not any(name.startswith(".") for name in kept(directory))


def test_if_none_match_gets_304(service):
    _, client, _, _ = service
    first = client.get("/export", query_string={"format": "ttl"})
    etag, _ = first.headers["ETag"], first.data
    response = client.get("/export", query_string={"format": "ttl"}, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.data == b""
    other = client.get("/export", query_string={"format": "nt"}, headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_each_format_and_view_is_its_own_dump(service):
    _, client, written, directory = service
    for args in ({"format": "nt"}, {"format": "ttl"}, {"frame": "practices"}, {"profile": "schema.org"}):
        response = client.get("/export", query_string=args)
        assert response.status_code == 200 and response.data
    assert len(set(written)) == 4 and len(kept(directory)) == 4


def test_a_write_starts_a_new_set_and_removes_the_old(service):
    store, client, written, directory = service
    directory.mkdir(parents=True)
    (directory / "notes.txt").write_text("someone else's file")  # SIKG_EXPORT_CACHE may point at a shared directory
    before = client.get("/export", query_string={"format": "nt"})
    _ = before.data
    old_files = kept(directory)
    store.update("INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }")
    after = client.get("/export", query_string={"format": "nt"})
    assert b"<urn:x:s> <urn:x:p> <urn:x:o>" in after.data and b"urn:x:s" not in before.data
    assert after.headers["ETag"] != before.headers["ETag"] and len(written) == 2
    assert kept(directory) and not set(kept(directory)) & (set(old_files) - {"notes.txt"})
    assert (directory / "notes.txt").read_text() == "someone else's file"
    assert client.get("/export", query_string={"format": "nt"},
                      headers={"If-None-Match": before.headers["ETag"]}).status_code == 200


def test_a_dump_that_fails_midway_is_not_kept(service, monkeypatch):
    _, client, written, directory = service

    def failing_export(store, wanted, output):
        triples = iter(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))  # an Oxigraph iterator in flight
        output.write(f"{next(triples)} ".encode())
        raise OSError("the store went away")

    monkeypatch.setattr(dump_files, "export", failing_export)
    with pytest.raises(dump_files.ExportFailed, match="OSError: the store went away") as failed:
        _ = client.get("/export", query_string={"format": "nt"}).data
    # Reported as text: the writer thread's frames (and the iterator in them) stay in that thread.
    assert failed.value.__cause__ is None and failed.value.__context__ is None
    assert kept(directory) == []


def test_a_client_that_goes_away_leaves_no_partial_file(service, monkeypatch):
    """The writer stops when the client goes away; what it wrote is thrown away, never kept as the dump."""
    import threading
    import time

    _, client, _, directory = service
    real_export, go_on = dump_files.export, threading.Event()

    def slow_export(store, wanted, output):
        output.write(b"# the first chunk\n" * 20_000)  # more than one chunk: the client gets it
        go_on.wait(10)
        real_export(store, wanted, output)

    monkeypatch.setattr(dump_files, "export", slow_export)
    response = client.get("/export", query_string={"format": "nt"}, buffered=False)
    next(iter(response.response))
    response.close()
    go_on.set()
    deadline = time.monotonic() + 10
    while any(name.startswith(".partial-") for name in kept(directory)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kept(directory) == []


def test_a_directory_that_cannot_be_written_only_means_nothing_is_kept(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    store = open_store("memory")
    settings = dataclasses.replace(Settings.from_environment(), evaluators=1, export_cache=str(blocker / "dumps"))
    app = create_app(store, settings)
    try:
        client = app.test_client()
        responses = [client.get("/export", query_string={"format": "nt"}) for _ in range(2)]
        assert [r.status_code for r in responses] == [200, 200]
        assert responses[0].data == responses[1].data and len(responses[0].data) > 100_000
    finally:
        app.extensions["sikg"].pool.close()


def test_a_full_disk_while_keeping_stops_the_keeping_not_the_response(service, monkeypatch):
    _, client, _, directory = service
    real_open = dump_files.DumpKeeper.__init__

    def keeper_on_a_full_disk(self, target):
        real_open(self, target)

        class FullDisk:
            def write(self, data):
                raise OSError(28, "No space left on device")

            def close(self):
                pass

        self.file.close()
        self.file = FullDisk()

    monkeypatch.setattr(dump_files.DumpKeeper, "__init__", keeper_on_a_full_disk)
    response = client.get("/export", query_string={"format": "nt"})
    body = response.data
    assert response.status_code == 200 and body.endswith(b" .\n")
    assert kept(directory) == [], "a dump whose copy failed was kept"
    monkeypatch.undo()
    assert client.get("/export", query_string={"format": "nt"}).data == body, "the first response was cut short"


def test_off_keeps_nothing(tmp_path):
    files = dump_files.DumpFiles.from_setting("off")
    assert files.directory is None and files.keeper("x-nt-kg") is None and files.open("x-nt-kg") is None


def test_a_kept_dump_answers_byte_ranges(service):
    """A large download can be resumed: the kept file answers Range (and If-Range) like a static file."""
    _, client, _, _ = service
    whole = client.get("/export", query_string={"format": "nt"}).data
    etag = client.get("/export", query_string={"format": "nt"}).headers["ETag"]
    part = client.get("/export", query_string={"format": "nt"}, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == whole[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    tail = client.get("/export", query_string={"format": "nt"}, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.data == whole[-50:]
    resumed = client.get("/export", query_string={"format": "nt"},
                         headers={"Range": f"bytes={len(whole) - 10}-", "If-Range": etag})
    assert resumed.status_code == 206 and resumed.data == whole[-10:]
    stale = client.get("/export", query_string={"format": "nt"}, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200 and stale.data == whole, "a range of another version must not be sent"
    beyond = client.get("/export", query_string={"format": "nt"}, headers={"Range": f"bytes={len(whole) + 5}-"})
    assert beyond.status_code == 416
    longer = client.get("/export", query_string={"format": "nt"}, headers={"Range": f"bytes=-{len(whole) * 2}"})
    assert longer.status_code == 206 and longer.data == whole, "a suffix longer than the dump is all of it"
    for unsupported in ("bytes=0-1,5-6", "items=0-5", "bytes=abc", "bytes=9-1", ""):
        ignored = client.get("/export", query_string={"format": "nt"}, headers={"Range": unsupported})
        assert ignored.status_code == 200 and ignored.data == whole, f"Range {unsupported!r} must be ignored"
    full = client.get("/export", query_string={"format": "nt"})
    assert full.headers["Accept-Ranges"] == "bytes"
    exposed = full.headers["Access-Control-Expose-Headers"].lower()  # a web page may resume a download too
    assert {"content-range", "accept-ranges", "content-disposition", "etag"} <= set(exposed.replace(" ", "").split(","))
    assert "range" in full.headers["Access-Control-Allow-Headers"].lower().replace(" ", "").split(",")


def test_json_ld_and_its_application_json_label_have_their_own_validators(service):
    """RFC 9110 §8.8.3: the same bytes sent as application/ld+json and as application/json are two representations,
    each with its own strong ETag; they share one kept file, and 304 and If-Range work for each."""
    _, client, written, directory = service
    as_jsonld = client.get("/export", headers={"Accept": "application/ld+json"})
    whole = as_jsonld.data
    as_json = client.get("/export", headers={"Accept": "application/json"})
    assert as_jsonld.mimetype == "application/ld+json" and as_json.mimetype == "application/json"
    assert as_json.data == whole and written == [("jsonld", None)] and len(kept(directory)) == 1
    jsonld_etag, json_etag = as_jsonld.headers["ETag"], as_json.headers["ETag"]
    assert jsonld_etag != json_etag
    for accept, etag, other in (("application/ld+json", jsonld_etag, json_etag),
                                ("application/json", json_etag, jsonld_etag)):
        assert client.get("/export", headers={"Accept": accept, "If-None-Match": etag}).status_code == 304
        fresh = client.get("/export", headers={"Accept": accept, "If-None-Match": other})
        assert fresh.status_code == 200 and fresh.headers["ETag"] == etag and fresh.data == whole
        resumed = client.get("/export", headers={"Accept": accept, "Range": "bytes=0-9", "If-Range": etag})
        assert resumed.status_code == 206 and resumed.data == whole[:10]
        refused = client.get("/export", headers={"Accept": accept, "Range": "bytes=0-9", "If-Range": other})
        assert refused.status_code == 200 and refused.data == whole, "the other variant's validator is not this one"
