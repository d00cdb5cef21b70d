"""Resume state: one small JSON file per unfinished multipart upload, in the format the CLI
(``packages/cli/src/upload-state.ts``) reads and writes too, so either tool resumes the other's.

The format (version 1), documented in ``python/README.md`` and ``packages/cli/README.md``:

* folder: ``$GRANARY_STATE_DIR/uploads/``, ``GRANARY_STATE_DIR`` defaulting to ``~/.granary``;
* name: the lower-case hex SHA-256 of the UTF-8 lines ``granary-upload-v1``, server URL (no
  trailing ``/``), workspace id, key (folder with a trailing ``/``, then the file name), size,
  mtime in whole milliseconds and the absolute local path, joined by ``\\n``; then ``.json``;
* content: ``{"version": 1, "upload_id", "file_key", "server_url", "workspace_id", "key",
  "path", "size", "mtime_ms", "created_at"}``.

A file whose fields do not match the upload being started is ignored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, Optional, TypedDict

__all__ = ["UploadIdentity", "SavedUpload", "StateStore", "default_state_dir", "FORMAT_VERSION"]

log = logging.getLogger("granary")

FORMAT_VERSION = 1


def default_state_dir() -> str:
    """The state root: ``GRANARY_STATE_DIR``, else ``~/.granary``; upload files live in ``uploads/``."""
    return os.environ.get("GRANARY_STATE_DIR") or os.path.join(os.path.expanduser("~"), ".granary")


class SavedUpload(TypedDict):
    """One state file's content."""

    version: int
    upload_id: str
    file_key: str
    server_url: str
    workspace_id: str
    key: str
    path: str
    size: int
    mtime_ms: int
    created_at: str


@dataclass(frozen=True)
class UploadIdentity:
    """What makes two uploads the same: the same bytes to the same key of the same server."""

    server_url: str
    workspace_id: str
    key: str
    path: str
    size: int
    mtime_ms: int

    @staticmethod
    def of(local_path: str, st: os.stat_result, *, server_url: str, workspace_id: str, key: str) -> UploadIdentity:
        return UploadIdentity(
            server_url=server_url.rstrip("/"),
            workspace_id=workspace_id,
            key=key,
            path=os.path.abspath(local_path),
            size=st.st_size,
            mtime_ms=st.st_mtime_ns // 1_000_000,
        )

    def file_name(self) -> str:
        lines = [
            "granary-upload-v1",
            self.server_url,
            self.workspace_id,
            self.key,
            str(self.size),
            str(self.mtime_ms),
            self.path,
        ]
        return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest() + ".json"

    def matches(self, saved: Dict[str, Any]) -> bool:
        return all(saved.get(k) == v for k, v in self._fields().items())

    def _fields(self) -> Dict[str, Any]:
        return {
            "server_url": self.server_url,
            "workspace_id": self.workspace_id,
            "path": self.path,
            "size": self.size,
            "mtime_ms": self.mtime_ms,
        }


class StateStore:
    """The state files under one state root. Never fails an upload: resume is a convenience."""

    def __init__(self, root: str) -> None:
        self.directory = os.path.join(root, "uploads")

    def path(self, identity: UploadIdentity) -> str:
        return os.path.join(self.directory, identity.file_name())

    def load(self, identity: UploadIdentity) -> Optional[SavedUpload]:
        """The saved upload for ``identity``, or ``None`` (missing, unreadable, another upload's)."""
        try:
            with open(self.path(identity), encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("upload_id"), str):
            return None
        if data.get("version") != FORMAT_VERSION or not identity.matches(data):
            return None
        saved: SavedUpload = {
            "version": FORMAT_VERSION,
            "upload_id": data["upload_id"],
            "file_key": str(data.get("file_key") or identity.key),
            "server_url": identity.server_url,
            "workspace_id": identity.workspace_id,
            "key": str(data.get("key") or identity.key),
            "path": identity.path,
            "size": identity.size,
            "mtime_ms": identity.mtime_ms,
            "created_at": str(data.get("created_at") or ""),
        }
        return saved

    def save(self, identity: UploadIdentity, *, upload_id: str, file_key: str) -> None:
        saved: SavedUpload = {
            "version": FORMAT_VERSION,
            "upload_id": upload_id,
            "file_key": file_key,
            "server_url": identity.server_url,
            "workspace_id": identity.workspace_id,
            "key": identity.key,
            "path": identity.path,
            "size": identity.size,
            "mtime_ms": identity.mtime_ms,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        final = self.path(identity)
        tmp = f"{final}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            # Aside, then renamed: a kill mid-write never leaves half a state file.
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(saved, fh, indent=2)
                fh.write("\n")
            os.replace(tmp, final)
        except OSError as exc:
            log.warning("granary: cannot write upload state in %s: %s", self.directory, exc)

    def remove(self, identity: UploadIdentity) -> None:
        try:
            os.unlink(self.path(identity))
        except OSError:
            pass
