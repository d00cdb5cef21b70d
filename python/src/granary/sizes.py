"""Byte counts: the size units the CLI accepts, and the multipart limits the server applies."""

from __future__ import annotations

import os
import re
from typing import Dict, Optional

from .errors import ConfigError

__all__ = [
    "KiB",
    "MiB",
    "GiB",
    "MULTIPART_THRESHOLD_DEFAULT",
    "LARGE_THRESHOLD_DEFAULT",
    "MIN_PART_SIZE",
    "MAX_PART_SIZE",
    "MAX_PARTS",
    "parse_size",
    "env_size",
]

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
#: Files larger than this go through the large-file flow in ``Files.upload_file``.
LARGE_THRESHOLD_DEFAULT = 100 * MiB
#: Files at or above this size use a multipart session (``GRANARY_MULTIPART_THRESHOLD``).
MULTIPART_THRESHOLD_DEFAULT = 5 * GiB
MIN_PART_SIZE = 5 * MiB
MAX_PART_SIZE = 5 * GiB
MAX_PARTS = 10_000

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def _units() -> Dict[str, int]:
    units = {"": 1, "b": 1}
    for i, p in enumerate("kmgt", start=1):
        units.update({p: 1024**i, p + "ib": 1024**i, p + "b": 1000**i})
    return units


_SIZE_UNITS = _units()


def parse_size(value: str) -> int:
    """Parse a byte count the way the CLI does: a number, optionally with a unit.

    ``KB/MB/GB/TB`` are powers of 1000; ``K/M/G/T`` and ``KiB/MiB/GiB/TiB`` powers of 1024
    (case-insensitive). A bad value raises :class:`ConfigError` (a ``ValueError``).

    Example::

        parse_size("5GiB") == 5 * 1024**3
        parse_size("64M") == 64 * 1024**2
        parse_size("100MB") == 100_000_000
    """
    m = _SIZE_RE.match(value)
    factor = _SIZE_UNITS.get(m.group(2).lower()) if m else None
    if m is None or factor is None:
        raise ConfigError(f"not a size: {value!r} (try 500MB, 100MiB or 1048576)")
    return round(float(m.group(1)) * factor)


def env_size(name: str) -> Optional[int]:
    """The size in environment variable ``name``, ``None`` when unset or blank."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return parse_size(raw)
    except ConfigError as exc:
        raise ConfigError(f"{name}: {exc}") from None
