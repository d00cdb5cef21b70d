"""``client.files``: the seed's Files API (list, upload, download, delete, large uploads)."""

from __future__ import annotations

import mimetypes
import os
import secrets
import time
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
from .errors import ApiError
from .uploads import (
    MULTIPART_THRESHOLD_DEFAULT,
    MultipartUpload,
    Uploads,
    _env_size,
    _StateStore,
    default_state_dir,
    log,
)

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

__all__ = [
    "Files",
    "FileList",
    "FileInfo",
    "MiB",
    "LARGE_THRESHOLD_DEFAULT",
    "MULTIPART_THRESHOLD_DEFAULT",
]

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
    """File operations, reached as ``client.files``. Every call needs ``workspace_id``.

    Attributes:
        uploads: :class:`granary.uploads.Uploads` — list, inspect and abort upload sessions.
    """

    def __init__(self, client: "Client") -> None:
        self._client = client
        self.uploads = Uploads(client)

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
        multipart: Optional[bool] = None,
        part_size: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Step 1 of the large-file flow: get a URL to ``PUT`` the bytes to.

        Returns ``{"uploadUrl", "fileKey", "uploadId", "expiresAt", "method", "headers"}``. Then
        ``PUT`` exactly ``size`` bytes to ``uploadUrl`` with exactly ``headers`` (no API key), and
        call :meth:`upload_confirm`. :meth:`upload_file` does all three steps.

        With ``multipart=True`` (or for files at or above the server's threshold) the answer is a
        multipart session instead: ``{"uploadId", "fileKey", "multipart": True, "partSize",
        "partCount", "expiresAt", "headers"}``; sign part URLs with
        ``client.files.uploads.sign_parts``. ``part_size`` is a hint the server clamps.

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
            "multipart": multipart,
            "part_size": part_size,
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
        multipart_threshold: Optional[int] = None,
        part_size: Optional[int] = None,
        concurrency: int = 4,
        resume: bool = True,
        content_type: Optional[str] = None,
        overwrite: bool = True,
        checksum: bool = True,
        retries: int = 5,
        state_dir: Optional[PathLike] = None,
    ) -> FileInfo:
        """Upload a file of any size with the right flow, streaming, and return its metadata.

        * Up to ``large_threshold`` bytes (100 MiB): the form upload (:meth:`upload`).
        * Above it: the large-file flow, one streaming ``PUT`` (:meth:`upload_large`,
          :meth:`upload_confirm` with the SHA-256 computed while sending).
        * At or above ``multipart_threshold`` (``GRANARY_MULTIPART_THRESHOLD``, else 5 GiB), or
          whenever the server answers with a session: a **multipart session**. Parts of
          ``part_size`` bytes (``GRANARY_PART_SIZE``, else the server's choice, 64 MiB by default;
          the server clamps it to 5 MiB..5 GiB and at most 10,000 parts) go up ``concurrency`` at a
          time, each streamed from the file in 1 MiB blocks (memory stays around
          ``concurrency`` MiB, whatever the part size). Part URLs are signed in batches and
          signed again when they expire (``403``). A failed part is retried ``retries`` times with
          exponential backoff. Each part is verified against the SHA-256 the local backend
          reports or the MD5 ``ETag`` S3 reports; the whole file's SHA-256, computed in a
          parallel pass, is declared at confirm so the server checks it too (``checksum=False``
          skips that pass).

        Resume: with ``resume=True`` the session id is kept in a small JSON file under
        ``state_dir`` (``GRANARY_STATE_DIR``, else ``~/.granary/uploads/``), keyed by the file's
        absolute path, size and mtime, the server, the workspace and the key. Calling
        ``upload_file`` again with the same arguments after a crash, a ``Ctrl-C`` or a lost
        network asks the server which parts it already holds (checking them against the file)
        and sends only the missing ones. The state file is removed once the file is confirmed.
        ``resume=False`` ignores (and aborts) an earlier session and starts afresh.

        Args:
            local_path: the file to send.
            workspace_id: destination workspace.
            path: folder inside the workspace, e.g. ``"bam/"``; the key is ``path`` + file name.
            description: optional free text stored with the file.
            progress: called with the number of new bytes done, from any thread (calls are
                serialized); ``tqdm``'s ``update`` fits. The increments add up to the file size:
                retried bytes are not counted twice, and parts already on the server when
                resuming are counted at the start.
            large_threshold: above this, skip the form upload.
            multipart_threshold: at or above this, use a multipart session.
            part_size: part size hint in bytes (at least 5 MiB).
            concurrency: parts in flight at once (threads), default 4.
            resume: keep and use the resume state file.
            content_type: defaults to a guess from the name, else ``application/octet-stream``.
            overwrite: ``False`` = create only (``409 file_exists`` if the key exists).
            checksum: compute the whole file's SHA-256 and have the server verify it.
            retries: attempts per part after the first failure (network errors, 5xx, 429,
                damaged parts).
            state_dir: where resume state files live.

        Returns:
            The file's metadata (``key``, ``size``, ``sha256``, ...).

        Raises:
            ApiError: the server refused (e.g. ``checksum_mismatch``; or a part kept failing).
            NetworkError: the server stayed unreachable through every retry. The session is
                kept: call ``upload_file`` again to resume.

        Example::

            from tqdm import tqdm

            size = os.path.getsize("large_genome.bam")
            with tqdm(total=size, unit="B", unit_scale=True) as bar:
                info = client.files.upload_file("large_genome.bam", workspace_id="ws_abc123",
                                                path="bam/", progress=bar.update)

            # A 200 GB BAM in 256 MiB parts, 8 at a time; run it again after a crash to resume.
            client.files.upload_file("NA12878.bam", workspace_id="ws_abc123", path="bam/",
                                     part_size=256 * 1024 * 1024, concurrency=8)
        """
        local = os.path.abspath(os.fspath(local_path))
        st = os.stat(local)
        size = st.st_size
        if multipart_threshold is None:
            multipart_threshold = _env_size("GRANARY_MULTIPART_THRESHOLD") or MULTIPART_THRESHOLD_DEFAULT
        if part_size is None:
            part_size = _env_size("GRANARY_PART_SIZE")
        options = _SessionOptions(
            part_size=part_size,
            concurrency=concurrency,
            resume=resume,
            checksum=checksum,
            retries=retries,
            state_dir=os.fspath(state_dir) if state_dir is not None else default_state_dir(),
        )
        if size > 0 and size >= multipart_threshold:
            return self._upload_multipart(
                local,
                st,
                workspace_id=workspace_id,
                path=path,
                description=description,
                progress=progress,
                content_type=content_type,
                overwrite=overwrite,
                options=options,
            )
        if size <= large_threshold:
            return self.upload(
                local,
                workspace_id=workspace_id,
                path=path,
                description=description,
                overwrite=overwrite,
                content_type=content_type,
                progress=progress,
            )
        name = os.path.basename(local)
        ctype = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        answer = self.upload_large(
            filename=name,
            workspace_id=workspace_id,
            content_type=ctype,
            size=size,
            path=path,
            description=description,
            overwrite=overwrite,
        )
        if answer.get("multipart"):
            # The server's own threshold is lower than ours: it opened a session.
            return self._upload_multipart(
                local,
                st,
                workspace_id=workspace_id,
                path=path,
                description=description,
                progress=progress,
                content_type=content_type,
                overwrite=overwrite,
                options=options,
                opened=answer,
            )
        return self._put_single(local, answer, workspace_id=workspace_id, progress=progress)

    def _put_single(
        self,
        local: str,
        answer: Dict[str, Any],
        *,
        workspace_id: str,
        progress: Optional[ProgressCallback],
    ) -> FileInfo:
        """PUT the whole file to a single-PUT answer's ``uploadUrl``, then confirm with its SHA-256."""
        name = os.path.basename(local)
        with open(local, "rb") as fh:
            size = file_size(fh)
            reader = FileReader(fh, size, progress)
            # Exactly the headers the server asked for (requests adds Content-Length); no API key.
            self._client.send(
                str(answer.get("method") or "PUT"),
                answer["uploadUrl"],
                data=reader,
                headers=dict(answer.get("headers") or {}),
            ).close()
        return self.upload_confirm(
            file_key=answer["fileKey"],
            workspace_id=workspace_id,
            filename=name,
            size=size,
            upload_id=answer.get("uploadId"),
            sha256=reader.sha256,
        )

    def _upload_multipart(
        self,
        local: str,
        st: os.stat_result,
        *,
        workspace_id: str,
        path: Optional[str],
        description: Optional[str],
        progress: Optional[ProgressCallback],
        content_type: Optional[str],
        overwrite: bool,
        options: "_SessionOptions",
        opened: Optional[Dict[str, Any]] = None,
    ) -> FileInfo:
        name = os.path.basename(local)
        size = st.st_size
        store = _StateStore(options.state_dir)
        state_key = store.key(
            server=self._client.base_url,
            path=local,
            size=size,
            mtime_ns=st.st_mtime_ns,
            workspace_id=workspace_id,
            key=(_folder(path) or "") + name,
        )
        session: Optional[Dict[str, Any]] = None
        present: Dict[int, Dict[str, Any]] = {}
        saved = store.load(state_key) if opened is None else None
        if saved is not None and options.resume:
            found = self._resumable(saved, size=size, workspace_id=workspace_id)
            if found is not None and found.get("status") == "completed":
                info = self.upload_confirm(
                    file_key=str(found["file_key"]),
                    workspace_id=workspace_id,
                    filename=name,
                    size=size,
                    upload_id=str(found["upload_id"]),
                )
                store.remove(state_key)
                return info
            if found is not None:
                session = {
                    "upload_id": str(found["upload_id"]),
                    "file_key": str(found.get("file_key") or saved["file_key"]),
                    "part_size": int(found["part_size"]),
                    "part_count": int(found["part_count"]),
                }
                for p in found.get("parts") or []:
                    present[int(p["part_number"])] = p
                log.info(
                    "granary: resuming upload %s of %s: %d of %d parts already there",
                    session["upload_id"], local, len(present), session["part_count"],
                )
            else:
                store.remove(state_key)
        elif saved is not None:
            self._abort_quietly(str(saved.get("upload_id")), workspace_id)
            store.remove(state_key)

        if session is None:
            if opened is None:
                ctype = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
                opened = self.upload_large(
                    filename=name,
                    workspace_id=workspace_id,
                    content_type=ctype,
                    size=size,
                    path=path,
                    description=description,
                    overwrite=overwrite,
                    multipart=True,
                    part_size=options.part_size,
                )
                if not opened.get("multipart"):
                    if opened.get("uploadUrl"):
                        # A server without multipart sessions: one streaming PUT.
                        return self._put_single(local, opened, workspace_id=workspace_id, progress=progress)
                    raise ApiError(500, "internal_error", "upload-url answered neither a session nor a URL")
            session = {
                "upload_id": str(opened["uploadId"]),
                "file_key": str(opened["fileKey"]),
                "part_size": int(opened["partSize"]),
                "part_count": int(opened["partCount"]),
            }
            if options.resume:
                store.save(
                    state_key,
                    dict(
                        session,
                        server=self._client.base_url,
                        local_path=local,
                        size=size,
                        mtime_ns=st.st_mtime_ns,
                        workspace_id=workspace_id,
                        started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    ),
                )

        upload = self._multipart_upload(
            local,
            size=size,
            session=session,
            filename=name,
            workspace_id=workspace_id,
            progress=progress,
            options=options,
        )
        try:
            info = upload.run(present)
        except ApiError as exc:
            if upload.session_gone or exc.code == "upload_not_found":
                store.remove(state_key)
            raise
        store.remove(state_key)
        return info

    def _multipart_upload(
        self,
        local: str,
        *,
        size: int,
        session: Dict[str, Any],
        filename: str,
        workspace_id: str,
        progress: Optional[ProgressCallback],
        options: "_SessionOptions",
    ) -> MultipartUpload:
        """Build the engine for one session (a seam for tests)."""
        return MultipartUpload(
            self._client,
            local_path=local,
            size=size,
            upload_id=session["upload_id"],
            file_key=session["file_key"],
            filename=filename,
            workspace_id=workspace_id,
            part_size=session["part_size"],
            part_count=session["part_count"],
            progress=progress,
            concurrency=options.concurrency,
            retries=options.retries,
            checksum=options.checksum,
        )

    def _resumable(self, saved: Dict[str, Any], *, size: int, workspace_id: str) -> Optional[Dict[str, Any]]:
        """The saved session if the server still has it open (or completed) for this file."""
        upload_id = saved.get("upload_id")
        if not isinstance(upload_id, str):
            return None
        try:
            found = self.uploads.get(upload_id, workspace_id=workspace_id)
        except ApiError as exc:
            if exc.status in (404, 410):
                return None
            raise
        status = found.get("status")
        if status == "completed":
            return found
        if (
            status not in ("pending", "received")
            or not found.get("multipart", True)
            or int(found.get("size", -1)) != size
            or not found.get("part_size")
            or not found.get("part_count")
        ):
            if status in ("pending", "received"):
                self._abort_quietly(upload_id, workspace_id)
            return None
        return found

    def _abort_quietly(self, upload_id: str, workspace_id: str) -> None:
        try:
            self.uploads.abort(upload_id, workspace_id=workspace_id)
        except Exception as exc:  # best effort: the server's reaper frees it eventually
            log.info("granary: could not abort stale upload %s: %s", upload_id, exc)


class _SessionOptions:
    """How :meth:`Files.upload_file` runs multipart sessions."""

    def __init__(
        self,
        *,
        part_size: Optional[int],
        concurrency: int,
        resume: bool,
        checksum: bool,
        retries: int,
        state_dir: str,
    ) -> None:
        self.part_size = part_size
        self.concurrency = concurrency
        self.resume = resume
        self.checksum = checksum
        self.retries = retries
        self.state_dir = state_dir


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

