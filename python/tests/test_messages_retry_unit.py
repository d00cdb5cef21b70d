"""Unit tests (in-process fake server, no Granary): every failure is a GranaryError whose message
says what to do; 429/503 are retried after Retry-After only when the body can be sent again;
no content type is guessed from a file name."""

from __future__ import annotations

import json
import os
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from conftest import FakeRequest, FakeServer, free_port
from granary import ApiError, Client, ConfigError, GranaryError, LocalFileError, NetworkError, RetryPolicy
from granary.multipart import MultipartUpload
from granary.transport import retry_after_seconds

WS = "ws_abc123"


def recording_policy(retries: int = 3, max_wait: float = 60.0) -> Tuple[RetryPolicy, List[float]]:
    """A retry policy whose sleeps are recorded instead of slept."""
    waits: List[float] = []
    return RetryPolicy(retries=retries, max_wait=max_wait, sleep=waits.append), waits


# ---------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    ("url", "hint"),
    [("127.0.0.1:8080", "http://127.0.0.1:8080"), ("granary.lab.example", "http://granary.lab.example")],
)
def test_url_without_scheme_names_the_variable(monkeypatch: pytest.MonkeyPatch, url: str, hint: str) -> None:
    monkeypatch.setenv("GRANARY_URL", url)
    with pytest.raises(ConfigError) as ei:
        Client(api_key="k")
    assert "GRANARY_URL" in str(ei.value) and hint in str(ei.value)
    with pytest.raises(ConfigError) as ei:
        Client(api_key="k", base_url=url)
    assert "base_url" in str(ei.value) and isinstance(ei.value, GranaryError)


