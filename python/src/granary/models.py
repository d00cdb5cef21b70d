"""What the server answers, as ``TypedDict``s: plain dicts at run time (``f["name"]`` works as in
the seed's snippets), with their keys known to type checkers and editors.

The shapes follow ``packages/protocol/src/wire.ts``. A server may add keys; none is removed.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Literal, Optional, TypedDict

__all__ = [
    "FileInfo",
    "FileList",
    "DownloadLink",
    "UploadTicket",
    "UploadStatus",
    "UploadPart",
    "UploadInfo",
    "SignedPart",
    "Workspace",
    "ApiKeyInfo",
    "CreatedApiKey",
    "FileVersion",
    "TrashItem",
    "TrashList",
    "WorkspaceSettings",
    "WorkspaceUsage",
    "Job",
    "FolderResult",
]


class FileInfo(TypedDict):
    """A file's metadata. ``key`` is the file's path inside its workspace, e.g. ``raw/sample.vcf``."""

    id: str
    workspace_id: str
    key: str
    name: str
    size: int
    content_type: str
    description: Optional[str]
    sha256: str
    created_at: str
    updated_at: str


class _DownloadLinkBase(TypedDict):
    url: str
    expires_at: str


class DownloadLink(_DownloadLinkBase, total=False):
    """A signed URL for a file's bytes (absolute) and when it stops working (ISO 8601).

    With ``with_index=True`` and an index beside the file, also its index's URL and key.
    """

    index_url: str
    index_key: str


class _UploadTicketBase(TypedDict):
    uploadId: str
    fileKey: str
    expiresAt: str
    method: str
    headers: Dict[str, str]


class UploadTicket(_UploadTicketBase, total=False):
    """``upload_large``'s answer: a single-PUT ``uploadUrl``, or a multipart session
    (``multipart`` true, with ``partSize`` and ``partCount``)."""

    uploadUrl: str
    multipart: bool
    partSize: int
    partCount: int


UploadStatus = Literal["pending", "received", "verifying", "completed", "failed", "aborted", "expired"]


class UploadPart(TypedDict):
    """A part the store holds: its SHA-256 (local backend) or ETag (S3), else ``None``."""

    part_number: int
    size: int
    sha256: Optional[str]
    etag: Optional[str]


class _UploadInfoBase(TypedDict):
    upload_id: str
    file_key: str
    workspace_id: str
    status: UploadStatus
    multipart: bool
    size: int
    part_size: Optional[int]
    part_count: Optional[int]
    created_at: str
    expires_at: str


class UploadError(TypedDict):
    code: str
    message: str


class UploadInfo(_UploadInfoBase, total=False):
    """An upload session; ``parts`` is present in ``uploads.get`` answers only.

    ``verified_bytes`` while ``verifying`` (the server reads a large object back after its
    confirm); ``error`` when it ``failed`` while verifying.
    """

    parts: List[UploadPart]
    verified_bytes: int
    error: UploadError


class SignedPart(TypedDict):
    """A URL to ``PUT`` one part to, with exactly ``headers`` and no API key."""

    part_number: int
    size: int
    url: str
    headers: Dict[str, str]
    expires_at: str


class Workspace(TypedDict):
    id: str
    name: str
    created_at: str


class ApiKeyInfo(TypedDict):
    id: str
    name: str
    scopes: List[str]
    workspace_ids: Optional[List[str]]
    created_at: str
    expires_at: Optional[str]
    revoked_at: Optional[str]


class CreatedApiKey(ApiKeyInfo):
    """A new key: ``secret`` is shown this once."""

    secret: str


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
        files: Iterable[FileInfo] = (),
        next_cursor: Optional[str] = None,
        folders: Optional[List[str]] = None,
    ) -> None:
        super().__init__(files)
        self.next_cursor = next_cursor
        self.folders: List[str] = list(folders or [])

    def __repr__(self) -> str:
        return f"FileList({list.__repr__(self)}, next_cursor={self.next_cursor!r}, folders={self.folders!r})"


class FileVersion(TypedDict):
    """One stored version of a file (``files.versions``), newest first."""

    version_id: str
    size: int
    sha256: str
    content_type: str
    created_at: str
    is_current: bool


class TrashItem(TypedDict):
    """A deleted file waiting in the trash; ``trash_id`` restores or purges it, and files deleted
    by one call share ``group_id`` (``trash.restore_group``)."""

    trash_id: str
    group_id: str
    file_id: str
    key: str
    name: str
    size: int
    content_type: str
    sha256: str
    updated_at: str
    deleted_at: str
    purge_at: str


class TrashList(List[TrashItem]):
    """One page of the trash: a plain ``list`` of items, plus ``next_cursor`` (``None`` at the end)."""

    def __init__(self, items: Iterable[TrashItem] = (), next_cursor: Optional[str] = None) -> None:
        super().__init__(items)
        self.next_cursor = next_cursor

    def __repr__(self) -> str:
        return f"TrashList({list.__repr__(self)}, next_cursor={self.next_cursor!r})"


class WorkspaceSettings(Workspace):
    """A workspace with its data-lifecycle settings."""

    trash_days: int
    keep_versions: int
    quota_bytes: Optional[int]
    quota_files: Optional[int]


class WorkspaceUsage(TypedDict):
    """What a workspace holds: current files and bytes, and bytes kept by versions and the trash."""

    files: int
    bytes: int
    version_bytes: int
    trash_bytes: int
    versions: int
    trash_files: int


class _JobBase(TypedDict):
    job_id: str
    status: str


class Job(_JobBase, total=False):
    """A background folder operation: ``status`` is ``running``, then ``done`` or ``failed``."""

    kind: str
    done: int
    total: int
    error: Optional[Dict[str, Any]]


#: What a folder operation answers (e.g. ``{"deleted": 3}``): the server's counts.
FolderResult = Dict[str, Any]


def json_object(value: Any) -> Dict[str, Any]:
    """``value`` if the server answered a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}
