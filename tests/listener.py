"""A loopback listener for the tests that assert the service never connects out: it records every connection made
to it (with the start of the request) and answers like a friendly web server, so that whatever fetched from it would
have succeeded. Nothing must ever reach it."""

import socket
import threading
import time


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it. It answers like a friendly web server
    (200, a JSON-LD context / RDF document), so that whatever fetched from it would have succeeded: nothing must."""

    BODY = b'{"@context": {"x": "http://example.org/x"}}'

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.02)
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = self.base + "/sparql"
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True, name="robustness-listener")
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(b"(connected)")
            with conn:
                conn.settimeout(1)
                try:
                    self.connections[-1] = conn.recv(300) or b"(connected, sent nothing)"
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/ld+json\r\nContent-Length: "
                                 + str(len(self.BODY)).encode() + b"\r\n\r\n" + self.BODY)
                except OSError:
                    pass

    def assert_untouched(self, what: str = "") -> None:
        assert self.connections == [], (f"{what}: an outbound connection reached the listener: "
                                        f"{self.connections[0][:120]!r}")

    def close(self, grace: float = 0.0) -> int:
        """Stops listening (after `grace` seconds, to catch a connection still on its way) and returns how many
        connections it saw."""
        if grace:
            time.sleep(grace)
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()
        return len(self.connections)
