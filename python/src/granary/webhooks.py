"""``client.webhooks``: notifications of a workspace's changes (needs a key with the ``admin`` scope)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, TypedDict, cast
from urllib.parse import quote

from .models import json_object

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

__all__ = ["Webhooks", "WebhookInfo", "CreatedWebhook", "WebhookDelivery", "WEBHOOK_EVENTS"]

#: The events a webhook can subscribe to.
WEBHOOK_EVENTS = ("file.created", "file.replaced", "file.deleted", "file.restored", "upload.failed")


class WebhookInfo(TypedDict):
    id: str
    workspace_id: str
    url: str
    events: List[str]
    created_at: str


class CreatedWebhook(WebhookInfo):
    #: The Standard Webhooks signing secret (``whsec_...``), shown only in this answer.
    secret: str


class WebhookDelivery(TypedDict):
    """One event for one webhook; ``id`` is the ``webhook-id`` header, the same on every retry."""

    id: str
    webhook_id: str
    event_id: str
    event: str
    status: str
    attempts: int
    next_attempt_at: Optional[str]
    last_attempt_at: Optional[str]
    last_status: Optional[int]
    last_error: Optional[str]
    created_at: str
    delivered_at: Optional[str]


class Webhooks:
    """Webhooks, reached as ``client.webhooks``.

    Example::

        hook = admin.webhooks.create("ws_abc123", "https://ci.example.org/granary", ["file.created"])
        print(hook["secret"])   # whsec_...: the receiver verifies webhook-signature with it
        for d in admin.webhooks.deliveries(hook["id"], status="failed"):
            admin.webhooks.retry(hook["id"], d["id"])
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(self, workspace_id: str, url: str, events: Sequence[str]) -> CreatedWebhook:
        """Register a webhook; the answer carries its signing ``secret``, shown this once.

        A URL that resolves to a loopback, private or link-local address raises ``ApiError``
        ``400 webhook_url_refused`` (unless the server allows private targets).
        """
        payload = {"workspace_id": workspace_id, "url": url, "events": list(events)}
        body = self._client.request_json("POST", "/v1/webhooks", json=payload)
        return cast(CreatedWebhook, json_object(body))

    def list(self, workspace_id: Optional[str] = None) -> List[WebhookInfo]:
        """Every webhook, or one workspace's (never the secrets)."""
        params = {"workspace_id": workspace_id} if workspace_id is not None else None
        body = json_object(self._client.request_json("GET", "/v1/webhooks", params=params))
        return cast(List[WebhookInfo], list(body.get("webhooks") or []))

    def delete(self, id: str) -> None:
        """Delete a webhook and its deliveries (``404 webhook_not_found`` if there is none)."""
        self._client.request_json("DELETE", f"/v1/webhooks/{quote(id, safe='')}")

    def deliveries(self, id: str, status: Optional[str] = None, limit: Optional[int] = None) -> List[WebhookDelivery]:
        """A webhook's deliveries, newest first; ``status`` is pending, delivered or failed."""
        params: Dict[str, Any] = {}
        if status is not None:
            params["status"] = status
        if limit is not None:
            params["limit"] = limit
        path = f"/v1/webhooks/{quote(id, safe='')}/deliveries"
        body = json_object(self._client.request_json("GET", path, params=params or None))
        return cast(List[WebhookDelivery], list(body.get("deliveries") or []))

    def retry(self, id: str, delivery_id: str) -> WebhookDelivery:
        """Send a delivery again as soon as a worker runs (also one that failed)."""
        path = f"/v1/webhooks/{quote(id, safe='')}/deliveries/{quote(delivery_id, safe='')}/retry"
        return cast(WebhookDelivery, json_object(self._client.request_json("POST", path)))
