"""``client.files``: the seed's Files API (list, upload, download, delete, large uploads)."""

from __future__ import annotations

import mimetypes
import os
import secrets
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterator,
    List,
    Optional,
    Union,
)

from ._streams import FileReader, MultipartBody, ProgressCallback, file_size

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

__all__ = ["Files", "FileList", "FileInfo", "MiB", "LARGE_THRESHOLD_DEFAULT"]

#: A file's metadata as the server returns it: ``id``, ``workspace_id``, ``key``, ``name``,
#: ``size``, ``content_type``, ``description``, ``sha256``, ``created_at``, ``updated_at``.
FileInfo = Dict[str, Any]
PathLike = Union[str, "os.PathLike[str]"]

MiB = 1024 * 1024
#: Files larger than this go through the large-file flow in :meth:`Files.upload_file`.
LARGE_THRESHOLD_DEFAULT = 100 * MiB
_CHUNK = 1 * MiB


class FileList(List[FileInfo]):
    """One page of files: a plain ``list`` of file dicts, plus the page's extras.

    Attributes:
        next_cursor: pass as ``cursor=`` to get the next page; ``None`` on the last page.
        folders: with ``delimiter="/"``, the sub-folders (e.g. ``["raw/"]``); else ``[]``.

    Example::

        page = client.files.list(workspace_id="ws_abc123", prefix="results/", limit=50)
        for f in page:
            print(f["key"])
        if page.next_cursor:
            more = client.files.list(workspace_id="ws_abc123", cursor=page.next_cursor)
    """

    def __init__(
        self,
        files: Any = (),
        next_cursor: Optional[str] = None,
        folders: Optional[List[str]] = None,
    ) -> None:
        super().__init__(files)
        self.next_cursor = next_cursor
        self.folders: List[str] = list(folders or [])

    def __repr__(self) -> str:
        return (
            f"FileList({list.__repr__(self)}, next_cursor={self.next_cursor!r}, "
            f"folders={self.folders!r})"
        )


def _folder(path: Optional[str]) -> Optional[str]:
    """``"raw"`` -> ``"raw/"``: ``path`` is a folder, the key is ``path`` + file name."""
    if not path:
        return None
    return path if path.endswith("/") else path + "/"


