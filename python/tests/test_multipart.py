"""Multipart sessions against the REAL server (local backend): a ~96 MB file in 5 MiB parts is
byte-exact, progress adds up, a crashed upload resumes sending only the missing parts, expired
part URLs are signed again, sessions can be listed and aborted, a wrong whole-file checksum leaves
nothing visible, and memory stays flat (a 200 MB file in 16 MiB parts, 4 at a time, grows the
peak RSS by well under the 64 MiB that holding the parts in flight would take)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import requests

from conftest import SRC, Server
from granary import ApiError, Client
from granary.multipart import MultipartUpload
from granary.uploads import Uploads

MiB = 1024 * 1024
SIZE = 96 * MiB + 12345  # 20 parts of 5 MiB, the last one short
PART = 5 * MiB
_original_put = MultipartUpload._put_part


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, str]:
    path = tmp_path_factory.mktemp("mp") / "sample_reads.bam"
    h = hashlib.sha256()
    with open(path, "wb") as fh:
        left = SIZE
        while left:
            block = os.urandom(min(left, 4 * MiB))
            fh.write(block)
            h.update(block)
            left -= len(block)
    return path, h.hexdigest()


@pytest.fixture()
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


class Crash(Exception):
    """Stands for the process dying mid-upload."""


def instrument(monkeypatch: pytest.MonkeyPatch, crash_after: int = -1) -> Dict[str, Any]:
    """Count the parts and bytes the part sender sends; raise :class:`Crash` after N parts."""
    stats: Dict[str, Any] = {"parts": [], "bytes": 0}
    lock = threading.Lock()

    def put(self: MultipartUpload, n: int) -> Dict[str, Any]:
        with lock:
            if 0 <= crash_after <= len(stats["parts"]):
                raise Crash(f"simulated crash before part {n}")
        record = _original_put(self, n)
        with lock:
            stats["parts"].append(n)
            stats["bytes"] += self.part_range(n)[1]
        return record

    monkeypatch.setattr(MultipartUpload, "_put_part", put)
    return stats


def counter() -> Tuple[List[int], Any]:
    seen: List[int] = []
    lock = threading.Lock()

    def progress(n: int) -> None:
        with lock:
            seen.append(n)

    return seen, progress


def test_multipart_upload_is_byte_exact(
    client: Client, workspace: str, prefix: str, big: Tuple[Path, str], state_dir: Path,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    path, sha = big
    stats = instrument(monkeypatch)
    seen, progress = counter()
    info = client.files.upload_file(
        path, workspace_id=workspace, path=prefix, progress=progress, multipart_threshold=1,
        part_size=PART, concurrency=4, state_dir=state_dir,
    )
    assert info["key"] == prefix + "sample_reads.bam"
    assert info["size"] == SIZE and info["sha256"] == sha
    assert sum(seen) == SIZE and all(n > 0 for n in seen)
    assert sorted(stats["parts"]) == list(range(1, 21)) and stats["bytes"] == SIZE
    assert os.listdir(state_dir / "uploads") == []
    assert [f["key"] for f in client.files.list(workspace_id=workspace, prefix=prefix)] == [info["key"]]
    local = client.files.download(info["key"], workspace_id=workspace, dest=str(tmp_path) + "/")
    h = hashlib.sha256()
    with open(local, "rb") as fh:
        for block in iter(lambda: fh.read(MiB), b""):
            h.update(block)
    assert h.hexdigest() == sha
    client.files.delete(info["key"], workspace_id=workspace)


def test_resume_after_crash(
    client: Client, workspace: str, prefix: str, big: Tuple[Path, str], state_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, sha = big
    first = instrument(monkeypatch, crash_after=7)
    with pytest.raises(Crash):
        client.files.upload_file(path, workspace_id=workspace, path=prefix, multipart_threshold=1,
                                 part_size=PART, concurrency=2, state_dir=state_dir)
    (state_file,) = os.listdir(state_dir / "uploads")
    upload_id = json.loads((state_dir / "uploads" / state_file).read_text())["upload_id"]
    open_ids = [u["upload_id"] for u in client.files.uploads.list(workspace_id=workspace)]
    assert upload_id in open_ids
    there = client.files.uploads.get(upload_id, workspace_id=workspace)
    assert there["status"] == "pending" and there["part_count"] == 20 and there["part_size"] == PART
    assert len(there["parts"]) >= 7
    assert client.files.list(workspace_id=workspace, prefix=prefix) == []  # nothing visible yet

    second = instrument(monkeypatch)
    seen, progress = counter()
    info = client.files.upload_file(path, workspace_id=workspace, path=prefix, progress=progress,
                                    multipart_threshold=1, part_size=PART, concurrency=4,
                                    state_dir=state_dir)
    assert info["sha256"] == sha and info["size"] == SIZE
    assert second["bytes"] < SIZE and second["bytes"] <= SIZE - 7 * PART
    assert set(second["parts"]).isdisjoint(p["part_number"] for p in there["parts"])
    assert sum(seen) == SIZE
    assert os.listdir(state_dir / "uploads") == []
    assert upload_id not in [u["upload_id"] for u in client.files.uploads.list(workspace_id=workspace)]
    assert first["bytes"] + second["bytes"] >= SIZE
    client.files.delete(info["key"], workspace_id=workspace)


def test_abort_and_list(
    client: Client, workspace: str, prefix: str, big: Tuple[Path, str], state_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, _ = big
    instrument(monkeypatch, crash_after=2)
    with pytest.raises(Crash):
        client.files.upload_file(path, workspace_id=workspace, path=prefix, multipart_threshold=1,
                                 part_size=PART, concurrency=1, state_dir=state_dir)
    (up,) = [u for u in client.files.uploads.list(workspace_id=workspace) if u["file_key"].startswith(prefix)]
    assert up["multipart"] is True and up["size"] == SIZE and "parts" not in up
    client.files.uploads.abort(up["upload_id"], workspace_id=workspace)
    assert up["upload_id"] not in [u["upload_id"] for u in client.files.uploads.list(workspace_id=workspace)]
    try:
        gone = client.files.uploads.get(up["upload_id"], workspace_id=workspace)
        assert gone["status"] == "aborted" and gone["parts"] == []
    except ApiError as e:
        assert e.code == "upload_not_found"
    # The next upload_file finds the aborted session in its state file and starts afresh.
    monkeypatch.setattr(MultipartUpload, "_put_part", _original_put)
    info = client.files.upload_file(path, workspace_id=workspace, path=prefix, multipart_threshold=1,
                                    part_size=PART, state_dir=state_dir)
    assert info["size"] == SIZE
    client.files.delete(info["key"], workspace_id=workspace)


def test_expired_part_urls_are_signed_again(
    server: Server, client: Client, workspace: str, prefix: str, tmp_path: Path, state_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = os.urandom(12 * MiB)
    src = tmp_path / "expiring.bin"
    src.write_bytes(data)
    original = Uploads.sign_parts
    calls: List[List[int]] = []

    def sign_parts(self: Uploads, upload_id: str, **kw: Any) -> Any:
        calls.append(list(kw["part_numbers"]))
        if len(calls) == 1:  # the first batch expires before it is used
            with server.signed_in_the_past():
                return original(self, upload_id, **dict(kw, expires_in=1))
        return original(self, upload_id, **kw)

    monkeypatch.setattr(Uploads, "sign_parts", sign_parts)
    info = client.files.upload_file(src, workspace_id=workspace, path=prefix, multipart_threshold=1,
                                    part_size=PART, concurrency=1, state_dir=state_dir)
    assert info["sha256"] == hashlib.sha256(data).hexdigest()
    assert calls[0] == [1, 2, 3] and len(calls) >= 2


def test_expired_part_url_is_403(server: Server, client: Client, workspace: str, prefix: str) -> None:
    ans = client.files.upload_large(filename="x.bin", workspace_id=workspace, size=6 * MiB,
                                    path=prefix, multipart=True, part_size=PART)
    with server.signed_in_the_past():
        (p,) = client.files.uploads.sign_parts(ans["uploadId"], workspace_id=workspace, part_numbers=[2],
                                               expires_in=1)
    r = requests.put(p["url"], data=b"x" * MiB, headers=p["headers"])
    assert r.status_code == 403, r.text
    if r.headers.get("content-type", "").startswith("application/json"):  # Granary's own URL
        assert r.json()["error"]["code"] == "url_expired", r.text
    client.files.uploads.abort(ans["uploadId"], workspace_id=workspace)


def test_low_level_flow_and_wrong_checksum(client: Client, workspace: str, prefix: str) -> None:
    """The calls ``upload_file`` makes, by hand; a wrong declared SHA-256 leaves nothing visible."""
    data = os.urandom(6 * MiB)
    ans = client.files.upload_large(filename="manual.bin", workspace_id=workspace, size=len(data),
                                    path=prefix, multipart=True, part_size=PART)
    assert ans["multipart"] is True and ans["partSize"] == PART and ans["partCount"] == 2
    for p in client.files.uploads.sign_parts(ans["uploadId"], workspace_id=workspace, part_numbers=[1, 2]):
        chunk = data[(p["part_number"] - 1) * PART :][: p["size"]]
        r = requests.put(p["url"], data=chunk, headers=p["headers"])
        assert r.status_code == 200, r.text
        assert r.json()["sha256"] == hashlib.sha256(chunk).hexdigest()
    with pytest.raises(ApiError) as ei:
        client.files.upload_confirm(file_key=ans["fileKey"], workspace_id=workspace, size=len(data),
                                    upload_id=ans["uploadId"], sha256="0" * 64)
    assert (ei.value.status, ei.value.code) == (422, "checksum_mismatch")
    assert client.files.list(workspace_id=workspace, prefix=prefix) == []


def test_part_size_is_clamped_and_small_files_stay_simple(
    client: Client, workspace: str, prefix: str, tmp_path: Path, state_dir: Path
) -> None:
    ans = client.files.upload_large(filename="c.bin", workspace_id=workspace, size=20 * MiB,
                                    path=prefix, multipart=True, part_size=1024)
    assert ans["partSize"] == 5 * MiB and ans["partCount"] == 4
    client.files.uploads.abort(ans["uploadId"], workspace_id=workspace)
    src = tmp_path / "small.txt"
    src.write_bytes(b"hello\n")
    info = client.files.upload_file(src, workspace_id=workspace, path=prefix, state_dir=state_dir)
    assert info["size"] == 6


MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, os, resource, sys
    from granary import Client

    base_url, api_key, workspace, prefix, big, small, state = sys.argv[1:]
    MiB = 1024 * 1024

    def peak_kib():
        # VmHWM: this process's own peak. ru_maxrss survives exec on Linux, so in a child of
        # pytest it would start at pytest's own peak and hide any growth below it.
        try:
            with open("/proc/self/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    client = Client(api_key=api_key, base_url=base_url)
    opts = dict(workspace_id=workspace, multipart_threshold=1, part_size=16 * MiB, concurrency=4,
                state_dir=state)
    # Baseline: imports done, one request made (no multipart warm-up: threads, buffers and
    # hashing of the upload itself all count as growth).
    client.files.list(workspace_id=workspace, limit=1)
    base = peak_kib()
    sent = [0]
    info = client.files.upload_file(big, path=prefix + "mp/",
                                    progress=lambda n: sent.__setitem__(0, sent[0] + n), **opts)
    print(json.dumps({"base": base, "after": peak_kib(), "info": info, "sent": sent[0]}))
    """
)


