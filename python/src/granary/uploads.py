"""``client.files.uploads``: list, inspect, abort upload sessions and sign their part URLs.

A multipart session cuts a file into numbered parts of ``part_size`` bytes (the last one
shorter). :meth:`granary.files.Files.upload_file` drives sessions for you (the engine is in
``multipart.py``, the resume state in ``resume_state.py``); these calls are the API underneath.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, cast
from urllib.parse import quote

from .models import SignedPart, UploadInfo, json_object

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

__all__ = ["Uploads", "UploadInfo", "SIGN_BATCH_MAX"]

#: The server signs at most this many part URLs per call.
SIGN_BATCH_MAX = 1000


def _seg(value: str) -> str:
    return quote(value, safe="")


class Uploads:
    """Upload sessions, reached as ``client.files.uploads``.

    Example::

        for up in client.files.uploads.list(workspace_id="ws_abc123"):
            print(up["upload_id"], up["file_key"], up["status"], up["size"])
            client.files.uploads.abort(up["upload_id"], workspace_id="ws_abc123")
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def list(self, *, workspace_id: str) -> List[UploadInfo]:
        """The workspace's open uploads (multipart sessions and pending single PUTs), newest first.

        Each is a dict like :meth:`get`'s answer, without ``parts``.

        Example::

            open_uploads = client.files.uploads.list(workspace_id="ws_abc123")
            print(sum(u["size"] for u in open_uploads), "bytes in flight")
        """
        body = self._client.request_json("GET", "/v1/files/uploads", params={"workspace_id": workspace_id})
        return cast(List[UploadInfo], list(json_object(body).get("uploads") or []))

    def get(self, upload_id: str, *, workspace_id: str) -> UploadInfo:
        """One session: its ``status``, layout and the ``parts`` the store already holds.

        ``ApiError`` ``404 upload_not_found`` when there is no such upload.

        Example::

            up = client.files.uploads.get("up_...", workspace_id="ws_abc123")
            have = {p["part_number"] for p in up["parts"]}
            missing = [n for n in range(1, up["part_count"] + 1) if n not in have]
        """
        body = self._client.request_json(
            "GET", f"/v1/files/uploads/{_seg(upload_id)}", params={"workspace_id": workspace_id}
        )
        return cast(UploadInfo, json_object(body))

    def abort(self, upload_id: str, *, workspace_id: str) -> None:
        """Abort a session and drop the parts already sent.

        Example::

            client.files.uploads.abort("up_...", workspace_id="ws_abc123")
        """
        self._client.request(
            "DELETE", f"/v1/files/uploads/{_seg(upload_id)}", params={"workspace_id": workspace_id}
        ).close()

    def sign_parts(
        self,
        upload_id: str,
        *,
        workspace_id: str,
        part_numbers: Iterable[int],
        expires_in: Optional[int] = None,
    ) -> List[SignedPart]:
        """Sign PUT URLs for parts (1-based), in batches of at most 1000 per request.

        Returns ``[{"part_number", "size", "url", "headers", "expires_at"}]`` with absolute URLs.
        ``PUT`` exactly that part's bytes to ``url`` with exactly ``headers`` and no API key.

        Example::

            (p,) = client.files.uploads.sign_parts("up_...", workspace_id="ws_abc123",
                                                   part_numbers=[1])
            with open("big.bam", "rb") as f:
                requests.put(p["url"], data=f.read(p["size"]), headers=p["headers"])
        """
        numbers = [int(n) for n in part_numbers]
        out: List[SignedPart] = []
        for i in range(0, len(numbers), SIGN_BATCH_MAX):
            out.extend(self._sign_batch(upload_id, workspace_id, numbers[i : i + SIGN_BATCH_MAX], expires_in))
        return out

    def _sign_batch(
        self, upload_id: str, workspace_id: str, numbers: List[int], expires_in: Optional[int]
    ) -> List[SignedPart]:
        payload: Dict[str, Any] = {"workspace_id": workspace_id, "part_numbers": numbers}
        if expires_in is not None:
            payload["expires_in"] = expires_in
        body = self._client.request_json("POST", f"/v1/files/uploads/{_seg(upload_id)}/parts", json=payload)
        parts = cast(List[SignedPart], [dict(p) for p in json_object(body).get("parts") or []])
        for part in parts:
            part["url"] = self._client.resolve(part["url"])
        return parts


#: Polls of a verifying upload: the first after this many seconds, then 1.5x longer, up to the cap.
_FIRST_POLL_S = 0.2
_MAX_POLL_S = 5.0


def wait_until_verified(uploads: Uploads, upload_id: str, workspace_id: str) -> None:
    """Polls the upload with backoff until the server is no longer verifying its bytes."""
    delay = _FIRST_POLL_S
    while True:
        time.sleep(delay)
        if uploads.get(upload_id, workspace_id=workspace_id)["status"] != "verifying":
            return
        delay = min(_MAX_POLL_S, delay * 1.5)
