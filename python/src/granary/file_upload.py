"""``Files.upload_file``'s flows: the form upload, one streaming PUT, or a multipart session that
resumes from the state file an earlier run (of this client or the CLI) left behind."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, Optional, Union

from ._streams import FileReader, ProgressCallback, file_size
from .errors import ApiError
from .models import FileInfo, UploadInfo, UploadPart, UploadTicket
from .multipart import MultipartUpload
from .paths import key_for
from .resume_state import StateStore, UploadIdentity

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

__all__ = ["UploadOptions", "FileUploader"]

log = logging.getLogger("granary")


@dataclass(frozen=True)
class UploadOptions:
    """Everything ``upload_file`` was asked, thresholds and env defaults resolved."""

    workspace_id: str
    path: Optional[str]
    description: Optional[str]
    progress: Optional[ProgressCallback]
    large_threshold: int
    multipart_threshold: int
    part_size: Optional[int]
    concurrency: int
    resume: bool
    content_type: Optional[str]
    overwrite: bool
    checksum: bool
    retries: int
    state_dir: str


@dataclass
class _Session:
    """A multipart session to send to: its layout, and the parts the server already holds."""

    upload_id: str
    file_key: str
    part_size: int
    part_count: int
    present: Dict[int, UploadPart] = field(default_factory=dict)

    @staticmethod
    def opened(ticket: UploadTicket) -> _Session:
        return _Session(ticket["uploadId"], ticket["fileKey"], int(ticket["partSize"]), int(ticket["partCount"]))

    @staticmethod
    def found(info: UploadInfo, fallback_key: str) -> _Session:
        present = {int(p["part_number"]): p for p in info.get("parts") or []}
        return _Session(
            info["upload_id"],
            info.get("file_key") or fallback_key,
            int(info["part_size"] or 0),
            int(info["part_count"] or 0),
            present,
        )


class FileUploader:
    """Uploads one local file with the flow its size calls for."""

    def __init__(self, client: Client, options: UploadOptions) -> None:
        self._client = client
        self._files = client.files
        self.options = options

    def upload(self, local: str) -> FileInfo:
        st = os.stat(local)
        o = self.options
        if st.st_size > 0 and st.st_size >= o.multipart_threshold:
            return self._multipart(local, st, None)
        if st.st_size <= o.large_threshold:
            return self._files.upload(
                local,
                workspace_id=o.workspace_id,
                path=o.path,
                description=o.description,
                overwrite=o.overwrite,
                content_type=o.content_type,
                progress=o.progress,
            )
        ticket = self._open(local, st.st_size, multipart=None)
        if ticket.get("multipart"):
            # The server's own threshold is lower than ours: it opened a session.
            return self._multipart(local, st, ticket)
        return self._put_single(local, ticket)

    def _open(self, local: str, size: int, *, multipart: Optional[bool]) -> UploadTicket:
        o = self.options
        return self._files.upload_large(
            filename=os.path.basename(local),
            workspace_id=o.workspace_id,
            content_type=o.content_type,
            size=size,
            path=o.path,
            description=o.description,
            overwrite=o.overwrite,
            multipart=multipart,
            part_size=o.part_size if multipart else None,
        )

    def _put_single(self, local: str, ticket: UploadTicket) -> FileInfo:
        """PUT the whole file to the ticket's ``uploadUrl``, then confirm with its SHA-256."""
        with open(local, "rb") as fh:
            size = file_size(fh)
            reader = FileReader(fh, size, self.options.progress)
            # Exactly the headers the server asked for (requests adds Content-Length); no API key.
            self._client.send(
                str(ticket.get("method") or "PUT"),
                ticket["uploadUrl"],
                data=reader,
                headers=dict(ticket.get("headers") or {}),
            ).close()
        return self._files.upload_confirm(
            file_key=ticket["fileKey"],
            workspace_id=self.options.workspace_id,
            filename=os.path.basename(local),
            size=size,
            upload_id=ticket.get("uploadId"),
            sha256=reader.sha256,
        )

    # -------------------------------------------------------------- multipart sessions

    def _multipart(self, local: str, st: os.stat_result, ticket: Optional[UploadTicket]) -> FileInfo:
        o = self.options
        identity = UploadIdentity.of(
            local,
            st,
            server_url=self._client.base_url,
            workspace_id=o.workspace_id,
            key=key_for(o.path, os.path.basename(local)),
        )
        store = StateStore(o.state_dir)
        saved = self._saved(identity, store) if ticket is None else None
        if saved is not None and not isinstance(saved, _Session):
            return saved  # the server had completed it already
        session = saved
        if session is None:
            ticket = ticket or self._open(local, st.st_size, multipart=True)
            if not ticket.get("multipart"):
                return self._without_session(local, ticket)
            session = _Session.opened(ticket)
            if o.resume:
                store.save(identity, upload_id=session.upload_id, file_key=session.file_key)
        return self._run(local, session, identity, store)

    def _without_session(self, local: str, ticket: UploadTicket) -> FileInfo:
        if ticket.get("uploadUrl"):
            # A server without multipart sessions: one streaming PUT.
            return self._put_single(local, ticket)
        raise ApiError(500, "internal_error", "upload-url answered neither a session nor a URL")

    def _saved(self, identity: UploadIdentity, store: StateStore) -> Union[_Session, FileInfo, None]:
        """The session a state file names if the server still has it for this file; its file
        metadata if the server completed it; else ``None`` (and the state file is gone)."""
        saved = store.load(identity)
        if saved is None:
            return None
        if not self.options.resume:
            self._abort_quietly(saved["upload_id"])
            store.remove(identity)
            return None
        found = self._resumable(saved["upload_id"], identity.size)
        if found is None:
            store.remove(identity)
            return None
        if found["status"] in ("completed", "verifying"):
            # Confirmed before the interruption: confirming again answers the file (and waits
            # out a verification still under way).
            info = self._files.upload_confirm(
                file_key=found["file_key"],
                workspace_id=self.options.workspace_id,
                filename=os.path.basename(identity.path),
                size=identity.size,
                upload_id=found["upload_id"],
            )
            store.remove(identity)
            return info
        session = _Session.found(found, saved["file_key"])
        log.info(
            "granary: resuming upload %s of %s: %d of %d parts already there",
            session.upload_id,
            identity.path,
            len(session.present),
            session.part_count,
        )
        return session

    def _resumable(self, upload_id: str, size: int) -> Optional[UploadInfo]:
        """The session if the server still has it open (or confirmed) for a file of ``size``."""
        try:
            found = self._files.uploads.get(upload_id, workspace_id=self.options.workspace_id)
        except ApiError as exc:
            if exc.status in (404, 410):
                return None
            raise
        status = found.get("status")
        if status in ("completed", "verifying"):
            return found
        usable = (
            found.get("multipart", True)
            and found.get("size") == size
            and found.get("part_size")
            and found.get("part_count")
        )
        if status in ("pending", "received") and usable:
            return found
        if status in ("pending", "received"):
            self._abort_quietly(upload_id)
        return None

    def _abort_quietly(self, upload_id: str) -> None:
        try:
            self._files.uploads.abort(upload_id, workspace_id=self.options.workspace_id)
        except Exception as exc:  # best effort: the server's reaper frees it eventually
            log.info("granary: could not abort stale upload %s: %s", upload_id, exc)

    def _run(self, local: str, session: _Session, identity: UploadIdentity, store: StateStore) -> FileInfo:
        o = self.options
        engine = MultipartUpload(
            self._client,
            local_path=local,
            size=identity.size,
            upload_id=session.upload_id,
            file_key=session.file_key,
            filename=os.path.basename(local),
            workspace_id=o.workspace_id,
            part_size=session.part_size,
            part_count=session.part_count,
            progress=o.progress,
            concurrency=o.concurrency,
            retries=o.retries,
            checksum=o.checksum,
        )
        try:
            info = engine.run(session.present)
        except ApiError as exc:
            if engine.session_gone or exc.code == "upload_not_found":
                store.remove(identity)
            raise
        store.remove(identity)
        return info
