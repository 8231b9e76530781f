"""The child side of fuzzkit.call_isolated: a fresh service (in-memory store, the environment's settings), one
request read as JSON from stdin, "READY" when the service is up, then the answer as one JSON line.

With "concurrent": N, the request is first sent by N clients at once (on the still cold service), then once more
alone; the N statuses come back in the answer's headers as X-Concurrent-Statuses."""

import json
import sys
import threading
import time


def main() -> None:
    request = json.loads(sys.stdin.readline())
    from sikg.store import open_store
    from sikg.web.app import create_app

    app = create_app(open_store("memory"))
    data = bytes.fromhex(request.pop("data_hex")) if "data_hex" in request else request.pop("data", None)
    method, path = request.pop("method", "GET"), request.pop("path")
    concurrent = request.pop("concurrent", 1)
    send = lambda: app.test_client().open(path, method=method, data=data, **request)
    print("READY", flush=True)
    started = time.monotonic()
    statuses = []
    if concurrent > 1:
        # Threads switch every 5 µs instead of every 5 ms, so that a race shows itself on every run, not by luck.
        sys.setswitchinterval(5e-6)
        threads = [threading.Thread(target=lambda: statuses.append(send().status_code)) for _ in range(concurrent)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sys.setswitchinterval(0.005)
    response = send()
    body = response.get_data()
    headers = dict(response.headers)
    if statuses:
        headers["X-Concurrent-Statuses"] = ",".join(map(str, sorted(statuses)))
    print(json.dumps({"status": response.status_code, "headers": headers, "body": body[:4000].hex(),
                      "seconds": time.monotonic() - started, "mimetype": response.mimetype}), flush=True)


if __name__ == "__main__":
    main()
