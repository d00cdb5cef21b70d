"""The audit trail (``client.audit``) and revoking a file's links (``client.revoke_links``)."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, TypedDict, Union, cast

from .models import json_object

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

__all__ = ["AuditEvent", "AuditPage", "RevokedLinks", "read_audit", "revoke_links"]


class AuditEvent(TypedDict):
    """One audit event. ``key`` is the file key, or the API key id for ``key.*`` actions."""

    id: str
    seq: int
    at: str
    actor_key_id: Optional[str]
    actor_key_name: Optional[str]
    action: str
    workspace_id: Optional[str]
    key: Optional[str]
    version_id: Optional[str]
    size: Optional[int]
    ip: Optional[str]
    request_id: Optional[str]
    outcome: str


class AuditPage(TypedDict):
    events: List[AuditEvent]
    next_cursor: Optional[str]


class RevokedLinks(TypedDict):
    workspace_id: str
    key: str
    revoked_at: str


def _iso(value: Union[str, _dt.datetime, None]) -> Optional[str]:
    return value.isoformat() if isinstance(value, _dt.datetime) else value


def read_audit(
    client: Client,
    *,
    workspace_id: Optional[str] = None,
    since: Union[str, _dt.datetime, None] = None,
    until: Union[str, _dt.datetime, None] = None,
    action: Union[str, Sequence[str], None] = None,
    key_prefix: Optional[str] = None,
    actor_key_id: Optional[str] = None,
    limit: Optional[int] = None,
    cursor: Optional[str] = None,
    order: Optional[str] = None,
) -> AuditPage:
    params: Dict[str, Any] = {
        "workspace_id": workspace_id,
        "since": _iso(since),
        "until": _iso(until),
        "action": action if action is None or isinstance(action, str) else ",".join(action),
        "key_prefix": key_prefix,
        "actor_key_id": actor_key_id,
        "limit": limit,
        "cursor": cursor,
        "order": order,
    }
    present = {name: value for name, value in params.items() if value is not None}
    return cast(AuditPage, json_object(client.request_json("GET", "/v1/audit", params=present)))


def revoke_links(client: Client, workspace_id: str, key: str) -> RevokedLinks:
    payload = {"workspace_id": workspace_id, "key": key}
    body = client.request_json("POST", "/v1/files/revoke-links", json=payload)
    return cast(RevokedLinks, json_object(body))