def save_login(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "config" / "granary" / "config.json"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return path


def test_the_login_granary_login_saved_is_used(fake: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRANARY_API_KEY", raising=False)
    monkeypatch.delenv("GRANARY_URL", raising=False)
    save_login(monkeypatch, tmp_path, json.dumps({"url": fake.base_url, "api_key": "saved-key", "workspace": WS}))
    fake.routes[("GET", "/v1/files")] = lambda req: (200, {}, {"files": [], "next_cursor": None})
    c = Client()
    assert (c.base_url, c.api_key) == (fake.base_url, "saved-key")
    c.files.list(workspace_id=WS)
    assert fake.requests[-1].headers["authorization"] == "Bearer saved-key"
    monkeypatch.setenv("GRANARY_API_KEY", "env-key")  # the environment wins, then arguments
    assert Client().api_key == "env-key" and Client(api_key="arg").api_key == "arg"


def test_a_broken_login_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRANARY_API_KEY", raising=False)
    path = save_login(monkeypatch, tmp_path, "{not json")
    with pytest.raises(ConfigError) as ei:
        Client()
    assert str(path) in str(ei.value) and "granary login" in str(ei.value)
    assert Client(api_key="k", base_url="http://127.0.0.1:1").api_key == "k"  # not read when not needed


def test_no_key_says_how_to_get_one(fake: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRANARY_API_KEY", raising=False)
    unauth = {"error": {"code": "unauthenticated", "message": "Missing API key"}}
    fake.routes[("GET", "/v1/files")] = lambda req: (401, {}, unauth)
    with pytest.raises(ApiError) as ei:
        Client(base_url=fake.base_url).files.list(workspace_id=WS)
    assert (ei.value.status, ei.value.code) == (401, "unauthenticated")
    assert "set GRANARY_API_KEY or run granary login" in ei.value.message
    assert "authorization" not in fake.requests[-1].headers


def test_connection_refused_suggests_starting_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANARY_URL", f"http://127.0.0.1:{free_port()}")
    c = Client(api_key="k", timeout=5)
    with pytest.raises(NetworkError) as ei:
        c.files.list(workspace_id=WS)
    assert "connection refused" in str(ei.value) and "GRANARY_URL" in str(ei.value)
    assert "Start the Granary server" in str(ei.value)


def test_tls_against_plain_http_says_so(fake: FakeServer) -> None:
    c = Client(api_key="k", base_url=fake.base_url.replace("http://", "https://"), timeout=5)
    with pytest.raises(NetworkError) as ei:
        c.files.list(workspace_id=WS)
    assert "plain HTTP" in str(ei.value) and "http://" in str(ei.value)


def test_html_answer_is_not_granary(fake: FakeServer) -> None:
    page = b"<!doctype html><title>Welcome to nginx</title>"
    fake.routes[("GET", "/v1/files")] = lambda req: (404, {"Content-Type": "text/html"}, page)
    fake.routes[("GET", "/v1/workspaces")] = lambda req: (200, {"Content-Type": "text/html"}, page)
    c = Client(api_key="k", base_url=fake.base_url)
    with pytest.raises(ApiError) as ei:
        c.files.list(workspace_id=WS)
    assert "does not point at a Granary server" in ei.value.message and "base_url" in ei.value.message
    with pytest.raises(ApiError) as ei:
        c.workspaces.list()
    assert "does not point at a Granary server" in ei.value.message


def test_missing_local_file_is_a_granary_error(fake: FakeServer, tmp_path: Path) -> None:
    c = Client(api_key="k", base_url=fake.base_url)
    for call in (c.files.upload, c.files.upload_file):
        with pytest.raises(LocalFileError) as ei:
            call(tmp_path / "nope.vcf", workspace_id=WS)
        assert "nope.vcf" in str(ei.value) and isinstance(ei.value, GranaryError)
    assert fake.requests == []


def test_bad_size_in_the_environment(fake: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANARY_PART_SIZE", "lots")
    (tmp_path / "a.bin").write_bytes(b"x")
    with pytest.raises(ConfigError, match="GRANARY_PART_SIZE"):
        Client(api_key="k", base_url=fake.base_url).files.upload_file(tmp_path / "a.bin", workspace_id=WS)


# ---------------------------------------------------------------------- content types


def file_part_type(req: FakeRequest) -> str:
    raw = b"Content-Type: " + req.headers["content-type"].encode() + b"\r\n\r\n" + req.body
    msg = BytesParser(policy=HTTP).parsebytes(raw)
    (part,) = [p for p in msg.iter_parts() if p.get_param("name", header="content-disposition") == "file"]
    return str(part.get_content_type())


@pytest.mark.parametrize("name", ["sample.vcf", "sample.vcf.gz", "reads.fastq.gz", "notes.txt"])
def test_no_content_type_is_guessed(fake: FakeServer, tmp_path: Path, name: str) -> None:
    """The CLI and the TypeScript client send application/octet-stream (form) and no
    content_type (upload-url) for a file; the server decides the type. So does Python."""
    (tmp_path / name).write_bytes(b"##fileformat=VCFv4.2\n" * 10)
    fake.routes[("POST", "/v1/files/upload")] = lambda req: (201, {}, {"key": name})
    ticket = {"uploadUrl": fake.base_url + "/put/1", "fileKey": name, "uploadId": "up_1", "headers": {}}
    fake.routes[("POST", "/v1/files/upload-url")] = lambda req: (200, {}, ticket)
    fake.routes[("PUT", "/put/1")] = lambda req: (204, {}, b"")
    fake.routes[("POST", "/v1/files/upload-confirm")] = lambda req: (200, {}, {"key": name})
    c = Client(api_key="k", base_url=fake.base_url)
    c.files.upload(tmp_path / name, workspace_id=WS)
    assert file_part_type(fake.requests[-1]) == "application/octet-stream"
    c.files.upload_file(tmp_path / name, workspace_id=WS, large_threshold=1)
    (opened,) = [r for r in fake.requests if r.path == "/v1/files/upload-url"]
    assert "content_type" not in json.loads(opened.body)
    c.files.upload(tmp_path / name, workspace_id=WS, content_type="text/x-vcf")
    assert file_part_type(fake.requests[-1]) == "text/x-vcf"  # an explicit type is sent as is


# ---------------------------------------------------------------------- Retry-After


def answers(*replies: Tuple[int, Dict[str, str], Any]) -> Any:
    """A route answering ``replies`` in turn, then the last one forever."""
    left = list(replies)

    def route(req: FakeRequest) -> Tuple[int, Dict[str, str], Any]:
        return left.pop(0) if len(left) > 1 else left[0]

    return route


LIMITED = {"error": {"code": "rate_limited", "message": "slow down"}}
UNAVAILABLE = {"error": {"code": "storage_unavailable", "message": "try later"}}


def test_retry_after_is_honoured_on_429_and_503(fake: FakeServer) -> None:
    page = {"files": [], "next_cursor": None}
    fake.routes[("GET", "/v1/files")] = answers(
        (429, {"Retry-After": "2"}, LIMITED), (503, {"Retry-After": "7"}, UNAVAILABLE), (200, {}, page)
    )
    policy, waits = recording_policy()
    assert Client(api_key="k", base_url=fake.base_url, retry=policy).files.list(workspace_id=WS) == []
    assert waits == [2.0, 7.0] and len(fake.requests) == 3


def test_retries_are_bounded(fake: FakeServer) -> None:
    fake.routes[("GET", "/v1/files")] = answers((429, {"Retry-After": "1"}, LIMITED))
    policy, waits = recording_policy(retries=2)
    with pytest.raises(ApiError) as ei:
        Client(api_key="k", base_url=fake.base_url, retry=policy).files.list(workspace_id=WS)
    assert ei.value.status == 429 and ei.value.retry_after == 1.0
    assert waits == [1.0, 1.0] and len(fake.requests) == 3


def test_a_wait_longer_than_allowed_is_not_waited(fake: FakeServer) -> None:
    fake.routes[("GET", "/v1/files")] = answers((503, {"Retry-After": "3600"}, UNAVAILABLE))
    policy, waits = recording_policy(max_wait=60)
    with pytest.raises(ApiError) as ei:
        Client(api_key="k", base_url=fake.base_url, retry=policy).files.list(workspace_id=WS)
    assert ei.value.retry_after == 3600.0 and waits == [] and len(fake.requests) == 1


def test_other_errors_are_not_retried(fake: FakeServer) -> None:
    fake.routes[("GET", "/v1/files")] = answers((500, {"Retry-After": "1"}, {"error": {"code": "internal_error", "message": "x"}}))
    policy, waits = recording_policy()
    with pytest.raises(ApiError):
        Client(api_key="k", base_url=fake.base_url, retry=policy).files.list(workspace_id=WS)
    assert waits == [] and len(fake.requests) == 1


def test_a_streamed_upload_is_sent_again_whole(fake: FakeServer, tmp_path: Path) -> None:
    """The form body streams from a file that can seek back: the retry sends every byte again,
    and progress still adds up to the file's size once."""
    data = os.urandom(300_000)
    (tmp_path / "s.vcf").write_bytes(data)
    fake.routes[("POST", "/v1/files/upload")] = answers((429, {"Retry-After": "0"}, LIMITED), (201, {}, {"key": "s.vcf"}))
    policy, waits = recording_policy()
    seen: List[int] = []
    out = Client(api_key="k", base_url=fake.base_url, retry=policy).files.upload(
        tmp_path / "s.vcf", workspace_id=WS, progress=seen.append
    )
    assert out == {"key": "s.vcf"} and waits == [0.0]
    first, second = fake.requests
    assert first.body == second.body and data in second.body
    assert sum(seen) == len(data)


def test_a_body_that_cannot_be_read_again_is_not_retried(fake: FakeServer) -> None:
    class OneShot:
        """A stream that can be read once (a pipe, a socket)."""

        def __init__(self) -> None:
            self._data = b"x" * 1000

        def __len__(self) -> int:
            return 1000

        def read(self, n: int = -1) -> bytes:
            out, self._data = self._data, b""
            return out

    fake.routes[("PUT", "/put")] = answers((503, {"Retry-After": "1"}, UNAVAILABLE))
    policy, waits = recording_policy()
    c = Client(api_key="k", base_url=fake.base_url, retry=policy)
    with pytest.raises(ApiError) as ei:
        c.send("PUT", fake.base_url + "/put", data=OneShot())
    assert ei.value.status == 503 and waits == [] and len(fake.requests) == 1


def test_a_part_is_sent_again_after_retry_after(fake: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A part PUT answered 429 is re-read from the file and sent again no sooner than asked."""
    data = os.urandom(6 * 1024 * 1024)
    (tmp_path / "big.bin").write_bytes(data)
    waited: List[float] = []
    monkeypatch.setattr("threading.Event.wait", lambda self, t=None: waited.append(t) or False)
    signed = {"parts": [{"part_number": 1, "size": len(data), "url": fake.base_url + "/p/1", "headers": {}, "expires_at": "2999-01-01T00:00:00Z"}]}
    fake.routes[("POST", "/v1/files/uploads/up_1/parts")] = lambda req: (200, {}, signed)
    fake.routes[("PUT", "/p/1")] = answers((429, {"Retry-After": "5"}, LIMITED), (200, {}, {"part_number": 1, "size": len(data)}))
    fake.routes[("POST", "/v1/files/upload-confirm")] = lambda req: (200, {}, {"key": "big.bin"})
    policy, waits = recording_policy()
    c = Client(api_key="k", base_url=fake.base_url, retry=policy)
    engine = MultipartUpload(
        c, local_path=str(tmp_path / "big.bin"), size=len(data), upload_id="up_1", file_key="big.bin",
        filename="big.bin", workspace_id=WS, part_size=len(data), part_count=1, checksum=False, backoff_base=0.01,
    )
    assert engine.run() == {"key": "big.bin"}
    puts = [r for r in fake.requests if r.path == "/p/1"]
    assert len(puts) == 2 and puts[1].body == data
    assert waits == []  # the transport never replays a part: the engine does, with a new reader
    assert 5.0 in waited


def test_a_part_is_not_retried_past_the_longest_wait(fake: FakeServer, tmp_path: Path) -> None:
    data = os.urandom(1024)
    (tmp_path / "small.bin").write_bytes(data)
    signed = {"parts": [{"part_number": 1, "size": len(data), "url": fake.base_url + "/p/1", "headers": {}, "expires_at": "2999-01-01T00:00:00Z"}]}
    fake.routes[("POST", "/v1/files/uploads/up_1/parts")] = lambda req: (200, {}, signed)
    fake.routes[("PUT", "/p/1")] = answers((503, {"Retry-After": "900"}, UNAVAILABLE))
    c = Client(api_key="k", base_url=fake.base_url, retry=RetryPolicy(max_wait=60))
    engine = MultipartUpload(
        c, local_path=str(tmp_path / "small.bin"), size=len(data), upload_id="up_1", file_key="small.bin",
        filename="small.bin", workspace_id=WS, part_size=len(data), part_count=1, checksum=False,
    )
    with pytest.raises(ApiError) as ei:
        engine.run()
    assert ei.value.retry_after == 900.0
    assert len([r for r in fake.requests if r.path == "/p/1"]) == 1


def test_retry_after_http_date() -> None:
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
