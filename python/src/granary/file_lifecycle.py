"""The data-lifecycle calls on files: versions, restore, move, copy and folder delete.

:class:`granary.files.Files` inherits them, so they are reached as ``client.files.versions(...)``
and so on; they live here to keep ``files.py`` about the seed's calls. A folder operation the
server runs as a background job (``202 {"job_id"}``) is waited for here, so callers get the
same answer either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union, cast

from .jobs import JobProgress
from .models import FileInfo, FileVersion, FolderResult, json_object

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

__all__ = ["FileLifecycle"]


class FileLifecycle:
    """History and key changes of files (the base of ``client.files``)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def versions(self, key: str, *, workspace_id: str) -> List[FileVersion]:
        """The file's versions, newest first; ``is_current`` marks the one downloads serve.

        Example::

            for v in client.files.versions("raw/sample.vcf", workspace_id="ws_abc123"):
                print(v["version_id"], v["size"], v["created_at"], "*" if v["is_current"] else "")
        """
        params = {"workspace_id": workspace_id, "key": key}
        body = json_object(self._client.request_json("GET", "/v1/files/versions", params=params))
        return cast(List[FileVersion], list(body.get("versions") or []))

    def restore(self, key: str, *, workspace_id: str, version_id: str) -> FileInfo:
        """Make an older version's content current again (as a new version); returns the file.

        Example::

            old = client.files.versions("raw/sample.vcf", workspace_id="ws_abc123")[1]
            client.files.restore("raw/sample.vcf", workspace_id="ws_abc123", version_id=old["version_id"])
        """
        payload = {"workspace_id": workspace_id, "key": key, "version_id": version_id}
        return cast(FileInfo, json_object(self._client.request_json("POST", "/v1/files/restore", json=payload)))

    def delete_version(self, key: str, *, workspace_id: str, version_id: str) -> None:
        """Remove one older version for good (needs ``files:delete``).

        Example::

            client.files.delete_version("raw/sample.vcf", workspace_id="ws_abc123", version_id="ver_1")
        """
        params = {"workspace_id": workspace_id, "key": key, "version_id": version_id}
        self._client.request("DELETE", "/v1/files/versions", params=params).close()

    def move(
        self,
        source: str,
        target: str,
        *,
        workspace_id: str,
        overwrite: bool = False,
        on_job_progress: Optional[JobProgress] = None,
    ) -> Union[FileInfo, FolderResult]:
        """Move or rename a file (metadata only: its ``id`` and versions go with it), or a whole
        folder when both keys end in ``/``. ``409 file_exists`` if the target exists, unless
        ``overwrite``. A folder the server moves as a background job is waited for.

        Returns:
            The moved file, or for a folder the server's count.

        Example::

            f = client.files.move("raw/s1.vcf", "final/sample.vcf", workspace_id="ws_abc123")
            client.files.move("raw/", "archive/raw/", workspace_id="ws_abc123")
        """
        return self._relocate("move", source, target, workspace_id, overwrite, on_job_progress)

    def copy(
        self,
        source: str,
        target: str,
        *,
        workspace_id: str,
        overwrite: bool = False,
        on_job_progress: Optional[JobProgress] = None,
    ) -> Union[FileInfo, FolderResult]:
        """Copy a file (or a folder, keys ending in ``/``): the copy shares the bytes (none is
        copied) and gets a new ``id``. Same rules as :meth:`move`.

        Example::

            backup = client.files.copy("raw/s1.vcf", "backup/s1.vcf", workspace_id="ws_abc123")
        """
        return self._relocate("copy", source, target, workspace_id, overwrite, on_job_progress)

    def _relocate(
        self,
        operation: str,
        source: str,
        target: str,
        workspace_id: str,
        overwrite: bool,
        on_job_progress: Optional[JobProgress],
    ) -> Union[FileInfo, FolderResult]:
        payload = {"workspace_id": workspace_id, "from": source, "to": target, "overwrite": overwrite}
        answer = self._answer_or_job("POST", f"/v1/files/{operation}", {"json": payload}, on_job_progress)
        return cast(Union[FileInfo, FolderResult], answer)

    def _delete_folder(self, prefix: str, *, workspace_id: str) -> FolderResult:
        params = {"workspace_id": workspace_id, "prefix": prefix, "recursive": "true"}
        return self._answer_or_job("DELETE", "/v1/files", {"params": params}, None)

    def _answer_or_job(
        self, method: str, path: str, request: Dict[str, Any], on_progress: Optional[JobProgress]
    ) -> Dict[str, Any]:
        """The JSON answer, or for ``202 {"job_id"}`` what the finished job reports."""
        resp = self._client.request(method, path, **request)
        try:
            body = json_object(resp.json() if resp.content else None)
        finally:
            resp.close()
        job_id = body.get("job_id")
        if resp.status_code != 202 or not isinstance(job_id, str):
            return body
        job = self._client.jobs.wait(job_id, on_progress=on_progress)
        # What the same operation answers inline: {"moved": n} or {"copied": n}.
        return {"copied" if job.get("kind") == "copy" else "moved": job.get("done", 0)}
