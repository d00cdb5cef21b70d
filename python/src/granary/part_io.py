"""Reading a file's parts: a streaming body for one part, whole-file hashing, progress that
counts each byte once. The byte-level pieces of the multipart engine (``multipart.py``)."""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from typing import IO, Callable, Dict, List, Mapping, Optional, Protocol, Tuple

from .errors import FileChangedError
from .models import UploadPart
from .sizes import KiB, MiB

__all__ = ["Cancelled", "Layout", "PartReader", "Progress", "HashPass", "is_md5_etag", "clean_etag"]

BLOCK = 1 * MiB  # file read / hash block
_PROGRESS_STEP = 256 * KiB  # progress is reported at least this coarsely (and at each part's end)
_HEX32 = re.compile(r"[0-9a-f]{32}")


class Digest(Protocol):
    """What ``hashlib`` objects offer."""

    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


class Cancelled(BaseException):
    """Raised inside a part reader when the upload is being stopped (another part failed)."""


def clean_etag(value: Optional[str]) -> str:
    """An ETag without quotes or the weak prefix, lower-case."""
    etag = (value or "").strip()
    if etag.startswith("W/"):
        etag = etag[2:]
    return etag.strip('"').lower()


def is_md5_etag(etag: str) -> bool:
    """S3 ETags of single-part objects are the MD5 of the bytes: 32 hex digits."""
    return _HEX32.fullmatch(etag) is not None


@dataclass(frozen=True)
class Layout:
    """How a file of ``size`` bytes is cut into numbered parts of ``part_size`` (the last shorter)."""

    size: int
    part_size: int
    part_count: int

    def range(self, n: int) -> Tuple[int, int]:
        """``(offset, length)`` of part ``n`` (1-based)."""
        offset = (n - 1) * self.part_size
        return offset, min(self.part_size, self.size - offset)

    def consistent(self) -> bool:
        expected = -(-self.size // self.part_size) if self.size and self.part_size > 0 else 0
        return self.part_size > 0 and self.part_count == expected


class Progress:
    """Turns the bytes each part's attempts read into monotone increments for the callback.

    A retried part does not count twice: only bytes beyond the part's high-water mark count, so
    the increments always add up to the file size.
    """

    def __init__(self, callback: Optional[Callable[[int], object]]) -> None:
        self._callback = callback
        self._lock = threading.Lock()
        self._high: Dict[int, int] = {}
        self._pending = 0
        self.total = 0

    def skip(self, part_number: int, size: int) -> None:
        """A part that needs no sending (already on the server): count it at once."""
        self.advance(part_number, size, flush=True)

    def advance(self, part_number: int, position: int, flush: bool = False) -> None:
        with self._lock:
            high = self._high.get(part_number, 0)
            if position > high:
                self._high[part_number] = position
                self._pending += position - high
                self.total += position - high
            if self._pending and (flush or self._pending >= _PROGRESS_STEP):
                self._emit()

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self._emit()

    def _emit(self) -> None:
        n, self._pending = self._pending, 0
        if self._callback is not None:
            self._callback(n)


class PartReader:
    """A file-like body for one part: ``len()`` = the part's size, ``read(n)`` streams it.

    Reads the file in 1 MiB blocks from its own handle at the part's offset, hashes each block as
    it goes (SHA-256 and/or MD5) and serves the block in the sizes ``http.client`` asks for. At
    most one block per part in flight is ever in memory. It cannot rewind: a failed part is sent
    again with a new reader.
    """

    def __init__(
        self,
        path: str,
        offset: int,
        size: int,
        *,
        sha256: bool,
        md5: bool,
        stop: threading.Event,
        on_read: Callable[[int], None],
    ) -> None:
        self._fh = open(path, "rb")
        self._fh.seek(offset)
        self._size = size
        self._left = size
        self._position = 0
        self._buf = b""
        self._at = 0
        self._stop = stop
        self._on_read = on_read
        self._sha = hashlib.sha256() if sha256 else None
        self._md5 = hashlib.md5(usedforsecurity=False) if md5 else None

    def __len__(self) -> int:
        return self._size

    def read(self, n: Optional[int] = -1) -> bytes:
        if self._stop.is_set():
            raise Cancelled()
        if self._at >= len(self._buf):
            if self._left <= 0:
                return b""
            self._next_block()
        if n is None or n < 0:
            n = len(self._buf) - self._at
        chunk = self._buf if self._at == 0 and n >= len(self._buf) else self._buf[self._at : self._at + n]
        self._at += len(chunk)
        self._position += len(chunk)
        self._on_read(self._position)
        return chunk

    def _next_block(self) -> None:
        block = self._fh.read(min(BLOCK, self._left))
        if not block:
            raise FileChangedError(f"file shrank while uploading: part ends {self._left} bytes early")
        self._left -= len(block)
        if self._sha is not None:
            self._sha.update(block)
        if self._md5 is not None:
            self._md5.update(block)
        self._buf, self._at = block, 0

    @property
    def complete(self) -> bool:
        return self._left == 0 and self._at >= len(self._buf)

    def sha256(self) -> Optional[str]:
        return self._sha.hexdigest() if self._sha is not None and self.complete else None

    def md5(self) -> Optional[str]:
        return self._md5.hexdigest() if self._md5 is not None and self.complete else None

    def close(self) -> None:
        self._buf = b""
        self._fh.close()


@dataclass
class HashPass:
    """One sequential pass over the file: the whole file's SHA-256 (``whole``), and which parts
    the server holds (``present``) differ from the file (``bad``). Runs in its own thread."""

    path: str
    layout: Layout
    present: Mapping[int, UploadPart]
    whole: bool
    stop: threading.Event
    bad: List[int] = field(default_factory=list)
    sha256: Optional[str] = None
    error: Optional[BaseException] = None

    def run(self) -> None:
        try:
            whole: Optional[Digest] = hashlib.sha256() if self.whole else None
            with open(self.path, "rb") as fh:
                for n in range(1, self.layout.part_count + 1):
                    if not self._part(fh, n, whole):
                        return
            if whole is not None:
                self.sha256 = whole.hexdigest()
        except BaseException as exc:  # handed to the main thread
            self.error = exc

    def _part(self, fh: IO[bytes], n: int, whole: Optional[Digest]) -> bool:
        theirs = self.present.get(n)
        if whole is None and theirs is None:
            return True
        offset, length = self.layout.range(n)
        digest = _part_digest(theirs)
        fh.seek(offset)
        left = length
        while left:
            if self.stop.is_set():
                return False
            block = fh.read(min(BLOCK, left))
            if not block:
                raise FileChangedError("file shrank while uploading")
            left -= len(block)
            if whole is not None:
                whole.update(block)
            if digest is not None:
                digest[0].update(block)
        if digest is not None and digest[0].hexdigest() != digest[1]:
            self.bad.append(n)
        return True


def _part_digest(theirs: Optional[UploadPart]) -> Optional[Tuple[Digest, str]]:
    """The hash to check a present part with, and the value it must reach."""
    if theirs is None:
        return None
    if theirs.get("sha256"):
        return hashlib.sha256(), str(theirs["sha256"]).lower()
    etag = clean_etag(theirs.get("etag"))
    if is_md5_etag(etag):
        return hashlib.md5(usedforsecurity=False), etag
    return None