def test_multipart_memory_stays_flat(
    server: Server, client: Client, workspace: str, prefix: str, tmp_path: Path
) -> None:
    size = 200 * 1000 * 1000
    big_path = tmp_path / "big.bin"
    h = hashlib.sha256()
    with open(big_path, "wb") as fh:
        block = os.urandom(MiB)
        left = size
        while left:
            b = block[: min(left, MiB)]
            fh.write(b)
            h.update(b)
            left -= len(b)
    small = tmp_path / "small.bin"
    small.write_bytes(os.urandom(6 * MiB))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, server.base_url, str(client.api_key), workspace, prefix,
         str(big_path), str(small), str(tmp_path / "state")],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["info"]["size"] == size and r["info"]["sha256"] == h.hexdigest()
    assert r["sent"] == size
    growth_mib = (r["after"] - r["base"]) / 1024
    print(f"multipart peak RSS growth: {growth_mib:.1f} MiB from {r['base'] / 1024:.1f} MiB (bound: 4 parts x 16 MiB = 64 MiB)")
    assert growth_mib < 24, f"peak RSS grew by {growth_mib:.1f} MiB"
    client.files.delete(r["info"]["key"], workspace_id=workspace)


KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from granary import Client

    base_url, api_key, workspace, prefix, big, state = sys.argv[1:]
    client = Client(api_key=api_key, base_url=base_url)
    # Slowed down (the progress callback sleeps) so the parent can kill it mid-upload.
    client.files.upload_file(big, workspace_id=workspace, path=prefix, multipart_threshold=1,
                             part_size=5 * 1024 * 1024, concurrency=2, state_dir=state,
                             progress=lambda n: time.sleep(0.02))
    print("finished")
    """
)


def test_resume_after_kill_9(
    server: Server, client: Client, workspace: str, prefix: str, big: Tuple[Path, str],
    state_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real process killed with SIGKILL mid-part; the same call in another process resumes."""
    path, sha = big
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, server.base_url, str(client.api_key), workspace, prefix,
         str(path), str(state_dir)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        upload_id = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            uploads_dir = state_dir / "uploads"
            files = os.listdir(uploads_dir) if uploads_dir.exists() else []
            if files and upload_id is None:
                try:
                    upload_id = json.loads((uploads_dir / files[0]).read_text())["upload_id"]
                except (OSError, ValueError, KeyError):
                    pass
            if upload_id is not None:
                there = client.files.uploads.get(upload_id, workspace_id=workspace)
                if len(there["parts"]) >= 4:
                    break
            time.sleep(0.05)
        assert proc.poll() is None, f"finished too early: {proc.communicate()}"
    finally:
        proc.kill()
        proc.wait()
    before = client.files.uploads.get(str(upload_id), workspace_id=workspace)
    assert 4 <= len(before["parts"]) < 20
    stats = instrument(monkeypatch)
    info = client.files.upload_file(path, workspace_id=workspace, path=prefix, multipart_threshold=1,
                                    part_size=PART, state_dir=state_dir)
    assert info["sha256"] == sha and info["size"] == SIZE
    assert stats["bytes"] <= SIZE - 4 * PART
    assert os.listdir(state_dir / "uploads") == []
    client.files.delete(info["key"], workspace_id=workspace)


def test_rerun_after_confirmed_but_state_left(
    client: Client, workspace: str, prefix: str, tmp_path: Path, state_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Killed after the server confirmed but before the state file was removed: the next call
    confirms again (idempotent) instead of uploading anew."""
    data = os.urandom(11 * MiB)
    src = tmp_path / "done.bin"
    src.write_bytes(data)
    monkeypatch.setattr("granary.resume_state.StateStore.remove", lambda self, identity: None)
    first = client.files.upload_file(src, workspace_id=workspace, path=prefix, multipart_threshold=1,
                                     part_size=PART, state_dir=state_dir)
    assert len(os.listdir(state_dir / "uploads")) == 1
    monkeypatch.undo()
    stats = instrument(monkeypatch)
    again = client.files.upload_file(src, workspace_id=workspace, path=prefix, multipart_threshold=1,
                                     part_size=PART, state_dir=state_dir)
    assert stats["bytes"] == 0
    assert again["key"] == first["key"] and again["sha256"] == hashlib.sha256(data).hexdigest()
    assert os.listdir(state_dir / "uploads") == []
