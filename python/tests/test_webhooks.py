"""client.webhooks against a real server (private targets allowed) and a receiver on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from conftest import start_server
from granary import ApiError, Client


@pytest.fixture(scope="module")
def private_admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    root = tmp_path_factory.mktemp("granary-webhooks")
    with start_server(root, {"GRANARY_WEBHOOK_ALLOW_PRIVATE": "true"}) as srv:
        with Client(api_key=srv.admin_key, base_url=srv.base_url) as c:
            yield c


@pytest.fixture()
def receiver() -> Iterator[Tuple[str, List[Tuple[Dict[str, str], bytes]]]]:
    received: List[Tuple[Dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", received
    httpd.shutdown()
    httpd.server_close()


def verify(secret: str, headers: Dict[str, str], body: bytes) -> None:
    """Standard Webhooks: base64 HMAC-SHA256 of ``id.timestamp.body`` keyed by the secret's bytes."""
    key = base64.b64decode(secret[len("whsec_") :])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    versions = [s.split(",", 1) for s in headers["webhook-signature"].split()]
    assert any(v == "v1" and hmac.compare_digest(sig, expected) for v, sig in versions)


def test_webhook_round_trip(private_admin: Client, receiver: Any, tmp_path: Path) -> None:
    url, received = receiver
    hook = private_admin.webhooks.create("ws_default", url, ["file.created"])
    assert hook["secret"].startswith("whsec_")
    assert [h["id"] for h in private_admin.webhooks.list("ws_default")] == [hook["id"]]
    src = tmp_path / "hooked.txt"
    src.write_bytes(b"hello")
    private_admin.files.upload(src, workspace_id="ws_default", path="py/")
    deadline = time.monotonic() + 30
    while not received and time.monotonic() < deadline:
        time.sleep(0.2)  # the server's worker runs every second
    assert len(received) == 1
    headers, body = received[0]
    verify(hook["secret"], headers, body)
    assert b'"type":"file.created"' in body and b'"key":"py/hooked.txt"' in body
    [delivery] = private_admin.webhooks.deliveries(hook["id"], status="delivered")
    assert delivery["id"] == headers["webhook-id"]
    assert private_admin.webhooks.retry(hook["id"], delivery["id"])["status"] == "pending"
    private_admin.webhooks.delete(hook["id"])
    with pytest.raises(ApiError) as ei:
        private_admin.webhooks.delete(hook["id"])
    assert (ei.value.status, ei.value.code) == (404, "webhook_not_found")


def test_private_target_refused_by_default(admin: Client) -> None:
    with pytest.raises(ApiError) as ei:
        admin.webhooks.create("ws_default", "http://127.0.0.1:9/hook", ["file.created"])
    assert (ei.value.status, ei.value.code) == (400, "webhook_url_refused")
