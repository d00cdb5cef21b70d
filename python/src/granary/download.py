"""Writing a download to disk: to a hidden temp file beside the destination, renamed into place
only once complete, so a failed download never leaves a partial file under the final name."""

from __future__ import annotations

import os
import secrets
from typing import Iterable, Optional, Tuple

from ._streams import ProgressCallback
from .paths import PathLike

__all__ = ["destination", "save"]


def destination(dest: PathLike, name: str) -> Tuple[str, str]:
    """``(folder, final path)`` for ``dest``: a folder (existing, or ending in a separator) gets
    ``name`` inside it; anything else is the file path itself. The folder is created."""
    dest_s = os.fspath(dest)
    seps = (os.sep, os.altsep) if os.altsep else (os.sep,)
    if dest_s.endswith(seps) or dest_s.endswith("/") or os.path.isdir(dest_s):
        where, final = dest_s, os.path.join(dest_s, name)
    else:
        where, final = os.path.dirname(dest_s) or ".", dest_s
    os.makedirs(where, exist_ok=True)
    return where, final


def save(chunks: Iterable[bytes], folder: str, final: str, progress: Optional[ProgressCallback]) -> str:
    """Write ``chunks`` to ``final`` through a temp file in ``folder``, fsynced, then renamed."""
    tmp = os.path.join(folder, f".{os.path.basename(final)}.{secrets.token_hex(6)}.part")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
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
    return final
