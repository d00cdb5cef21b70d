"""The CLI and the Python client share one resume state format (``GRANARY_STATE_DIR``): an upload
one of them started and was killed in the middle of is finished by the other, which sends only
the parts the server does not hold yet.

A real server runs behind a small forwarding proxy (its ``GRANARY_PUBLIC_URL``, so part URLs go
through it too); the proxy counts the part bytes and, for the CLI, holds back a chosen part
so the CLI can be killed at an exact point.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

import pytest
import requests

from conftest import ADMIN_KEY, REPO, SRC, WORKSPACE, Server, ensure_workspace, free_port, start_server
from granary import Client

MiB = 1024 * 1024
PART = 5 * MiB
SIZE = 5 * PART + 12_345  # 6 parts, the last one short
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class PartProxy:
    """Forwards every request to ``target``. Counts part PUT bytes; with ``hold_part`` set, the
    n-th part PUT is read but never forwarded nor answered, and ``held`` is set."""

    def __init__(self, port: int) -> None:
        self.target = ""
        self.part_bytes = 0
        self.part_puts = 0
        self.hold_part: Optional[int] = None
        self.held = threading.Event()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.command == "PUT" and "/parts/" in self.path and proxy._count(len(body)):
                    self.close_connection = True  # held: no answer ever
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
                resp = requests.request(
                    self.command, proxy.target + self.path, headers=headers, data=body,
                    allow_redirects=False, stream=True, timeout=60,
                )
                payload = resp.raw.read(decode_content=False)
                self.send_response(resp.status_code)
                for k, v in resp.headers.items():
                    if k.lower() not in _HOP_HEADERS:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def _count(self, n: int) -> bool:
        """Count one part PUT; True when it is the one to hold."""
        with self._lock:
            self.part_puts += 1
            if self.hold_part is not None and self.part_puts == self.hold_part:
                self.held.set()
                return True
            self.part_bytes += n
            return False

    def reset(self) -> None:
        with self._lock:
            self.part_bytes = self.part_puts = 0
            self.hold_part = None
            self.held.clear()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Server, PartProxy]]:
    port = free_port()
    proxy = PartProxy(port)
    root = tmp_path_factory.mktemp("cross-tool")
    try:
        with start_server(root, {"GRANARY_PUBLIC_URL": proxy.url}) as srv:
            proxy.target = srv.base_url
            with Client(api_key=ADMIN_KEY, base_url=srv.base_url) as admin:
                ensure_workspace(admin, WORKSPACE, "Seed workspace")
            yield srv, proxy
    finally:
        proxy.close()


@pytest.fixture()
def big(tmp_path: Path) -> Tuple[Path, str]:
    data = os.urandom(SIZE)
    path = tmp_path / "reads.bam"
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def cli(args: list, proxy: PartProxy, state: Path) -> subprocess.Popen[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(state.parent),
        "GRANARY_URL": proxy.url,
        "GRANARY_API_KEY": ADMIN_KEY,
        "GRANARY_WORKSPACE": WORKSPACE,
        "GRANARY_STATE_DIR": str(state),
    }
    cmd = ["node", str(REPO / "packages" / "cli" / "bin" / "granary.js"), *args]
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def upload_args(path: Path, prefix: str) -> list:
    return ["upload", str(path), "--path", prefix, "--multipart-threshold", "1MiB",
            "--part-size", "5MiB", "--concurrency", "1", "--json"]


def saved_state(state: Path) -> Dict[str, Any]:
    (name,) = os.listdir(state / "uploads")
    saved: Dict[str, Any] = json.loads((state / "uploads" / name).read_text())
    return saved


def test_cli_killed_mid_upload_python_resumes(
    behind_proxy: Tuple[Server, PartProxy], big: Tuple[Path, str], prefix: str, tmp_path: Path
) -> None:
    _, proxy = behind_proxy
    path, sha = big
    state = tmp_path / "state"
    proxy.reset()
    proxy.hold_part = 3  # parts 1 and 2 arrive, the CLI is killed while sending part 3
    proc = cli(upload_args(path, prefix), proxy, state)
    try:
        assert proxy.held.wait(120), f"the CLI never reached part 3: {proc.communicate(timeout=30)}"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    saved = saved_state(state)
    assert (saved["version"], saved["size"], saved["key"]) == (1, SIZE, prefix + "reads.bam")

    proxy.reset()
    with Client(api_key=ADMIN_KEY, base_url=proxy.url) as client:
        info = client.files.upload_file(
            path, workspace_id=WORKSPACE, path=prefix, multipart_threshold=1, part_size=PART,
            state_dir=state,
        )
    assert info["sha256"] == sha and info["size"] == SIZE
    assert proxy.part_bytes == SIZE - 2 * PART, "only the parts the CLI had not sent"
    assert os.listdir(state / "uploads") == []


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from granary import Client

    url, key, workspace, prefix, path, state, part = sys.argv[1:]
    sent = [0]

    def progress(n):
        sent[0] += n
        if sent[0] >= 2.5 * int(part):  # mid part 3: parts 1 and 2 are on the server
            os.kill(os.getpid(), signal.SIGKILL)

    Client(api_key=key, base_url=url).files.upload_file(
        path, workspace_id=workspace, path=prefix, multipart_threshold=1, part_size=int(part),
        concurrency=1, state_dir=state, progress=progress)
    """
)


def test_python_killed_mid_upload_cli_resumes(
    behind_proxy: Tuple[Server, PartProxy], big: Tuple[Path, str], prefix: str, tmp_path: Path
) -> None:
    _, proxy = behind_proxy
    path, sha = big
    state = tmp_path / "state"
    proxy.reset()
    env = dict(os.environ, PYTHONPATH=str(SRC))
    args = [proxy.url, ADMIN_KEY, WORKSPACE, prefix, str(path), str(state), str(PART)]
    killed = subprocess.run([sys.executable, "-c", KILL_SCRIPT, *args], env=env, capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    upload_id = saved_state(state)["upload_id"]

    proxy.reset()
    proc = cli(upload_args(path, prefix), proxy, state)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"resuming upload {upload_id}: 2 of 6 parts already on the server" in err
    (info,) = json.loads(out)
    assert info["sha256"] == sha and info["size"] == SIZE
    assert proxy.part_bytes == SIZE - 2 * PART, "only the parts Python had not sent"
    assert os.listdir(state / "uploads") == []
