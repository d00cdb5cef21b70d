"""Multipart sessions in the client, against an in-process fake of the server's session API
(``docs/api.md`` "Multipart sessions"): batching, parallel parts, retries, re-signing, per-part
verification (local SHA-256 and S3 MD5 ETags), resume, fallbacks. The same flows run against the
real server in ``test_multipart.py``."""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import FakeRequest, FakeServer
from granary import ApiError, Client, NetworkError
from granary.multipart import MultipartUpload
from granary.part_io import PartReader, Progress
from granary.sizes import parse_size

MiB = 1024 * 1024
WS = "ws_abc123"
_original_put = MultipartUpload._put_part


class FakeSessions:
    """The session API over a :class:`FakeServer`, holding parts in memory.

    Knobs: ``fail[n] = [status, ...]`` answers part ``n``'s next PUTs with these statuses (403 =
    expired URL); ``corrupt`` parts get a wrong checksum in their answer once; ``mode`` ``"s3"``
    answers like S3 (empty body, MD5 ``ETag``).
    """

    def __init__(self, fake: FakeServer, mode: str = "local", max_parts: int = 100) -> None:
        self.fake = fake
        self.mode = mode
        self.max_parts = max_parts
        self.lock = threading.Lock()
        self.sessions: Dict[str, Dict[str, Any]] = {}
        self.parts: Dict[str, Dict[int, bytes]] = {}
        self.fail: Dict[int, List[int]] = {}
        self.corrupt: Set[int] = set()
        self.sign_batches: List[List[int]] = []
        self.put_log: List[Tuple[int, int]] = []  # (part, status)
        self.confirmed: Dict[str, bytes] = {}
        self.next_id = 0
        self.single_put_only = False
        self.missing_once: List[int] = []
        fake.routes[("POST", "/v1/files/upload-url")] = self.create
        fake.routes[("POST", "/v1/files/upload-confirm")] = self.confirm
        fake.routes[("GET", "/v1/files/uploads")] = self.list

    def _session(self, req: FakeRequest) -> Optional[Dict[str, Any]]:
        upload_id = req.path.split("?", 1)[0].split("/")[4]
        return self.sessions.get(upload_id)

    def create(self, req: FakeRequest) -> Any:
        body = json.loads(req.body)
        size = body["size"]
        key = (body.get("path") or "") + body["filename"]
        with self.lock:
            self.next_id += 1
            uid = f"up_{self.next_id}"
        if self.single_put_only or not body.get("multipart"):
            self.fake.routes[("PUT", f"/single/{uid}")] = lambda r: self._single_put(uid, r)
            self.sessions[uid] = {"upload_id": uid, "file_key": key, "size": size, "multipart": False, "status": "pending"}
            return 201, {}, {"uploadUrl": f"/single/{uid}?sig=x", "fileKey": key, "uploadId": uid,
                             "expiresAt": "2099-01-01T00:00:00Z", "method": "PUT",
                             "headers": {"Content-Type": "application/octet-stream"}}
        part_size = max(5 * MiB, int(body.get("part_size") or 64 * MiB))
        count = -(-size // part_size)
        self.sessions[uid] = {
            "upload_id": uid, "file_key": key, "workspace_id": body["workspace_id"], "status": "pending",
            "multipart": True, "size": size, "part_size": part_size, "part_count": count,
            "created_at": "2024-01-01T00:00:00Z", "expires_at": "2099-01-01T00:00:00Z",
        }
        self.parts[uid] = {}
        base = f"/v1/files/uploads/{uid}"
        self.fake.routes[("POST", base + "/parts")] = self.sign
        self.fake.routes[("GET", base)] = self.get
        self.fake.routes[("DELETE", base)] = self.abort
        for n in range(1, count + 1):
            self.fake.routes[("PUT", f"/parts/{uid}/{n}")] = self.put
        return 201, {}, {"uploadId": uid, "fileKey": key, "multipart": True, "method": "PUT",
                         "partSize": part_size, "partCount": count, "expiresAt": "2099-01-01T00:00:00Z",
                         "headers": {}}

    def _single_put(self, uid: str, req: FakeRequest) -> Any:
        self.confirmed[uid] = req.body
        return 204, {}, b""

    def sign(self, req: FakeRequest) -> Any:
        s = self._session(req)
        if s is None or s["status"] != "pending":
            return 404, {}, {"error": {"code": "upload_not_found", "message": "no upload"}}
        body = json.loads(req.body)
        assert body["workspace_id"] == s["workspace_id"]
        numbers = body["part_numbers"]
        assert len(numbers) <= 1000
        with self.lock:
            self.sign_batches.append(list(numbers))
            sig = len(self.sign_batches)
        out = []
        for n in numbers:
            size = min(s["part_size"], s["size"] - (n - 1) * s["part_size"])
            out.append({"part_number": n, "size": size, "url": f"/parts/{s['upload_id']}/{n}?sig={sig}",
                        "headers": {"Content-Type": "application/octet-stream"},
                        "expires_at": "2099-01-01T00:00:00Z"})
        return 200, {}, {"parts": out}

    def put(self, req: FakeRequest) -> Any:
        _, _, uid, n_s = req.path.split("?", 1)[0].split("/")
        n = int(n_s)
        s = self.sessions[uid]
        assert "authorization" not in req.headers, "part PUTs must not carry the API key"
        assert req.headers.get("content-type") == "application/octet-stream"
        with self.lock:
            queue = self.fail.get(n)
            status = queue.pop(0) if queue else 200
            self.put_log.append((n, status))
        if s["status"] != "pending":
            return 404, {}, {"error": {"code": "upload_not_found", "message": "gone"}}
        if status == 403:
            return 403, {}, {"error": {"code": "url_expired", "message": "expired"}}
        if status != 200:
            return status, {}, {"error": {"code": "internal_error" if status >= 500 else "invalid_request", "message": "x"}}
        expected = min(s["part_size"], s["size"] - (n - 1) * s["part_size"])
        assert len(req.body) == expected, (n, len(req.body), expected)
        self.parts[uid][n] = req.body
        sha = hashlib.sha256(req.body).hexdigest()
        md5 = hashlib.md5(req.body).hexdigest()
        with self.lock:
            if n in self.corrupt:
                self.corrupt.discard(n)
                sha, md5 = "0" * 64, "0" * 32
        if self.mode == "s3":
            return 200, {"ETag": f'"{md5}"'}, b""
        return 200, {"ETag": f'"{sha[:32]}"'}, {"part_number": n, "size": len(req.body), "sha256": sha}

    def get(self, req: FakeRequest) -> Any:
        s = self._session(req)
        if s is None:
            return 404, {}, {"error": {"code": "upload_not_found", "message": "no upload"}}
        parts = [
            {"part_number": n, "size": len(b),
             "sha256": hashlib.sha256(b).hexdigest() if self.mode == "local" else None,
             "etag": hashlib.md5(b).hexdigest() if self.mode == "s3" else None}
            for n, b in sorted(self.parts.get(s["upload_id"], {}).items())
        ]
        return 200, {}, dict(s, parts=parts)

    def abort(self, req: FakeRequest) -> Any:
        s = self._session(req)
        if s is None or s["status"] != "pending":
            return 404, {}, {"error": {"code": "upload_not_found", "message": "no upload"}}
        s["status"] = "aborted"
        self.parts.pop(s["upload_id"], None)
        return 204, {}, b""

    def list(self, req: FakeRequest) -> Any:
        ws = parse_qs(urlsplit(req.path).query)["workspace_id"][0]
        ups = [{k: v for k, v in s.items() if k != "parts"} for s in self.sessions.values()
               if s.get("workspace_id") == ws and s["status"] == "pending"]
        return 200, {}, {"uploads": ups}

    def confirm(self, req: FakeRequest) -> Any:
        body = json.loads(req.body)
        s = self.sessions[body["upload_id"]]
        if not s["multipart"]:
            data = self.confirmed[s["upload_id"]]
            return 200, {}, {"key": s["file_key"], "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if s["status"] == "completed":
            data = self.confirmed[s["upload_id"]]
            return 200, {}, {"key": s["file_key"], "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        parts = self.parts[s["upload_id"]]
        if self.missing_once:
            for n in self.missing_once:
                parts.pop(n, None)
            self.missing_once = []
        missing = [n for n in range(1, s["part_count"] + 1) if n not in parts]
        if missing:
            return 409, {}, {"error": {"code": "upload_not_received", "message": "parts missing",
                                       "details": {"missing_parts": missing}}}
        data = b"".join(parts[n] for n in range(1, s["part_count"] + 1))
        sha = hashlib.sha256(data).hexdigest()
        if body.get("sha256") and body["sha256"] != sha:
            s["status"] = "failed"
            return 422, {}, {"error": {"code": "checksum_mismatch", "message": "bad"}}
        s["status"] = "completed"
        self.confirmed[s["upload_id"]] = data
        return 200, {}, {"key": s["file_key"], "size": len(data), "sha256": sha}

    def requests_to(self, method: str, prefix: str) -> List[FakeRequest]:
        return [r for r in self.fake.requests if r.method == method and r.path.startswith(prefix)]


@pytest.fixture()
def sessions(fake: FakeServer) -> FakeSessions:
    return FakeSessions(fake)


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(MultipartUpload, "__init__", _with_defaults(MultipartUpload.__init__))
    monkeypatch.setenv("GRANARY_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("GRANARY_MULTIPART_THRESHOLD", raising=False)
    monkeypatch.delenv("GRANARY_PART_SIZE", raising=False)


def _with_defaults(init: Any) -> Any:
    def wrapped(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("backoff_base", 0.01)
        init(self, *args, **kwargs)

    return wrapped


def make_file(tmp_path: Path, size: int, name: str = "big.bam") -> Tuple[Path, bytes]:
    data = os.urandom(size)
    p = tmp_path / name
    p.write_bytes(data)
    return p, data


def client_for(fake: FakeServer) -> Client:
    return Client(api_key="secret", base_url=fake.base_url)


def upload(c: Client, src: Path, **kw: Any) -> Tuple[Dict[str, Any], List[int]]:
    seen: List[int] = []
    lock = threading.Lock()

    def progress(n: int) -> None:
        with lock:
            seen.append(n)

    kw.setdefault("multipart_threshold", 1)
    kw.setdefault("part_size", 5 * MiB)
    out = c.files.upload_file(src, workspace_id=WS, path="bam/", progress=progress, **kw)
    return out, seen


# ---------------------------------------------------------------------- happy paths


def test_parallel_parts_exact_bytes_batched_signing(sessions: FakeSessions, tmp_path: Path) -> None:
    src, data = make_file(tmp_path, 23 * MiB + 7)
    out, seen = upload(client_for(sessions.fake), src, concurrency=3)
    assert out == {"key": "bam/big.bam", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert sessions.confirmed["up_1"] == data
    assert sum(seen) == len(data) and all(n > 0 for n in seen)
    create = json.loads(sessions.requests_to("POST", "/v1/files/upload-url")[0].body)
    assert create["multipart"] is True and create["part_size"] == 5 * MiB and create["size"] == len(data)
    # 5 parts signed in one batch, each PUT once
    assert sessions.sign_batches == [[1, 2, 3, 4, 5]]
    assert sorted(n for n, _ in sessions.put_log) == [1, 2, 3, 4, 5]
    sign_req = sessions.requests_to("POST", "/v1/files/uploads/")[0]
    assert sign_req.headers["authorization"] == "Bearer secret"
    confirm = json.loads(sessions.requests_to("POST", "/v1/files/upload-confirm")[0].body)
    assert confirm == {"file_key": "bam/big.bam", "workspace_id": WS, "size": len(data), "filename": "big.bam",
                       "upload_id": "up_1", "sha256": hashlib.sha256(data).hexdigest()}
    assert os.listdir(tmp_path / "state" / "uploads") == []  # state removed on success


def test_s3_style_etag_verification(fake: FakeServer, tmp_path: Path) -> None:
    sessions = FakeSessions(fake, mode="s3")
    sessions.corrupt = {2}
    src, data = make_file(tmp_path, 12 * MiB)
    out, seen = upload(client_for(fake), src)
    assert sessions.confirmed["up_1"] == data and sum(seen) == len(data)
    assert [n for n, _ in sessions.put_log].count(2) == 2  # wrong ETag -> sent again


def test_small_batches_for_many_parts(sessions: FakeSessions, tmp_path: Path) -> None:
    src, data = make_file(tmp_path, 101 * MiB)  # 21 parts, batches of at most 16
    upload(client_for(sessions.fake), src, concurrency=2)
    assert sessions.confirmed["up_1"] == data
    signed = [n for b in sessions.sign_batches for n in b]
    assert sorted(signed) == list(range(1, 22)) and max(len(b) for b in sessions.sign_batches) <= 16


def test_opaque_s3_etags_are_tolerated(fake: FakeServer, tmp_path: Path) -> None:
    """SSE-KMS: ETags are 32-hex but not MD5s; after two such answers the client stops checking them."""
    sessions = FakeSessions(fake, mode="s3")
    sessions.corrupt = set(range(1, 30))  # every first answer has a non-MD5 ETag
    orig_put = sessions.put

    def put(req: FakeRequest) -> Any:
        status, headers, body = orig_put(req)
        if status == 200:
            headers = {"ETag": '"' + hashlib.md5(b"kms" + req.body[:64]).hexdigest() + '"'}
        return status, headers, body

    for n in range(1, 4):
        fake.routes[("PUT", f"/parts/up_1/{n}")] = put
    orig_create = sessions.create

    def create(req: FakeRequest) -> Any:
        out = orig_create(req)
        for n in range(1, 4):
            fake.routes[("PUT", f"/parts/up_1/{n}")] = put
        return out

    fake.routes[("POST", "/v1/files/upload-url")] = create
    src, data = make_file(tmp_path, 12 * MiB)
    upload(client_for(fake), src, concurrency=1)
    assert sessions.confirmed["up_1"] == data
    assert len(sessions.put_log) == 4  # part 1 twice, then parts 2 and 3 once


# ---------------------------------------------------------------------- failures


def test_retries_resign_and_damaged_parts(sessions: FakeSessions, tmp_path: Path) -> None:
    sessions.fail = {2: [500, 503], 3: [403], 4: [429]}
    sessions.corrupt = {5}
    src, data = make_file(tmp_path, 26 * MiB)
    out, seen = upload(client_for(sessions.fake), src)
    assert sessions.confirmed["up_1"] == data
    assert sum(seen) == len(data)  # retried bytes are not counted twice
    counts = {n: [p for p, _ in sessions.put_log].count(n) for n in range(1, 7)}
    assert counts == {1: 1, 2: 3, 3: 2, 4: 2, 5: 2, 6: 1}
    assert [3] in sessions.sign_batches  # the refused URL was signed again, alone


def test_persistent_failure_raises_and_keeps_session(sessions: FakeSessions, tmp_path: Path) -> None:
    sessions.fail = {2: [500] * 10}
    src, data = make_file(tmp_path, 11 * MiB)
    c = client_for(sessions.fake)
    with pytest.raises(ApiError) as ei:
        upload(c, src, retries=2)
    assert ei.value.status == 500
    assert [p for p, _ in sessions.put_log].count(2) == 3
    assert len(os.listdir(tmp_path / "state" / "uploads")) == 1  # kept for resume
    sessions.fail = {}
    upload(c, src)  # resumes
    assert sessions.confirmed["up_1"] == data


def test_client_error_is_not_retried(sessions: FakeSessions, tmp_path: Path) -> None:
    sessions.fail = {1: [400, 400, 400]}
    src, _ = make_file(tmp_path, 6 * MiB)
    with pytest.raises(ApiError) as ei:
        upload(client_for(sessions.fake), src)
    assert ei.value.code == "invalid_request"
    assert [p for p, _ in sessions.put_log].count(1) == 1


def test_network_failure_is_network_error(sessions: FakeSessions, tmp_path: Path) -> None:
    def cut(req: FakeRequest) -> Any:
        def close(handler: Any) -> None:
            handler.close_connection = True
            handler.connection.shutdown(2)

        return 200, {}, close

    src, _ = make_file(tmp_path, 6 * MiB)
    c = client_for(sessions.fake)
    orig = sessions.create

    def create(req: FakeRequest) -> Any:
        out = orig(req)
        for n in (1, 2):
            sessions.fake.routes[("PUT", f"/parts/up_1/{n}")] = cut
        return out

    sessions.fake.routes[("POST", "/v1/files/upload-url")] = create
    with pytest.raises(NetworkError):
        upload(c, src, retries=1)


def test_missing_parts_at_confirm_are_sent_again(sessions: FakeSessions, tmp_path: Path) -> None:
    sessions.missing_once = [2]
    src, data = make_file(tmp_path, 11 * MiB)
    upload(client_for(sessions.fake), src)
    assert sessions.confirmed["up_1"] == data
    assert [p for p, _ in sessions.put_log].count(2) == 2


# ---------------------------------------------------------------------- resume


class Crash(Exception):
    pass


def crash_after(monkeypatch: pytest.MonkeyPatch, n_parts: int) -> List[int]:
    """Make the part sender die (like a killed process) after ``n_parts`` parts went up."""
    original = MultipartUpload._put_part
    sent: List[int] = []
    lock = threading.Lock()

    def put(self: MultipartUpload, n: int) -> Dict[str, Any]:
        with lock:
            if len(sent) >= n_parts:
                raise Crash(f"simulated crash before part {n}")
        record = original(self, n)
        with lock:
            sent.append(n)
        return record

    monkeypatch.setattr(MultipartUpload, "_put_part", put)
    return sent


def test_resume_after_crash_sends_only_missing_parts(
    sessions: FakeSessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, data = make_file(tmp_path, 31 * MiB)  # 7 parts
    c = client_for(sessions.fake)
    first = crash_after(monkeypatch, 3)
    with pytest.raises(Crash):
        upload(c, src, concurrency=1)
    assert len(first) == 3
    state_files = os.listdir(tmp_path / "state" / "uploads")
    assert len(state_files) == 1
    state = json.loads((tmp_path / "state" / "uploads" / state_files[0]).read_text())
    assert state["upload_id"] == "up_1" and state["size"] == len(data)
    monkeypatch.undo()
    monkeypatch.setenv("GRANARY_STATE_DIR", str(tmp_path / "state"))
    second = crash_after(monkeypatch, 100)
    puts_before = len(sessions.put_log)
    out, seen = upload(c, src, concurrency=2)
    assert sorted(second) == sorted(set(range(1, 8)) - set(first))
    assert len(sessions.put_log) - puts_before == 4
    assert sessions.requests_to("GET", "/v1/files/uploads/up_1")  # asked what is there
    assert len(sessions.requests_to("POST", "/v1/files/upload-url")) == 1  # no new session
    assert sessions.confirmed["up_1"] == data
    assert sum(seen) == len(data)  # parts already there count at the start
    assert os.listdir(tmp_path / "state" / "uploads") == []


def test_resume_false_starts_over_and_aborts_old(
    sessions: FakeSessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, data = make_file(tmp_path, 11 * MiB)
    c = client_for(sessions.fake)
    crash_after(monkeypatch, 1)
    with pytest.raises(Crash):
        upload(c, src, concurrency=1)
    monkeypatch.setattr(MultipartUpload, "_put_part", _original_put)
    upload(c, src, resume=False)
    assert sessions.sessions["up_1"]["status"] == "aborted"
    assert sessions.confirmed["up_2"] == data


def test_resume_of_vanished_session_starts_fresh(
    sessions: FakeSessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, data = make_file(tmp_path, 11 * MiB)
    c = client_for(sessions.fake)
    crash_after(monkeypatch, 1)
    with pytest.raises(Crash):
        upload(c, src, concurrency=1)
    monkeypatch.setattr(MultipartUpload, "_put_part", _original_put)
    del sessions.sessions["up_1"]  # reaped
    upload(c, src)
    assert sessions.confirmed["up_2"] == data


def test_resume_resends_parts_that_differ_from_the_file(
    sessions: FakeSessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, data = make_file(tmp_path, 16 * MiB)  # 4 parts
    c = client_for(sessions.fake)
    crash_after(monkeypatch, 2)
    with pytest.raises(Crash):
        upload(c, src, concurrency=1)
    monkeypatch.setattr(MultipartUpload, "_put_part", _original_put)
    done = sorted(sessions.parts["up_1"])
    sessions.parts["up_1"][done[0]] = b"\0" * len(sessions.parts["up_1"][done[0]])  # damaged in store
    upload(c, src)
    assert sessions.confirmed["up_1"] == data
    assert [p for p, _ in sessions.put_log].count(done[0]) == 2


def test_resume_after_completed_confirm(
    sessions: FakeSessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after the server completed but before the state file went: confirm again."""
    src, data = make_file(tmp_path, 6 * MiB)
    c = client_for(sessions.fake)
    monkeypatch.setattr("granary.resume_state.StateStore.remove", lambda self, identity: None)
    upload(c, src)
    monkeypatch.undo()
    monkeypatch.setenv("GRANARY_STATE_DIR", str(tmp_path / "state"))
    puts = len(sessions.put_log)
    out, _ = upload(c, src)
    assert out["sha256"] == hashlib.sha256(data).hexdigest()
    assert len(sessions.put_log) == puts
    assert os.listdir(tmp_path / "state" / "uploads") == []


# ---------------------------------------------------------------------- choosing the flow


def test_env_threshold_and_part_size(sessions: FakeSessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANARY_MULTIPART_THRESHOLD", "10MiB")
    monkeypatch.setenv("GRANARY_PART_SIZE", "6MiB")
    c = client_for(sessions.fake)
    small, _ = make_file(tmp_path, 9 * MiB, "small.bin")
    big, data = make_file(tmp_path, 13 * MiB, "big.bin")
    sessions.fake.routes[("POST", "/v1/files/upload")] = lambda req: (201, {}, {"key": "bam/small.bin"})
    assert c.files.upload_file(small, workspace_id=WS, path="bam/") == {"key": "bam/small.bin"}
    c.files.upload_file(big, workspace_id=WS, path="bam/")
    create = json.loads(sessions.requests_to("POST", "/v1/files/upload-url")[0].body)
    assert create["multipart"] is True and create["part_size"] == 6 * MiB
    assert sessions.confirmed["up_1"] == data
    monkeypatch.setenv("GRANARY_PART_SIZE", "lots")
    with pytest.raises(ValueError, match="GRANARY_PART_SIZE"):
        c.files.upload_file(big, workspace_id=WS)


def test_between_thresholds_single_put_and_server_chosen_session(
    sessions: FakeSessions, tmp_path: Path
) -> None:
    c = client_for(sessions.fake)
    src, data = make_file(tmp_path, 6 * MiB)
    c.files.upload_file(src, workspace_id=WS, large_threshold=MiB)  # single PUT, no session
    assert sessions.confirmed["up_1"] == data and not sessions.sessions["up_1"]["multipart"]
    # a server whose own threshold is lower answers a session to a plain request
    orig = sessions.create

    def always_session(req: FakeRequest) -> Any:
        body = json.loads(req.body)
        body["multipart"] = True
        req.body = json.dumps(body).encode()
        return orig(req)

    sessions.fake.routes[("POST", "/v1/files/upload-url")] = always_session
    out = c.files.upload_file(src, workspace_id=WS, large_threshold=MiB)
    assert sessions.sessions["up_2"]["multipart"] and sessions.confirmed["up_2"] == data
    assert out["sha256"] == hashlib.sha256(data).hexdigest()


def test_server_without_sessions_falls_back_to_single_put(sessions: FakeSessions, tmp_path: Path) -> None:
    sessions.single_put_only = True
    src, data = make_file(tmp_path, 7 * MiB)
    out, seen = upload(client_for(sessions.fake), src)
    assert sessions.confirmed["up_1"] == data and sum(seen) == len(data)


# ---------------------------------------------------------------------- uploads API


def test_uploads_list_get_abort(sessions: FakeSessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, _ = make_file(tmp_path, 11 * MiB)
    c = client_for(sessions.fake)
    crash_after(monkeypatch, 1)
    with pytest.raises(Crash):
        upload(c, src, concurrency=1)
    (up,) = c.files.uploads.list(workspace_id=WS)
    assert up["upload_id"] == "up_1" and up["status"] == "pending"
    got = c.files.uploads.get("up_1", workspace_id=WS)
    assert got["part_count"] == 3 and len(got["parts"]) == 1
    signed = c.files.uploads.sign_parts("up_1", workspace_id=WS, part_numbers=[2, 3])
    assert [p["part_number"] for p in signed] == [2, 3]
    assert signed[0]["url"].startswith(sessions.fake.base_url + "/parts/up_1/2")
    c.files.uploads.abort("up_1", workspace_id=WS)
    assert c.files.uploads.list(workspace_id=WS) == []
    with pytest.raises(ApiError) as ei:
        c.files.uploads.get("up_404", workspace_id=WS)
    assert ei.value.code == "route_not_found" or ei.value.code == "upload_not_found"
    req = sessions.requests_to("DELETE", "/v1/files/uploads/up_1")[0]
    assert "workspace_id=ws_abc123" in req.path and req.headers["authorization"] == "Bearer secret"


# ---------------------------------------------------------------------- building blocks


def test_part_reader_streams_in_blocks(tmp_path: Path) -> None:
    data = os.urandom(3 * MiB + 100)
    p = tmp_path / "f"
    p.write_bytes(data)
    positions: List[int] = []
    r = PartReader(str(p), 1000, 2 * MiB + 5, sha256=True, md5=True, stop=threading.Event(),
                    on_read=positions.append)
    assert len(r) == 2 * MiB + 5
    out = io.BytesIO()
    while True:
        chunk = r.read(8192)
        if not chunk:
            break
        assert len(chunk) <= 8192
        out.write(chunk)
    part = data[1000 : 1000 + 2 * MiB + 5]
    assert out.getvalue() == part and r.complete
    assert r.sha256() == hashlib.sha256(part).hexdigest() and r.md5() == hashlib.md5(part).hexdigest()
    assert positions[-1] == len(part) and positions == sorted(positions)
    r.close()


def test_progress_counts_each_byte_once() -> None:
    got: List[int] = []
    p = Progress(got.append)
    p.advance(1, 100 * 1024)
    p.advance(1, 300 * 1024)  # first flush (>= 256 KiB pending)
    p.advance(1, 50)  # a retry restarting the part: nothing new
    p.advance(1, 400 * 1024, flush=True)
    p.skip(2, 1000)
    assert sum(got) == 400 * 1024 + 1000 and all(n > 0 for n in got)


def test_parse_size() -> None:
    assert parse_size("67108864") == 64 * MiB
    assert parse_size("64MiB") == parse_size("64m") == parse_size("64 MiB") == 64 * MiB
    assert parse_size("5GiB") == 5 * 1024**3
    assert parse_size("100MB") == 100_000_000
    assert parse_size("1.5k") == 1536 and parse_size("7b") == 7
    for bad in ("-1", "12 parsecs", "", "MiB"):
        with pytest.raises(ValueError):
            parse_size(bad)


def test_cancel_stops_other_parts_quickly(sessions: FakeSessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One part failing for good stops the others instead of finishing the whole file."""
    sessions.fail = {1: [400]}
    src, _ = make_file(tmp_path, 60 * MiB)  # 12 parts
    t0 = time.monotonic()
    with pytest.raises(ApiError):
        upload(client_for(sessions.fake), src, concurrency=2)
    assert len(sessions.put_log) < 12
    assert time.monotonic() - t0 < 30
