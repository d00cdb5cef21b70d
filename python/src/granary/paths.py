"""Keys from folders and file names: ``path`` is a folder, the key is ``path`` + file name."""

from __future__ import annotations

import os
from typing import Optional, Union

__all__ = ["PathLike", "folder", "key_for"]

PathLike = Union[str, "os.PathLike[str]"]


def folder(path: Optional[str]) -> Optional[str]:
    """``"raw"`` -> ``"raw/"``; ``None`` or ``""`` -> ``None`` (the workspace's top)."""
    if not path:
        return None
    return path if path.endswith("/") else path + "/"


def key_for(path: Optional[str], name: str) -> str:
    """The key a file named ``name`` gets in folder ``path``: ``key_for("raw", "a.vcf") == "raw/a.vcf"``."""
    return (folder(path) or "") + name
