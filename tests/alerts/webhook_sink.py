"""A real HTTP server for tests: it records each POST and answers as scripted per path."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Call:
    path: str
    headers: dict[str, str]
    document: dict[str, Any]


class WebhookSink:
    """Receive JSON webhooks on a free local port; `answer(path, [500, 200])` scripts replies."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.replies: dict[str, list[int]] = defaultdict(list)
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                document = json.loads(self.rfile.read(length) or b"{}")
                with sink.lock:
                    sink.calls.append(Call(self.path, dict(self.headers), document))
                    replies = sink.replies[self.path]
                    status = replies.pop(0) if replies else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port: int = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str) -> str:
        """The apprise URL that posts to `path` on this server."""
        return f"json://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, statuses: list[int]) -> None:
        with self.lock:
            self.replies[path] = list(statuses)

    def calls_to(self, path: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.path == path]

    def __enter__(self) -> WebhookSink:
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
