"""The data-lifecycle calls (issue 14) against the live server: versions, restore, move, copy,
folder delete, the trash, workspace settings and usage; and a folder job waited for (fake)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest

from conftest import FakeRequest, FakeServer, ensure_workspace
from granary import ApiError, Client


def put(client: Client, workspace: str, tmp_path: Path, key: str, data: bytes) -> Dict[str, Any]:
    folder, _, name = key.rpartition("/")
    src = tmp_path / uuid.uuid4().hex / name
    src.parent.mkdir(parents=True)
    src.write_bytes(data)
    return dict(client.files.upload(src, workspace_id=workspace, path=folder + "/" if folder else None))


def keys(client: Client, workspace: str, prefix: str) -> List[str]:
    return [f["key"] for f in client.files.list(workspace_id=workspace, prefix=prefix)]


def test_versions_download_and_restore(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    key = prefix + "notes.txt"
    put(client, workspace, tmp_path, key, b"first")
    current = put(client, workspace, tmp_path, key, b"second")
    versions = client.files.versions(key, workspace_id=workspace)
    assert [(v["size"], v["is_current"]) for v in versions] == [(6, True), (5, False)]
    old = versions[1]["version_id"]
    saved = client.files.download(key, workspace_id=workspace, dest=tmp_path / "old.txt", version_id=old)
    assert Path(saved).read_bytes() == b"first"
    restored = client.files.restore(key, workspace_id=workspace, version_id=old)
    assert restored["id"] == current["id"]
    assert restored["size"] == 5
    assert len(client.files.versions(key, workspace_id=workspace)) == 3


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


def test_trash_restore_folder_and_purge(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    put(client, workspace, tmp_path, prefix + "x.txt", b"x")
    put(client, workspace, tmp_path, prefix + "deep/y.txt", b"y")
    assert client.files.delete(prefix, workspace_id=workspace, recursive=True)["deleted"] == 2
    assert keys(client, workspace, prefix) == []
    items = client.trash.list(workspace_id=workspace, prefix=prefix)
    assert sorted(i["key"] for i in items) == [prefix + "deep/y.txt", prefix + "x.txt"]
    assert items.next_cursor is None
    assert items[0]["group_id"] == items[1]["group_id"]
    restored = client.trash.restore_group(items[0]["group_id"], workspace_id=workspace)
    assert sorted(f["key"] for f in restored) == [prefix + "deep/y.txt", prefix + "x.txt"]
    assert keys(client, workspace, prefix) == [prefix + "deep/y.txt", prefix + "x.txt"]

    client.files.delete(prefix + "x.txt", workspace_id=workspace)
    put(client, workspace, tmp_path, prefix + "x.txt", b"new")
    [item] = list(client.trash.list_all(workspace_id=workspace, prefix=prefix + "x.txt"))
    with pytest.raises(ApiError) as exists:
        client.trash.restore(item["trash_id"], workspace_id=workspace)
    assert exists.value.code == "file_exists"
    client.trash.restore(item["trash_id"], workspace_id=workspace, to=prefix + "x.old.txt")
    client.files.delete(prefix + "x.old.txt", workspace_id=workspace)
    [again] = client.trash.list(workspace_id=workspace, prefix=prefix + "x.old.txt")
    assert client.trash.purge(again["trash_id"], workspace_id=workspace) == {"purged": 1}
    with pytest.raises(ApiError) as purged:
        client.trash.restore(again["trash_id"], workspace_id=workspace)
    assert (purged.value.status, purged.value.code) == (404, "trash_item_not_found")


def test_workspace_settings_usage_and_purge_all(admin: Client, tmp_path: Path) -> None:
    ws = f"ws_py_{uuid.uuid4().hex[:8]}"
    ensure_workspace(admin, ws, "Python lifecycle")
    settings = admin.workspaces.get(ws)
    assert (settings["trash_days"], settings["keep_versions"]) == (7, 10)
    changed = admin.workspaces.update(ws, keep_versions=2)
    assert (changed["trash_days"], changed["keep_versions"]) == (7, 2)
    for data in (b"1", b"22", b"333"):
        put(admin, ws, tmp_path, "u.txt", data)
    assert [v["size"] for v in admin.files.versions("u.txt", workspace_id=ws)] == [3, 2]
    put(admin, ws, tmp_path, "gone.txt", b"4444")
    admin.files.delete("gone.txt", workspace_id=ws)
    usage = admin.workspaces.usage(ws)
    assert (usage["files"], usage["bytes"], usage["version_bytes"], usage["trash_bytes"]) == (1, 3, 2, 4)
    admin.trash.purge_all(workspace_id=ws)
    assert list(admin.trash.list(workspace_id=ws)) == []
    assert admin.workspaces.usage(ws)["trash_bytes"] == 0


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


def test_quota_set_refused_and_removed(admin: Client, tmp_path: Path) -> None:
    ws = f"ws_quota{uuid.uuid4().hex[:8]}"
    ensure_workspace(admin, ws, "quota")
    settings = admin.workspaces.update(ws, quota_files=1)
    assert settings["quota_files"] == 1 and settings["quota_bytes"] is None
    put(admin, ws, tmp_path, "q/one.txt", b"one")
    with pytest.raises(ApiError) as refused:
        put(admin, ws, tmp_path, "q/two.txt", b"two")
    assert refused.value.code == "quota_exceeded"
    assert refused.value.status == 403
    assert admin.workspaces.update(ws, quota_files=None)["quota_files"] is None
    put(admin, ws, tmp_path, "q/two.txt", b"two")
