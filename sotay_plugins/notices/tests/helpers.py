"""What the notices tests share: a local push service stand-in and device keys."""

from __future__ import annotations

import base64
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def device_keys():
    """A browser's subscription keys: ``(private key, p256dh, auth)``."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return key, b64url(public), b64url(b"0123456789abcdef")


class PushService:
    """A tiny push service on 127.0.0.1: records each request (path, headers, encrypted body)
    and answers what ``answers[path]`` says: a status code, or "timeout" (it waits longer than
    the client's timeout before answering)."""

    def __init__(self, delay=2.0):
        self.requests = []
        self.answers = {}
        self.delay = delay
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                service.requests.append(
                    (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                answer = service.answers.get(self.path, 201)
                if answer == "timeout":
                    time.sleep(service.delay)
                    answer = 201
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self):
        return [path for path, _headers, _body in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def run_jobs():
    """Run the outbox jobs asked for inside (their dispatch waits for a commit that a test's
    transaction never makes)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
