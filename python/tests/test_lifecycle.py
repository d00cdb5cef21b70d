"""The data-lifecycle calls (issue 14) against the live server: move and copy; and a folder job
waited for (fake)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest

from conftest import FakeRequest, FakeServer
from granary import ApiError, Client


def put(client: Client, workspace: str, tmp_path: Path, key: str, data: bytes) -> Dict[str, Any]:
    folder, _, name = key.rpartition("/")
    src = tmp_path / uuid.uuid4().hex / name
    src.parent.mkdir(parents=True)
    src.write_bytes(data)
    return dict(client.files.upload(src, workspace_id=workspace, path=folder + "/" if folder else None))


def keys(client: Client, workspace: str, prefix: str) -> List[str]:
    return [f["key"] for f in client.files.list(workspace_id=workspace, prefix=prefix)]


def test_move_copy_and_file_exists(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    first = put(client, workspace, tmp_path, prefix + "a.txt", b"a")
    moved = client.files.move(prefix + "a.txt", prefix + "b.txt", workspace_id=workspace)
    assert moved["id"] == first["id"]
    copy = client.files.copy(prefix + "b.txt", prefix + "c.txt", workspace_id=workspace)
    assert copy["id"] != first["id"]
    with pytest.raises(ApiError) as taken:
        client.files.move(prefix + "b.txt", prefix + "c.txt", workspace_id=workspace)
    assert (taken.value.status, taken.value.code) == (409, "file_exists")
    backup = prefix[:-1] + "-backup/"
    assert client.files.copy(prefix, backup, workspace_id=workspace) == {"copied": 2}
    assert keys(client, workspace, backup) == [backup + "b.txt", backup + "c.txt"]
    assert client.files.move(backup, prefix + "old/", workspace_id=workspace) == {"moved": 2}
    assert keys(client, workspace, prefix) == [prefix + k for k in ["b.txt", "c.txt", "old/b.txt", "old/c.txt"]]


def test_a_folder_job_is_waited_for(fake: FakeServer) -> None:
    """A 202 answer is followed through GET /v1/jobs/{id} until the job is done."""
    states = iter(["running", "running", "done"])

    def job(req: FakeRequest) -> Any:
        return 200, {}, {"job_id": "job_1", "kind": "move", "status": next(states), "done": 3, "total": 3}

    fake.routes[("POST", "/v1/files/move")] = lambda req: (202, {}, {"job_id": "job_1"})
    fake.routes[("GET", "/v1/jobs/job_1")] = job
    c = Client(api_key="k" * 32, base_url=fake.base_url)
    c.jobs.poll_interval = 0.01
    seen: List[str] = []
    result = c.files.move("raw/", "old/", workspace_id="ws_a", on_job_progress=lambda j: seen.append(j["status"]))
    assert result == {"moved": 3}
    assert seen == ["running", "running", "done"]


def test_a_failed_job_raises_its_error(fake: FakeServer) -> None:
    failed = {"job_id": "job_2", "kind": "copy", "status": "failed", "done": 1, "total": 3}
    failed["error"] = {"code": "file_exists", "message": "old/a.vcf exists"}
    fake.routes[("POST", "/v1/files/copy")] = lambda req: (202, {}, {"job_id": "job_2"})
    fake.routes[("GET", "/v1/jobs/job_2")] = lambda req: (200, {}, failed)
    c = Client(api_key="k" * 32, base_url=fake.base_url)
    with pytest.raises(ApiError) as raised:
        c.files.copy("raw/", "old/", workspace_id="ws_a")
    assert raised.value.code == "file_exists"
    assert "old/a.vcf exists" in str(raised.value)
