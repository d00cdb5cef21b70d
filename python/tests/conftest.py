"""Test fixtures: a REAL Granary server for the session, and a tiny fake for unit-level tests.

The session's server is started from the repository root with
``node --import tsx packages/server/src/main.ts`` (override with ``GRANARY_TEST_SERVER_CMD``),
with its own port, data folder and admin key. If it cannot start, every test that needs it
FAILS (never skips). To run against a server you started yourself, set ``GRANARY_TEST_URL`` and
``GRANARY_TEST_ADMIN_KEY``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
import requests

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPO = PYTHON_DIR.parent
SRC = PYTHON_DIR / "src"
# Test the working copy, installed or not.
sys.path.insert(0, str(SRC))

from granary import ApiError, Client  # noqa: E402

WORKSPACE = "ws_abc123"
ADMIN_KEY = "granary-test-admin-key-0123456789abcdef"  # fixed test secret, 32+ chars
SERVER_START_TIMEOUT = float(os.environ.get("GRANARY_TEST_START_TIMEOUT", "90"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(
        self,
        base_url: str,
        admin_key: str,
        data_dir: Optional[Path],
        log_path: Optional[Path] = None,
        clock_file: Optional[Path] = None,
    ) -> None:
        self.base_url = base_url
        self.admin_key = admin_key
        self.data_dir = data_dir
        self.log_path = log_path
        self.clock_file = clock_file

    @contextlib.contextmanager
    def signed_in_the_past(self) -> Iterator[None]:
        """Inside, the server's clock is 10 s back: a URL signed there for 1 s is expired when used.

        The server reads its clock offset from ``clock_file`` (GRANARY_TEST_CLOCK_FILE, honoured
        only with NODE_ENV=test). A server started elsewhere cannot be moved: wait out the second.
        """
        if self.clock_file is None:
            yield
            time.sleep(2.1)
            return
        self._set_clock_offset(-10_000)
        try:
            yield
        finally:
            self._set_clock_offset(0)

    def _set_clock_offset(self, ms: int) -> None:
        assert self.clock_file is not None
        tmp = self.clock_file.with_suffix(".tmp")
        tmp.write_text(str(ms))
        os.replace(tmp, self.clock_file)  # atomic: the server never reads a half-written file


def _tail(path: Path, n: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return "<no log>"


@contextlib.contextmanager
def start_server(root: Path, extra_env: Optional[Dict[str, str]] = None) -> Iterator[Server]:
    """Start a real Granary server in ``root`` (data folder + log); stop it on exit.

    Fails the test (never skips) if it does not answer ``/healthz`` in time.
    """
    data_dir = root / "data"
    data_dir.mkdir()
    log_path = root / "server.log"
    clock_file = root / "clock-offset-ms"
    port = free_port()
    cmd = shlex.split(
        os.environ.get("GRANARY_TEST_SERVER_CMD", "node --import tsx packages/server/src/main.ts")
    )
    env = dict(os.environ)
    env.update(
        PORT=str(port),
        HOST="127.0.0.1",
        GRANARY_DATA_DIR=str(data_dir),
        GRANARY_ADMIN_KEY=ADMIN_KEY,
        # Lets the tests move the server's clock instead of sleeping (see Server.signed_in_the_past).
        NODE_ENV="test",
        GRANARY_TEST_CLOCK_FILE=str(clock_file),
    )
    env.update(extra_env or {})
    env.pop("GRANARY_API_KEY", None)
    base_url = f"http://127.0.0.1:{port}"
    log = open(log_path, "wb")
    try:
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    except OSError as exc:
        log.close()
        pytest.fail(f"cannot start the Granary server ({' '.join(cmd)} in {REPO}): {exc}", pytrace=False)

    def stop() -> None:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()

    deadline = time.monotonic() + SERVER_START_TIMEOUT
    ready = False
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            r = requests.get(base_url + "/healthz", timeout=2)
            if r.status_code == 200:
                ready = True
                break
        except requests.RequestException:
            pass
        time.sleep(0.2)
    if not ready:
        code = proc.poll()
        stop()
        pytest.fail(
            f"the Granary server did not become healthy at {base_url}/healthz "
            f"(command {' '.join(cmd)!r} in {REPO}, exit code {code}). Log tail:\n{_tail(log_path)}",
            pytrace=False,
        )
    try:
        yield Server(base_url, ADMIN_KEY, data_dir, log_path, clock_file)
    finally:
        stop()


@pytest.fixture(scope="session", autouse=True)
def _no_saved_login(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The client reads the login ``granary login`` saved: never the machine's real one here."""
    saved = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("xdg-config"))
    yield
    if saved is None:
        os.environ.pop("XDG_CONFIG_HOME", None)
    else:
        os.environ["XDG_CONFIG_HOME"] = saved


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    external = os.environ.get("GRANARY_TEST_URL")
    if external:
        yield Server(external.rstrip("/"), os.environ.get("GRANARY_TEST_ADMIN_KEY", ADMIN_KEY), None)
        return
    with start_server(tmp_path_factory.mktemp("granary-server")) as srv:
        yield srv


