"""Unit-level tests: the streaming multipart body, error mapping and download failure handling,
against the tiny fake server (no Granary needed). The real behaviour is covered by the other
test files against the live server."""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, FakeServer
from granary import ERROR_CODES, ApiError, Client, FileList, GranaryError, NetworkError
from granary._streams import FileReader, MultipartBody


def parse_multipart(content_type: str, body: bytes) -> Any:
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    return list(msg.iter_parts())


@pytest.mark.parametrize("block", [1, 7, 8192, 1 << 20, -1])
def test_multipart_body_exact_length_and_content(block: int) -> None:
    payload = os.urandom(50_000)
    body = MultipartBody(
        [("workspace_id", "ws_abc123"), ("path", "raw/"), ("description", "déjà vu")],
        "file",
        "sample.vcf",
        io.BytesIO(payload),
        len(payload),
        "text/plain",
    )
    chunks = []
    while True:
        c = body.read(block)
        if not c:
            break
        chunks.append(c)
    raw = b"".join(chunks)
    assert len(raw) == len(body)
    parts = parse_multipart(body.content_type, raw)
    names = [p.get_param("name", header="content-disposition") for p in parts]
    assert names == ["workspace_id", "path", "description", "file"]
    assert parts[2].get_payload(decode=True).decode() == "déjà vu"
    assert parts[3].get_filename() == "sample.vcf"
    assert parts[3].get_payload(decode=True) == payload
    assert body.file.sha256 == hashlib.sha256(payload).hexdigest()


def test_multipart_non_ascii_and_quotes_in_filename() -> None:
    body = MultipartBody([], "file", 'é "x".vcf', io.BytesIO(b"a"), 1)
    head = body.read(10_000)
    assert b"filename=\"\xc3\xa9 %22x%22.vcf\"" in head
    assert b"filename*=utf-8''%C3%A9%20%22x%22.vcf" in head


def test_file_reader_detects_shrinking_file() -> None:
    r = FileReader(io.BytesIO(b"abc"), 10)
    assert r.read(100) == b"abc"
    with pytest.raises(GranaryError):
        r.read(100)


def test_upload_streams_with_content_length_and_field_order(fake: FakeServer, tmp_path: Path) -> None:
    data = os.urandom(300_000)
    (tmp_path / "sample.vcf").write_bytes(data)
    info = {"key": "raw/sample.vcf", "name": "sample.vcf", "size": len(data)}
    fake.routes[("POST", "/v1/files/upload")] = lambda req: (201, {}, info)
    c = Client(api_key="k" * 32, base_url=fake.base_url + "/")
    seen = []
    out = c.files.upload(
        tmp_path / "sample.vcf", workspace_id="ws_abc123", path="raw", description="d", progress=seen.append
    )
    assert out == info
    req = fake.requests[-1]
    assert req.headers["authorization"] == "Bearer " + "k" * 32
    assert "transfer-encoding" not in req.headers
    assert int(req.headers["content-length"]) == len(req.body)
    parts = parse_multipart(req.headers["content-type"], req.body)
    fields = {p.get_param("name", header="content-disposition"): p for p in parts}
    assert list(fields) == ["workspace_id", "path", "description", "overwrite", "file"]
    assert fields["path"].get_payload(decode=True) == b"raw/"  # folder gets its slash
    assert fields["overwrite"].get_payload(decode=True) == b"true"
    assert fields["file"].get_payload(decode=True) == data
    assert sum(seen) == len(data)


def test_error_body_mapping(fake: FakeServer) -> None:
    fake.routes[("DELETE", "/v1/files")] = lambda req: (
        404,
        {"x-request-id": "req-header"},
        {"error": {"code": "file_not_found", "message": "No file", "request_id": "req-body", "details": {"k": 1}}},
    )
    fake.routes[("GET", "/v1/files")] = lambda req: (
        413,
        {"x-request-id": "req-h2"},
        {"error": {"code": "upload_too_large", "message": "too big"}},
    )
    fake.routes[("GET", "/v1/workspaces")] = lambda req: (502, {"x-request-id": "r3"}, b"<html>Bad gateway</html>")
    c = Client(api_key="x", base_url=fake.base_url)
    with pytest.raises(ApiError) as ei:
        c.files.delete("nope", workspace_id="ws")
    e = ei.value
    assert (e.status, e.code, e.message, e.request_id, e.details) == (404, "file_not_found", "No file", "req-body", {"k": 1})
    assert "file_not_found" in str(e)
    with pytest.raises(ApiError) as ei:
        c.files.list(workspace_id="ws")
    assert (ei.value.status, ei.value.code, ei.value.request_id) == (413, "upload_too_large", "req-h2")
    with pytest.raises(ApiError) as ei:
        c.workspaces.list()
    assert (ei.value.status, ei.value.code, ei.value.request_id) == (502, "internal_error", "r3")
    assert "Bad gateway" in ei.value.message


def test_network_error_is_distinct() -> None:
    assert not issubclass(NetworkError, ApiError)
    assert not issubclass(ApiError, NetworkError)
    port = _closed_port()
    c = Client(api_key="x", base_url=f"http://127.0.0.1:{port}", timeout=5)
    with pytest.raises(NetworkError) as ei:
        c.files.list(workspace_id="ws_abc123")
    assert not isinstance(ei.value, ApiError)


def _closed_port() -> int:
    from conftest import free_port

    return free_port()


