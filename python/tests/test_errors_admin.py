"""Error mapping and the admin helpers against the live server."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Dict

import pytest

from conftest import Server, ensure_workspace, free_port, start_server
from granary import ERROR_CODES, ApiError, Client, NetworkError


def assert_api_error(e: ApiError, status: int, code: str) -> None:
    assert (e.status, e.code) == (status, code), str(e)
    assert code in ERROR_CODES
    assert isinstance(e.message, str) and e.message
    assert e.request_id, "every error carries a request id (body or x-request-id)"


def test_file_not_found(client: Client, workspace: str, prefix: str) -> None:
    with pytest.raises(ApiError) as ei:
        client.files.delete(prefix + "nope.vcf", workspace_id=workspace)
    assert_api_error(ei.value, 404, "file_not_found")
    with pytest.raises(ApiError) as ei:
        client.files.download_url(prefix + "nope.vcf", workspace_id=workspace)
    assert_api_error(ei.value, 404, "file_not_found")


@pytest.mark.parametrize("api_key", ["not-a-real-key-" + "x" * 30, None], ids=["wrong", "missing"])
def test_unauthenticated(server: Server, workspace: str, api_key: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRANARY_API_KEY", raising=False)
    c = Client(api_key=api_key, base_url=server.base_url)
    with pytest.raises(ApiError) as ei:
        c.files.list(workspace_id=workspace)
    assert_api_error(ei.value, 401, "unauthenticated")


def test_ungranted_workspace_looks_missing(admin: Client, client: Client, tmp_path: Path) -> None:
    ensure_workspace(admin, "ws_other", "Other lab")
    src = tmp_path / "s.txt"
    src.write_bytes(b"secret")
    admin.files.upload(src, workspace_id="ws_other", path="private/")
    errors: Dict[str, ApiError] = {}
    for ws in ("ws_other", "ws_does_not_exist"):
        with pytest.raises(ApiError) as ei:
            client.files.list(workspace_id=ws)
        assert_api_error(ei.value, 404, "workspace_not_found")
        errors[ws] = ei.value
        with pytest.raises(ApiError) as ei:
            client.files.download_url("private/s.txt", workspace_id=ws)
        assert_api_error(ei.value, 404, "workspace_not_found")
        with pytest.raises(ApiError) as ei:
            client.files.upload(src, workspace_id=ws)
        assert_api_error(ei.value, 404, "workspace_not_found")
    assert errors["ws_other"].message.replace("ws_other", "X") == errors["ws_does_not_exist"].message.replace(
        "ws_does_not_exist", "X"
    )


def test_insufficient_scope(admin: Client, server: Server, workspace: str, prefix: str) -> None:
    key = admin.keys.create("read only", scopes=["files:read"], workspace_ids=[workspace])
    ro = Client(api_key=key["secret"], base_url=server.base_url)
    assert isinstance(ro.files.list(workspace_id=workspace), list)
    with pytest.raises(ApiError) as ei:
        ro.files.delete(prefix + "x", workspace_id=workspace)
    assert_api_error(ei.value, 403, "insufficient_scope")
    with pytest.raises(ApiError) as ei:
        ro.workspaces.list()
    assert_api_error(ei.value, 403, "insufficient_scope")


def test_network_error_on_closed_port(workspace: str) -> None:
    c = Client(api_key="k", base_url=f"http://127.0.0.1:{free_port()}", timeout=5)
    with pytest.raises(NetworkError) as ei:
        c.files.list(workspace_id=workspace)
    assert not isinstance(ei.value, ApiError)
    assert isinstance(ei.value.__cause__, Exception)


def test_invalid_request(client: Client, workspace: str) -> None:
    with pytest.raises(ApiError) as ei:
        client.files.list(workspace_id=workspace, limit=100000)
    assert ei.value.status == 400 and ei.value.code == "invalid_request", str(ei.value)
    with pytest.raises(ApiError) as ei:
        client.files.download_url("../etc/passwd", workspace_id=workspace)
    assert ei.value.status == 400 and ei.value.code in ("invalid_key", "invalid_request"), str(ei.value)


# ---------------------------------------------------------------------- admin


def test_workspaces(admin: Client, workspace: str) -> None:
    ws = admin.workspaces.create("Created by pytest")
    assert set(ws) >= {"id", "name", "created_at"} and ws["name"] == "Created by pytest"
    ids = [w["id"] for w in admin.workspaces.list()]
    assert ws["id"] in ids and workspace in ids
    with pytest.raises(ApiError) as ei:
        admin.workspaces.create("again", id=workspace)
    assert_api_error(ei.value, 409, "workspace_exists")


def test_keys_create_list_revoke(admin: Client, server: Server, workspace: str) -> None:
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    key = admin.keys.create("temp", scopes=["files"], workspace_ids=[workspace], expires_at=later)
    assert key["secret"] and key["id"] and key["scopes"] == ["files"] and key["workspace_ids"] == [workspace]
    assert key["expires_at"]
    listed = {k["id"]: k for k in admin.keys.list()}
    assert key["id"] in listed
    assert all("secret" not in k for k in listed.values())
    temp = Client(api_key=key["secret"], base_url=server.base_url)
    assert isinstance(temp.files.list(workspace_id=workspace), list)
    admin.keys.revoke(key["id"])
    with pytest.raises(ApiError) as ei:
        temp.files.list(workspace_id=workspace)
    assert_api_error(ei.value, 401, "unauthenticated")
    with pytest.raises(ApiError) as ei:
        admin.keys.revoke("key_does_not_exist")
    assert_api_error(ei.value, 404, "api_key_not_found")


def test_expired_key_is_unauthenticated(admin: Client, server: Server, workspace: str) -> None:
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    try:
        key = admin.keys.create("expired", scopes=["files"], workspace_ids=[workspace], expires_at=past)
    except ApiError as e:  # refusing an expiry in the past is also fine
        assert e.status == 400
        return
    with pytest.raises(ApiError) as ei:
        Client(api_key=key["secret"], base_url=server.base_url).files.list(workspace_id=workspace)
    assert_api_error(ei.value, 401, "unauthenticated")


def test_files_key_cannot_admin(client: Client) -> None:
    with pytest.raises(ApiError) as ei:
        client.keys.create("x", scopes=["admin"])
    assert_api_error(ei.value, 403, "insufficient_scope")


def test_upload_too_large_on_a_small_limit_server(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    """``413 upload_too_large`` depends on the server's GRANARY_MAX_UPLOAD_BYTES, so this test
    starts its own server with a 1 MB limit (skipped against an external GRANARY_TEST_URL)."""
    if os.environ.get("GRANARY_TEST_URL"):
        pytest.skip("needs to configure its own server")
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(3_000_000))
    with start_server(tmp_path_factory.mktemp("small-limit"), {"GRANARY_MAX_UPLOAD_BYTES": "1000000"}) as srv:
        admin = Client(api_key=srv.admin_key, base_url=srv.base_url)
        ensure_workspace(admin, "ws_abc123", "small")
        with pytest.raises(ApiError) as ei:
            admin.files.upload(src, workspace_id="ws_abc123", path="raw/")
        assert_api_error(ei.value, 413, "upload_too_large")
        assert admin.files.list(workspace_id="ws_abc123") == []
        # upload_file above the threshold takes the large-file flow, which has no such limit.
        info = admin.files.upload_file(src, workspace_id="ws_abc123", path="raw/", large_threshold=1_000_000)
        assert info["size"] == 3_000_000