@pytest.fixture(scope="session")
def admin(server: Server) -> Iterator[Client]:
    with Client(api_key=server.admin_key, base_url=server.base_url) as c:
        yield c


def ensure_workspace(admin: Client, ws_id: str, name: str) -> None:
    try:
        admin.workspaces.create(name, id=ws_id)
    except ApiError as e:
        if e.code != "workspace_exists":
            raise


@pytest.fixture(scope="session")
def workspace(admin: Client) -> str:
    ensure_workspace(admin, WORKSPACE, "Seed workspace")
    return WORKSPACE


@pytest.fixture(scope="session")
def files_key(admin: Client, workspace: str) -> Dict[str, Any]:
    """A plain ``files`` key granted only ws_abc123 (what the seed's users hold)."""
    return admin.keys.create("pytest files key", scopes=["files"], workspace_ids=[workspace])


@pytest.fixture(scope="session")
def client(server: Server, files_key: Dict[str, Any]) -> Iterator[Client]:
    with Client(api_key=files_key["secret"], base_url=server.base_url) as c:
        yield c


@pytest.fixture()
def prefix() -> str:
    """A fresh folder for one test, so tests never see each other's files."""
    return f"t-{uuid.uuid4().hex[:10]}/"


# ---------------------------------------------------------------------- a tiny fake server

Handler = Callable[["FakeRequest"], Tuple[int, Dict[str, str], Any]]


class FakeRequest:
    def __init__(self, method: str, path: str, headers: Dict[str, str], body: bytes) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body


class FakeServer:
    """An ``http.server`` in a thread. ``routes[(method, path_without_query)] = handler``.

    A handler returns ``(status, headers, body)``; body is bytes, a JSON-able object, or a
    callable taking the raw handler (to misbehave on purpose, e.g. cut the connection).
    """

    def __init__(self) -> None:
        self.routes: Dict[Tuple[str, str], Handler] = {}
        self.requests: List[FakeRequest] = []
        fake = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                req = FakeRequest(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                fake.requests.append(req)
                route = fake.routes.get((self.command, self.path.split("?", 1)[0]))
                if route is None:
                    status, headers, payload = 404, {}, {"error": {"code": "route_not_found", "message": "no route"}}
                else:
                    status, headers, payload = route(req)
                if callable(payload):
                    payload(self)
                    return
                if isinstance(payload, bytes):
                    data = payload
                else:
                    data = json.dumps(payload).encode()
                    headers = {"Content-Type": "application/json", **headers}
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        # A short poll interval: close() waits for it (the default 0.5 s per test adds up).
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def fake() -> Iterator[FakeServer]:
    srv = FakeServer()
    try:
        yield srv
    finally:
        srv.close()
