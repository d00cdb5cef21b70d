"""``client.trash``: deleted files, until they are purged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, cast

from .models import FileInfo, FolderResult, TrashItem, TrashList, json_object

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

__all__ = ["Trash"]


class Trash:
    """The trash of a workspace, reached as ``client.trash``. Every call needs ``workspace_id``.

    Example::

        for item in client.trash.list(workspace_id="ws_abc123", prefix="raw/"):
            print(item["trash_id"], item["key"], "purged after", item["purge_at"])
        client.trash.restore(item["trash_id"], workspace_id="ws_abc123")
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def list(
        self,
        *,
        workspace_id: str,
        prefix: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> TrashList:
        """One page of deleted files (a ``list`` of dicts with ``.next_cursor``)."""
        params = {"workspace_id": workspace_id, "prefix": prefix, "limit": limit, "cursor": cursor}
        body = json_object(self._client.request_json("GET", "/v1/trash", params=params))
        return TrashList(body.get("files") or [], next_cursor=body.get("next_cursor"))

    def list_all(self, *, workspace_id: str, prefix: Optional[str] = None) -> Iterator[TrashItem]:
        """Iterate over every item in the trash (under ``prefix``), a page at a time."""
        cursor: Optional[str] = None
        while True:
            page = self.list(workspace_id=workspace_id, prefix=prefix, cursor=cursor)
            yield from page
            cursor = page.next_cursor
            if not cursor:
                return

    def restore(
        self,
        trash_id: str,
        *,
        workspace_id: str,
        to: Optional[str] = None,
        overwrite: bool = False,
    ) -> FileInfo:
        """Put an item back at its key, with its id and versions.

        ``ApiError`` ``409 file_exists`` if a file is there now, unless ``to`` names another key
        or ``overwrite=True`` (the file there then goes to the trash).

        Example::

            f = client.trash.restore("tr_123", workspace_id="ws_abc123", to="raw/sample.old.vcf")
        """
        payload: Dict[str, Any] = {"workspace_id": workspace_id, "trash_id": trash_id}
        if to is not None:
            payload["to"] = to
        if overwrite:
            payload["overwrite"] = True
        return cast(FileInfo, json_object(self._client.request_json("POST", "/v1/trash/restore", json=payload)))

    def restore_group(self, group_id: str, *, workspace_id: str, overwrite: bool = False) -> List[FileInfo]:
        """Restore every file deleted together (by one ``files.delete(prefix, recursive=True)``);
        ``group_id`` comes from :meth:`list`. Same rules as :meth:`restore`, without ``to``.

        Example::

            item = client.trash.list(workspace_id="ws_abc123", prefix="scratch/")[0]
            files = client.trash.restore_group(item["group_id"], workspace_id="ws_abc123")
        """
        payload: Dict[str, Any] = {"workspace_id": workspace_id, "group_id": group_id}
        if overwrite:
            payload["overwrite"] = True
        body = json_object(self._client.request_json("POST", "/v1/trash/restore-group", json=payload))
        return cast(List[FileInfo], list(body.get("files") or []))

    def purge(self, trash_id: str, *, workspace_id: str) -> FolderResult:
        """Delete one item for good (its bytes are freed once nothing refers to them);
        returns ``{"purged": 1}``."""
        params = {"workspace_id": workspace_id, "trash_id": trash_id}
        return json_object(self._client.request_json("DELETE", "/v1/trash", params=params))

    def purge_all(self, *, workspace_id: str) -> FolderResult:
        """Empty the workspace's trash (needs an ``admin`` key); returns ``{"purged": n}``."""
        params = {"workspace_id": workspace_id, "all": True}
        return json_object(self._client.request_json("DELETE", "/v1/trash", params=params))
