"""The audit trail and revoking a file's links, through the Python client against the live server."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from conftest import Server
from granary import ApiError, Client


def test_audit_records_who_deleted_what(
    admin: Client, client: Client, workspace: str, prefix: str, tmp_path: Path
) -> None:
    src = tmp_path / "gone.txt"
    src.write_bytes(b"bye")
    uploaded = client.files.upload(src, workspace_id=workspace, path=prefix)
    client.files.delete(uploaded["key"], workspace_id=workspace)
    page = admin.audit(workspace_id=workspace, action=["file.upload", "file.delete"], key_prefix=prefix)
    actions = [(e["action"], e["key"], e["outcome"]) for e in page["events"]]
    assert actions == [("file.delete", uploaded["key"], "ok"), ("file.upload", uploaded["key"], "ok")]
    assert {e["actor_key_name"] for e in page["events"]} == {"pytest files key"}
    oldest_first = admin.audit(workspace_id=workspace, key_prefix=prefix, order="asc", limit=1)
    assert oldest_first["events"][0]["action"] == "file.upload" and oldest_first["next_cursor"]
    with pytest.raises(ApiError) as ei:
        client.audit(workspace_id=workspace)
    assert (ei.value.status, ei.value.code) == (403, "insufficient_scope")


def test_revoke_links_stops_a_link(admin: Client, server: Server, workspace: str, prefix: str, tmp_path: Path) -> None:
    src = tmp_path / "leaked.txt"
    src.write_bytes(b"leak")
    uploaded = admin.files.upload(src, workspace_id=workspace, path=prefix)
    url = admin.files.download_url(uploaded["key"], workspace_id=workspace)["url"]
    assert requests.get(url, timeout=10).content == b"leak"
    revoked = admin.revoke_links(workspace, uploaded["key"])
    assert (revoked["workspace_id"], revoked["key"]) == (workspace, uploaded["key"])
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "link_revoked"
    fresh = admin.files.download_url(uploaded["key"], workspace_id=workspace)["url"]
    assert requests.get(fresh, timeout=10).content == b"leak"
