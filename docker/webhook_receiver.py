"""A tiny webhook receiver for docker/compose.yaml: prints every request it gets and answers 204.

Standard library only, so it runs on a plain ``python:3.11-slim`` with this file mounted. ``GET``
answers 200 ``ok`` as well, for the compose healthcheck.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver(BaseHTTPRequestHandler):
    """Prints method, path, headers and body of each request on stdout, as one block."""

    def do_GET(self) -> None:
        self._answer(200, b"ok\n")

    def do_POST(self) -> None:
        self._print_request()
        self._answer(204, b"")

    do_PUT = do_PATCH = do_DELETE = do_POST

    def _print_request(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        # Pretty-printed when it is JSON, as webhook bodies are; as received otherwise.
        with contextlib.suppress(ValueError):
            body = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        lines = [f"{self.command} {self.path}", *(f"{k}: {v}" for k, v in self.headers.items())]
        print("\n".join([*lines, "", body, "-" * 60]), flush=True)

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        # The requests are printed whole above; the one-line access log would repeat them.
        pass


def main(argv: list[str] | None = None) -> int:
    """Serve until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args(argv)
    # As a container's process 1 it would ignore `docker stop`'s SIGTERM (the kernel gives
    # process 1 no default handler) and be killed 10 s later: exit at once instead.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = ThreadingHTTPServer((args.host, args.port), Receiver)
    print(f"webhook receiver on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