def test_env_defaults(monkeypatch: pytest.MonkeyPatch, fake: FakeServer) -> None:
    monkeypatch.setenv("GRANARY_API_KEY", "env-key")
    monkeypatch.setenv("GRANARY_URL", fake.base_url)
    fake.routes[("GET", "/v1/files")] = lambda req: (200, {}, {"files": [{"key": "a"}], "next_cursor": "c1"})
    c = Client()
    page = c.files.list(workspace_id="ws_abc123", prefix="raw/")
    assert isinstance(page, FileList) and isinstance(page, list)
    assert page == [{"key": "a"}] and page.next_cursor == "c1" and page.folders == []
    req = fake.requests[-1]
    assert req.headers["authorization"] == "Bearer env-key"
    assert "workspace_id=ws_abc123" in req.path and "prefix=raw%2F" in req.path and "limit=100" in req.path
    monkeypatch.delenv("GRANARY_URL")
    assert Client().base_url == "http://127.0.0.1:8080"


def test_list_all_follows_cursors_lazily(fake: FakeServer) -> None:
    pages = {
        None: {"files": [{"key": "a"}, {"key": "b"}], "next_cursor": "p2"},
        "p2": {"files": [{"key": "c"}], "next_cursor": None},
    }

    def route(req: Any) -> Any:
        m = re.search(r"cursor=([^&]+)", req.path)
        return 200, {}, pages[m.group(1) if m else None]

    fake.routes[("GET", "/v1/files")] = route
    it = Client(api_key="x", base_url=fake.base_url).files.list_all(workspace_id="w", page_size=2)
    assert len(fake.requests) == 0  # lazy
    assert next(it) == {"key": "a"}
    assert len(fake.requests) == 1
    assert [f["key"] for f in it] == ["b", "c"]
    assert len(fake.requests) == 2
    assert "limit=2" in fake.requests[0].path


def _cut_body(handler: Any) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.write(b"x" * 1000)
    handler.wfile.flush()
    handler.close_connection = True


def test_download_failure_leaves_no_partial_file(fake: FakeServer, tmp_path: Path) -> None:
    fake.routes[("GET", "/v1/files/download")] = lambda req: (
        200,
        {},
        {"url": "/v1/blobs/obj?signature=s", "expires_at": "2099-01-01T00:00:00Z"},
    )
    fake.routes[("GET", "/v1/blobs/obj")] = lambda req: (200, {}, _cut_body)
    c = Client(api_key="secret", base_url=fake.base_url)
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "x.bin").write_bytes(b"old")
    with pytest.raises(NetworkError):
        c.files.download("raw/x.bin", workspace_id="w", dest=dest)
    assert sorted(os.listdir(dest)) == ["x.bin"]
    assert (dest / "x.bin").read_bytes() == b"old"  # an existing file is untouched
    blob_req = fake.requests[-1]
    assert "authorization" not in blob_req.headers  # signed URLs never get the API key


def test_download_signed_url_error_maps_to_api_error(fake: FakeServer, tmp_path: Path) -> None:
    fake.routes[("GET", "/v1/files/download")] = lambda req: (200, {}, {"url": fake.base_url + "/v1/blobs/o", "expires_at": "x"})
    fake.routes[("GET", "/v1/blobs/o")] = lambda req: (403, {}, {"error": {"code": "url_expired", "message": "expired"}})
    c = Client(api_key="secret", base_url=fake.base_url)
    with pytest.raises(ApiError) as ei:
        c.files.download("o", workspace_id="w", dest=str(tmp_path) + "/new/")
    assert ei.value.code == "url_expired"
    assert os.listdir(tmp_path / "new") == []


def test_large_flow_puts_exact_headers_without_auth(fake: FakeServer, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 5)
    src = tmp_path / "big.bam"
    src.write_bytes(data)
    fake.routes[("POST", "/v1/files/upload-url")] = lambda req: (
        201,
        {},
        {
            "uploadUrl": "/v1/uploads/up_1/content?signature=s",
            "fileKey": "bam/big.bam",
            "uploadId": "up_1",
            "expiresAt": "x",
            "method": "PUT",
            "headers": {"Content-Type": "application/octet-stream"},
        },
    )
    fake.routes[("PUT", "/v1/uploads/up_1/content")] = lambda req: (204, {}, b"")
    fake.routes[("POST", "/v1/files/upload-confirm")] = lambda req: (200, {}, {"key": "bam/big.bam"})
    progress = []
    out = Client(api_key="secret", base_url=fake.base_url).files.upload_file(
        src, workspace_id="w", path="bam/", large_threshold=1024 * 1024, progress=progress.append
    )
    assert out == {"key": "bam/big.bam"}
    url_req, put_req, confirm_req = fake.requests
    import json

    assert json.loads(url_req.body) == {
        "filename": "big.bam",
        "workspace_id": "w",
        "size": len(data),
        "path": "bam/",  # no content_type guessed: the same request the CLI sends
        "overwrite": True,
    }
    assert put_req.body == data
    assert "authorization" not in put_req.headers
    assert put_req.headers["content-type"] == "application/octet-stream"
    assert "transfer-encoding" not in put_req.headers
    assert json.loads(confirm_req.body) == {
        "file_key": "bam/big.bam",
        "workspace_id": "w",
        "size": len(data),
        "filename": "big.bam",
        "upload_id": "up_1",
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    assert sum(progress) == len(data)


def test_error_codes_match_protocol() -> None:
    ts = REPO / "packages" / "protocol" / "src" / "error-codes.ts"
    if not ts.exists():
        pytest.skip("protocol package not beside this checkout")
    block = ts.read_text().split("ERROR_CODES = [", 1)[1].split("]", 1)[0]
    assert tuple(re.findall(r"'([a-z_]+)'", block)) == ERROR_CODES