class Files:
    """File operations, reached as ``client.files``. Every call needs ``workspace_id``."""

    def __init__(self, client: "Client") -> None:
        self._client = client

    # ------------------------------------------------------------------ listing

    def list(
        self,
        *,
        workspace_id: str,
        prefix: Optional[str] = None,
        limit: int = 100,
        cursor: Optional[str] = None,
        delimiter: Optional[str] = None,
    ) -> FileList:
        """List one page of files (metadata only), sorted by key.

        Args:
            workspace_id: the workspace to list.
            prefix: only keys starting with this, e.g. ``"results/"``.
            limit: page size, 1..1000 (default 100).
            cursor: the previous page's ``next_cursor``.
            delimiter: ``"/"`` for a folder view: sub-folders go to ``.folders``.

        Returns:
            A :class:`FileList` (a ``list`` of file dicts with ``.next_cursor`` and ``.folders``).

        Example::

            files = client.files.list(workspace_id="ws_abc123")
            for f in files:
                print(f"{f['name']} — {f['size'] / 1024:.1f} KB  key={f['key']}")
        """
        body = self._client.request_json(
            "GET",
            "/v1/files",
            params={
                "workspace_id": workspace_id,
                "prefix": prefix,
                "limit": limit,
                "cursor": cursor,
                "delimiter": delimiter,
            },
        )
        return FileList(
            body.get("files") or [],
            next_cursor=body.get("next_cursor"),
            folders=body.get("folders"),
        )

    def list_all(
        self,
        *,
        workspace_id: str,
        prefix: Optional[str] = None,
        page_size: int = 1000,
    ) -> Iterator[FileInfo]:
        """Iterate over every file (under ``prefix``), fetching pages lazily as you go.

        Example::

            total = sum(f["size"] for f in client.files.list_all(workspace_id="ws_abc123"))
        """
        cursor: Optional[str] = None
        while True:
            page = self.list(
                workspace_id=workspace_id, prefix=prefix, limit=page_size, cursor=cursor
            )
            yield from page
            cursor = page.next_cursor
            if not cursor:
                return

    # ------------------------------------------------------------------ form upload

    def upload(
        self,
        local_path: PathLike,
        *,
        workspace_id: str,
        path: Optional[str] = None,
        description: Optional[str] = None,
        overwrite: bool = True,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> FileInfo:
        """Upload a file with ``multipart/form-data`` (up to the server's limit, 500 MB by default).

        The file is streamed from disk, never read whole; the request has an exact
        ``Content-Length``. The key is ``path`` + the file name (``path`` gets a trailing ``/``
        if it has none).

        Args:
            local_path: the file to send.
            workspace_id: destination workspace.
            path: folder inside the workspace, e.g. ``"raw/"``.
            description: optional free text stored with the file.
            overwrite: ``False`` = create only: ``ApiError`` ``409 file_exists`` if the key exists.
            filename: name to store instead of the local file's name.
            content_type: defaults to a guess from the name, else ``application/octet-stream``.
            progress: called with the number of new file bytes sent (``tqdm``'s ``update``).

        Returns:
            The new file's metadata (``key``, ``size``, ``sha256``, ...).

        Example::

            result = client.files.upload("sample.vcf", workspace_id="ws_abc123", path="raw/")
            file_key = result["key"]   # "raw/sample.vcf"
        """
        name = filename or os.path.basename(os.fspath(local_path))
        ctype = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        fields = [("workspace_id", workspace_id)]
        folder = _folder(path)
        if folder is not None:
            fields.append(("path", folder))
        if description is not None:
            fields.append(("description", description))
        fields.append(("overwrite", "true" if overwrite else "false"))
        with open(local_path, "rb") as fh:
            body = MultipartBody(fields, "file", name, fh, file_size(fh), ctype, progress)
            resp = self._client.request(
                "POST", "/v1/files/upload", data=body, headers={"Content-Type": body.content_type}
            )
        info: FileInfo = resp.json()
        return info

    # ------------------------------------------------------------------ download

    def download_url(
        self,
        key: str,
        *,
        workspace_id: str,
        expires_in: Optional[int] = None,
        disposition: Optional[str] = None,
    ) -> Dict[str, str]:
        """Get a signed URL for a file's bytes: ``{"url": ..., "expires_at": ...}``.

        Anyone holding the URL can fetch the file until it expires (default 3600 s, max 604800),
        without an API key; it honours ``Range``.

        Args:
            key: the file's key, e.g. ``"raw/sample.vcf"``.
            workspace_id: the file's workspace.
            expires_in: validity in seconds.
            disposition: ``"attachment"`` (default) or ``"inline"``.

        Example::

            link = client.files.download_url("raw/sample.vcf", workspace_id="ws_abc123",
                                             expires_in=3600)
            print(link["url"], "valid until", link["expires_at"])
        """
        out: Dict[str, str] = self._client.request_json(
            "GET",
            "/v1/files/download",
            params={
                "workspace_id": workspace_id,
                "key": key,
                "expires_in": expires_in,
                "disposition": disposition,
            },
        )
        out["url"] = self._client.resolve(out["url"])
        return out

    def download(
        self,
        key: str,
        *,
        workspace_id: str,
        dest: PathLike = ".",
        progress: Optional[ProgressCallback] = None,
    ) -> str:
        """Download a file to disk, streaming, and return the local path.

        ``dest`` is a folder (an existing directory, or any path ending in ``/``, created if
        missing) — the file lands in ``dest/<name>`` — or a file path. Bytes go to a hidden temp
        file in the same folder, renamed into place only once complete: on any failure no file is
        left under the final name (an existing one is untouched).

        Example::

            local_path = client.files.download("raw/sample.vcf", workspace_id="ws_abc123",
                                               dest="./output/")
            print(f"Saved to {local_path}")     # ./output/sample.vcf
        """
        link = self.download_url(key, workspace_id=workspace_id)
        name = key.rstrip("/").rsplit("/", 1)[-1]
        dest_s = os.fspath(dest)
        seps = (os.sep, os.altsep) if os.altsep else (os.sep,)
        if dest_s.endswith(seps) or dest_s.endswith("/") or os.path.isdir(dest_s):
            folder = dest_s
            final = os.path.join(dest_s, name)
        else:
            folder = os.path.dirname(dest_s) or "."
            final = dest_s
        os.makedirs(folder, exist_ok=True)

        resp = self._client.send("GET", link["url"], stream=True)
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.part")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            with os.fdopen(fd, "wb") as out:
                for chunk in _iter_body(resp, link["url"]):
                    out.write(chunk)
                    if progress is not None:
                        progress(len(chunk))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, final)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        finally:
            resp.close()
        return final

    # ------------------------------------------------------------------ delete

    def delete(self, key: str, *, workspace_id: str) -> None:
        """Delete a file. ``ApiError`` ``404 file_not_found`` if there is none under ``key``.

        Example::

            client.files.delete("raw/sample.vcf", workspace_id="ws_abc123")
        """
        self._client.request(
            "DELETE", "/v1/files", params={"workspace_id": workspace_id, "key": key}
        ).close()

    # ------------------------------------------------------------------ large-file flow

    def upload_large(
        self,
        *,
        filename: str,
        workspace_id: str,
        size: int,
        content_type: Optional[str] = None,
        path: Optional[str] = None,
        sha256: Optional[str] = None,
        description: Optional[str] = None,
        overwrite: Optional[bool] = None,
        expires_in: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Step 1 of the large-file flow: get a URL to ``PUT`` the bytes to.

        Returns ``{"uploadUrl", "fileKey", "uploadId", "expiresAt", "method", "headers"}``. Then
        ``PUT`` exactly ``size`` bytes to ``uploadUrl`` with exactly ``headers`` (no API key), and
        call :meth:`upload_confirm`. :meth:`upload_file` does all three steps.

        Example::

            info = client.files.upload_large(filename="large_genome.bam", workspace_id="ws_abc123",
                                             content_type="application/octet-stream",
                                             size=os.path.getsize("large_genome.bam"), path="bam/")
            with open("large_genome.bam", "rb") as f:
                requests.put(info["uploadUrl"], data=f, headers=info["headers"])
        """
        payload: Dict[str, Any] = {"filename": filename, "workspace_id": workspace_id, "size": size}
        optional = {
            "content_type": content_type,
            "path": _folder(path),
            "sha256": sha256,
            "description": description,
            "overwrite": overwrite,
            "expires_in": expires_in,
        }
        payload.update({k: v for k, v in optional.items() if v is not None})
        info: Dict[str, Any] = self._client.request_json("POST", "/v1/files/upload-url", json=payload)
        if isinstance(info.get("uploadUrl"), str):
            info["uploadUrl"] = self._client.resolve(info["uploadUrl"])
        return info

    def upload_confirm(
        self,
        *,
        file_key: str,
        workspace_id: str,
        size: int,
        filename: Optional[str] = None,
        upload_id: Optional[str] = None,
        sha256: Optional[str] = None,
    ) -> FileInfo:
        """Step 3 of the large-file flow: make the uploaded bytes the file. Returns its metadata.

        Idempotent: confirming again gives the same answer. Pass ``upload_id`` (the
        ``uploadId`` from :meth:`upload_large`) when several uploads to one key may be pending,
        and ``sha256`` to have the server verify the bytes.

        Example::

            result = client.files.upload_confirm(file_key=info["fileKey"], workspace_id="ws_abc123",
                                                 filename="large_genome.bam", size=size)
            print(result["key"])
        """
        payload: Dict[str, Any] = {"file_key": file_key, "workspace_id": workspace_id, "size": size}
        optional = {"filename": filename, "upload_id": upload_id, "sha256": sha256}
        payload.update({k: v for k, v in optional.items() if v is not None})
        info: FileInfo = self._client.request_json("POST", "/v1/files/upload-confirm", json=payload)
        return info

    # ------------------------------------------------------------------ one call for any size

    def upload_file(
        self,
        local_path: PathLike,
        *,
        workspace_id: str,
        path: Optional[str] = None,
        description: Optional[str] = None,
        progress: Optional[ProgressCallback] = None,
        large_threshold: int = LARGE_THRESHOLD_DEFAULT,
        content_type: Optional[str] = None,
        overwrite: bool = True,
    ) -> FileInfo:
        """Upload a file of any size with the right flow, streaming, and return its metadata.

        Files up to ``large_threshold`` bytes (100 MiB) use the form upload; bigger ones use the
        large-file flow (:meth:`upload_large`, a streaming ``PUT``, :meth:`upload_confirm` with
        the ``upload_id`` and the SHA-256 computed while sending, so the server verifies the
        bytes). Once the server offers multipart sessions, big files will go through them
        (parallel parts, resume) — see :meth:`_upload_multipart`.

        Args:
            progress: called with the number of new bytes sent; ``tqdm``'s ``update`` fits.

        Example::

            from tqdm import tqdm

            size = os.path.getsize("large_genome.bam")
            with tqdm(total=size, unit="B", unit_scale=True) as bar:
                info = client.files.upload_file("large_genome.bam", workspace_id="ws_abc123",
                                                path="bam/", progress=bar.update)
        """
        size = os.path.getsize(local_path)
        if size <= large_threshold:
            return self.upload(
                local_path,
                workspace_id=workspace_id,
                path=path,
                description=description,
                overwrite=overwrite,
                content_type=content_type,
                progress=progress,
            )
        if self._multipart_available(size):
            return self._upload_multipart(
                local_path,
                workspace_id=workspace_id,
                path=path,
                description=description,
                progress=progress,
                content_type=content_type,
                overwrite=overwrite,
            )
        return self._upload_single_put(
            local_path,
            workspace_id=workspace_id,
            path=path,
            description=description,
            progress=progress,
            content_type=content_type,
            overwrite=overwrite,
        )

    def _upload_single_put(
        self,
        local_path: PathLike,
        *,
        workspace_id: str,
        path: Optional[str],
        description: Optional[str],
        progress: Optional[ProgressCallback],
        content_type: Optional[str],
        overwrite: bool,
    ) -> FileInfo:
        name = os.path.basename(os.fspath(local_path))
        ctype = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        with open(local_path, "rb") as fh:
            size = file_size(fh)
            info = self.upload_large(
                filename=name,
                workspace_id=workspace_id,
                content_type=ctype,
                size=size,
                path=path,
                description=description,
                overwrite=overwrite,
            )
            reader = FileReader(fh, size, progress)
            # Exactly the headers the server asked for (requests adds Content-Length); no API key.
            self._client.send(
                str(info.get("method") or "PUT"),
                info["uploadUrl"],
                data=reader,
                headers=dict(info.get("headers") or {}),
            ).close()
        return self.upload_confirm(
            file_key=info["fileKey"],
            workspace_id=workspace_id,
            filename=name,
            size=size,
            upload_id=info.get("uploadId"),
            sha256=reader.sha256,
        )

    # Seam for multipart sessions (issue "Files of any size"). The server does not offer them
    # yet. When it does: return True here when the server advertises them (e.g. from
    # /openapi.json or a capabilities call) and the file is bigger than one part, and implement
    # _upload_multipart: create a session (part size, count), PUT parts from a thread pool using
    # re-signable part URLs, report progress per part, persist the session id for resume, then
    # complete with the SHA-256.
    def _multipart_available(self, size: int) -> bool:
        return False

    def _upload_multipart(self, local_path: PathLike, **kwargs: Any) -> FileInfo:
        raise NotImplementedError("multipart upload sessions are not offered by the server yet")


def _iter_body(resp: Any, url: str) -> Iterator[bytes]:
    """The response body in chunks; a cut connection becomes :class:`NetworkError`."""
    from .client import _NETWORK_FAILURES, _redact
    from .errors import NetworkError

    try:
        for chunk in resp.iter_content(_CHUNK):
            if chunk:
                yield chunk
    except _NETWORK_FAILURES as exc:
        raise NetworkError(f"download from {_redact(url)} failed: {exc}") from exc

