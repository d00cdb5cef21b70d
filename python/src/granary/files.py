"""``client.files``: the seed's Files API (list, upload, download, delete, large uploads).

This module is the API surface; the flows behind :meth:`Files.upload_file` are in
``file_upload.py`` (choosing the flow, resume state) and ``multipart.py`` (the part engine).
"""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any, Dict, Iterator, Literal, Optional, Sequence, Union, cast, overload

from ._streams import MultipartBody, ProgressCallback, file_size
from .download import destination, save
from .errors import LocalFileError
from .file_lifecycle import FileLifecycle
from .file_upload import FileUploader, UploadOptions
from .genomics import FileHeader, file_header, query_lines, query_records
from .models import DownloadLink, FileInfo, FileList, FolderResult, UploadTicket, json_object
from .paths import PathLike, folder
from .resume_state import default_state_dir
from .sizes import LARGE_THRESHOLD_DEFAULT, MULTIPART_THRESHOLD_DEFAULT, MiB, env_size
from .uploads import Uploads, wait_until_verified

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

_CHUNK = 1 * MiB
#: What the file part of a form upload says when the caller names no type: the same as the CLI
#: and the TypeScript client, so one file gets the same metadata from every client.
OCTET_STREAM = "application/octet-stream"


def _without_none(values: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class Files(FileLifecycle):
    """File operations, reached as ``client.files``. Every call needs ``workspace_id``.

    Attributes:
        uploads: :class:`granary.uploads.Uploads` — list, inspect and abort upload sessions.
    """

    def __init__(self, client: Client) -> None:
        super().__init__(client)
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
        params = {
            "workspace_id": workspace_id,
            "prefix": prefix,
            "limit": limit,
            "cursor": cursor,
            "delimiter": delimiter,
        }
        body = json_object(self._client.request_json("GET", "/v1/files", params=params))
        return FileList(body.get("files") or [], next_cursor=body.get("next_cursor"), folders=body.get("folders"))

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
            page = self.list(workspace_id=workspace_id, prefix=prefix, limit=page_size, cursor=cursor)
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
            content_type: the file part's type; ``application/octet-stream`` when not given (the
                server decides the type of known formats, as for the CLI and TypeScript client).
            progress: called with the number of new file bytes sent (``tqdm``'s ``update``).

        Returns:
            The new file's metadata (``key``, ``size``, ``sha256``, ...).

        Example::

            result = client.files.upload("sample.vcf", workspace_id="ws_abc123", path="raw/")
            file_key = result["key"]   # "raw/sample.vcf"
        """
        name = filename or os.path.basename(os.fspath(local_path))
        fields = [("workspace_id", workspace_id)]
        fields += [(k, v) for k, v in (("path", folder(path)), ("description", description)) if v is not None]
        fields.append(("overwrite", "true" if overwrite else "false"))
        with _open_local(local_path) as fh:
            body = MultipartBody(fields, "file", name, fh, file_size(fh), content_type or OCTET_STREAM, progress)
            info = self._client.request_json(
                "POST", "/v1/files/upload", data=body, headers={"Content-Type": body.content_type}
            )
        return cast(FileInfo, json_object(info))

    # ------------------------------------------------------------------ download

    def download_url(
        self,
        key: str,
        *,
        workspace_id: str,
        expires_in: Optional[int] = None,
        disposition: Optional[str] = None,
        link: Optional[str] = None,
        with_index: Optional[bool] = None,
        version_id: Optional[str] = None,
    ) -> DownloadLink:
        """Get a signed URL for a file's bytes: ``{"url": ..., "expires_at": ...}``.

        Anyone holding the URL can fetch the file until it expires (default 3600 s, max 604800),
        without an API key; it honours ``Range``.

        Args:
            key: the file's key, e.g. ``"raw/sample.vcf"``.
            workspace_id: the file's workspace.
            expires_in: validity in seconds.
            disposition: ``"attachment"`` (default) or ``"inline"``.
            link: ``"granary"`` for a Granary link, which also serves the file's index
                (``x.bam.bai``, ``x.vcf.gz.tbi``) so samtools, bcftools, tabix and IGV find it;
                ``"direct"`` for the store's own URL; default: the server's choice.
            with_index: also answer ``index_url`` and ``index_key`` when an index exists.
            version_id: an older version (from :meth:`versions`) instead of the current one.

        Example::

            link = client.files.download_url("raw/sample.vcf", workspace_id="ws_abc123",
                                             expires_in=3600)
            print(link["url"], "valid until", link["expires_at"])
            bam = client.files.download_url("bam/x.bam", workspace_id="ws_abc123",
                                            link="granary", with_index=True)
            print(bam["url"], bam.get("index_url"))
        """
        params = {
            "workspace_id": workspace_id,
            "key": key,
            "expires_in": expires_in,
            "disposition": disposition,
            "link": link,
            "with_index": with_index,
            "version_id": version_id,
        }
        out = cast(DownloadLink, json_object(self._client.request_json("GET", "/v1/files/download", params=params)))
        out["url"] = self._client.resolve(out["url"])
        if "index_url" in out:
            out["index_url"] = self._client.resolve(out["index_url"])
        return out

    def download(
        self,
        key: str,
        *,
        workspace_id: str,
        dest: PathLike = ".",
        progress: Optional[ProgressCallback] = None,
        version_id: Optional[str] = None,
    ) -> str:
        """Download a file (or, with ``version_id``, one of its older versions) to disk,
        streaming, and return the local path.

        ``dest`` is a folder (an existing directory, or any path ending in ``/``, created if
        missing) — the file lands in ``dest/<name>`` — or a file path. Bytes go to a hidden temp
        file in the same folder, renamed into place only once complete: on any failure no file is
        left under the final name (an existing one is untouched).

        Example::

            local_path = client.files.download("raw/sample.vcf", workspace_id="ws_abc123",
                                               dest="./output/")
            print(f"Saved to {local_path}")     # ./output/sample.vcf
        """
        link = self.download_url(key, workspace_id=workspace_id, version_id=version_id)
        where, final = destination(dest, key.rstrip("/").rsplit("/", 1)[-1])
        resp = self._client.send("GET", link["url"], stream=True)
        try:
            return save(self._client.transport.iter_body(resp, link["url"], _CHUNK), where, final, progress)
        finally:
            resp.close()

    # ------------------------------------------------------------------ region queries

    def query(
        self,
        key: str,
        *,
        workspace_id: str,
        region: Union[str, Sequence[str]],
        format: str = "json",
        limit: Optional[int] = None,
        header: bool = False,
        reference_key: Optional[str] = None,
    ) -> Iterator[Any]:
        """Records of regions of an indexed VCF, BAM, CRAM or tabix file, read where it is stored.

        Yields dicts (``format="json"``, the default: VCF ``chrom, pos, id, ref, alt, qual,
        filter, info, samples``; SAM ``name, flag, chrom, pos, mapq, cigar, mate, tlen, seq,
        qual, tags``) or, with ``format="text"``, the lines bcftools, samtools or tabix print
        (without newlines). Regions are 1-based and inclusive: ``"chr1:1000-2000"``; pass a
        list for several. Errors (``index_missing``, ``invalid_region``,
        ``unsupported_format``) are raised as :class:`ApiError` on the first ``next()``.

        Example::

            for v in client.files.query("calls/trio.vcf.gz", workspace_id="ws_abc123",
                                        region="chr1:1000-2000"):
                print(v["chrom"], v["pos"], v["alt"])
        """
        if format not in ("json", "text"):
            raise ValueError("format must be 'json' or 'text'")
        lines = query_lines(
            self._client,
            key,
            workspace_id=workspace_id,
            region=region,
            fmt=format,
            limit=limit,
            header=header,
            reference_key=reference_key,
        )
        return query_records(lines) if format == "json" else lines

    def header(self, key: str, *, workspace_id: str) -> FileHeader:
        """The header of a VCF, BAM, CRAM or tabix file: ``{format, header, contigs, samples}``.

        Example::

            h = client.files.header("calls/trio.vcf.gz", workspace_id="ws_abc123")
            print([c["name"] for c in h["contigs"]], h["samples"])
        """
        return file_header(self._client, key, workspace_id=workspace_id)

    # ------------------------------------------------------------------ delete

    @overload
    def delete(self, key: str, *, workspace_id: str, recursive: Literal[False] = False) -> None: ...

    @overload
    def delete(self, key: str, *, workspace_id: str, recursive: Literal[True]) -> FolderResult: ...

    def delete(self, key: str, *, workspace_id: str, recursive: bool = False) -> Optional[FolderResult]:
        """Delete a file (to the trash when the workspace keeps one). ``ApiError``
        ``404 file_not_found`` if there is none under ``key``.

        With ``recursive=True``, ``key`` is a folder (``"raw/"``): every file under it goes to the
        trash together as one group, and the answer counts them (``{"deleted": n, "group_id":
        "grp_..."}``; ``group_id`` is None when the workspace keeps no trash);
        ``client.trash.restore_group(group_id, ...)`` puts the whole folder back.

        Example::

            client.files.delete("raw/sample.vcf", workspace_id="ws_abc123")
            client.files.delete("scratch/", workspace_id="ws_abc123", recursive=True)
        """
        if recursive:
            return self._delete_folder(key, workspace_id=workspace_id)
        self._client.request("DELETE", "/v1/files", params={"workspace_id": workspace_id, "key": key}).close()
        return None

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
    ) -> UploadTicket:
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
        payload = _without_none(
            {
                "filename": filename,
                "workspace_id": workspace_id,
                "size": size,
                "content_type": content_type,
                "path": folder(path),
                "sha256": sha256,
                "description": description,
                "overwrite": overwrite,
                "expires_in": expires_in,
                "multipart": multipart,
                "part_size": part_size,
            }
        )
        info = cast(UploadTicket, json_object(self._client.request_json("POST", "/v1/files/upload-url", json=payload)))
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
        and ``sha256`` to have the server verify the bytes. When the server answers that it is
        verifying a large object in the background (``202``), this waits for it (polling the
        upload with backoff) and returns the file.

        Example::

            result = client.files.upload_confirm(file_key=info["fileKey"], workspace_id="ws_abc123",
                                                 filename="large_genome.bam", size=size)
            print(result["key"])
        """
        payload = _without_none(
            {
                "file_key": file_key,
                "workspace_id": workspace_id,
                "size": size,
                "filename": filename,
                "upload_id": upload_id,
                "sha256": sha256,
            }
        )
        answer = json_object(self._client.request_json("POST", "/v1/files/upload-confirm", json=payload))
        if answer.get("status") == "verifying":
            # 202: the server reads a large object back first (S3). Wait, then confirm again:
            # that answers the file, or raises the error the verification failed with.
            payload["upload_id"] = str(answer["upload_id"])
            wait_until_verified(self.uploads, payload["upload_id"], workspace_id)
            answer = json_object(self._client.request_json("POST", "/v1/files/upload-confirm", json=payload))
        return cast(FileInfo, answer)

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
        ``<state_dir>/uploads/`` (``state_dir`` defaults to ``GRANARY_STATE_DIR``, else
        ``~/.granary``), named by the file's absolute path, size and mtime, the server, the
        workspace and the key. The CLI (``granary upload``) writes and reads the same files, so
        either resumes the other's interrupted upload. Calling
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
            content_type: sent as is when given; otherwise none is guessed (the server decides).
            overwrite: ``False`` = create only (``409 file_exists`` if the key exists).
            checksum: compute the whole file's SHA-256 and have the server verify it.
            retries: attempts per part after the first failure (network errors, 5xx, 429,
                damaged parts); a ``Retry-After`` the server sends is waited at least.
            state_dir: the state root (``GRANARY_STATE_DIR``); state files live in its ``uploads/``.

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
        options = UploadOptions(
            workspace_id=workspace_id,
            path=path,
            description=description,
            progress=progress,
            large_threshold=large_threshold,
            multipart_threshold=multipart_threshold
            or env_size("GRANARY_MULTIPART_THRESHOLD")
            or MULTIPART_THRESHOLD_DEFAULT,
            part_size=part_size if part_size is not None else env_size("GRANARY_PART_SIZE"),
            concurrency=concurrency,
            resume=resume,
            content_type=content_type,
            overwrite=overwrite,
            checksum=checksum,
            retries=retries,
            state_dir=os.fspath(state_dir) if state_dir is not None else default_state_dir(),
        )
        local = os.path.abspath(os.fspath(local_path))
        try:
            return FileUploader(self._client, options).upload(local)
        except OSError as exc:
            if isinstance(exc, LocalFileError) or exc.filename != local:
                raise
            raise LocalFileError(exc.errno, f"cannot read {local}: {exc.strerror}", local) from exc


def _open_local(local_path: PathLike) -> IO[bytes]:
    """Open a file to send; a missing or unreadable one is a :class:`LocalFileError`."""
    try:
        return open(local_path, "rb")
    except OSError as exc:
        raise LocalFileError(
            exc.errno, f"cannot read {os.fspath(local_path)}: {exc.strerror}", os.fspath(local_path)
        ) from exc
