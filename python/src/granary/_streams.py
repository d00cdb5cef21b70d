"""Streaming request bodies: never hold a file in memory.

Both classes are file-like objects with ``read(n)`` and ``__len__``: ``requests`` takes the length
for ``Content-Length`` (no chunked encoding, which the signed PUT refuses) and ``http.client``
pulls the bytes in small blocks.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from typing import IO, Callable, List, Optional, Sequence, Tuple, Union
from urllib.parse import quote

from .errors import FileChangedError

ProgressCallback = Callable[[int], object]

__all__ = ["MultipartBody", "FileReader", "ProgressCallback"]


class FileReader:
    """Reads an open binary file up to ``size`` bytes, hashing and reporting progress on the way.

    ``sha256`` holds the hex digest once everything was read (``None`` before). ``rewind()``
    starts again from the first byte (for a retry), if the file can seek; progress then reports
    only bytes beyond the furthest point reached, so the increments still add up to ``size``.
    """

    def __init__(
        self,
        fh: IO[bytes],
        size: int,
        progress: Optional[ProgressCallback] = None,
    ) -> None:
        self._fh = fh
        self._size = size
        self._left = size
        self._progress = progress
        self._hash = hashlib.sha256()
        self._start = fh.tell() if fh.seekable() else None
        self._reported = 0
        self.sha256: Optional[str] = None

    def __len__(self) -> int:
        return self._size

    def rewind(self) -> bool:
        """Go back to the first byte; False when the file cannot seek (the body is spent)."""
        if self._start is None:
            return False
        self._fh.seek(self._start)
        self._left = self._size
        self._hash = hashlib.sha256()
        self.sha256 = None
        return True

    def read(self, n: Optional[int] = -1) -> bytes:
        if self._left <= 0:
            self._finish()
            return b""
        if n is None or n < 0 or n > self._left:
            n = min(self._left, 1024 * 1024)
        data = self._fh.read(n)
        if not data:
            raise FileChangedError(f"file shrank while uploading: {self._size - self._left} of {self._size} bytes read")
        self._left -= len(data)
        self._hash.update(data)
        self._report()
        if self._left == 0:
            self._finish()
        return data

    def _report(self) -> None:
        done = self._size - self._left
        if done > self._reported:
            if self._progress is not None:
                self._progress(done - self._reported)
            self._reported = done

    def _finish(self) -> None:
        if self.sha256 is None:
            self.sha256 = self._hash.hexdigest()


def _quote_param(value: str) -> str:
    """Quote a Content-Disposition parameter the way browsers do (WHATWG HTML form encoding)."""
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class MultipartBody:
    """A ``multipart/form-data`` body built on the fly: the text fields first, then one file part.

    The total length is computed up front from the file's size, so the request carries an exact
    ``Content-Length``; the file's bytes are read in blocks as the connection asks for them.

    Example::

        with open("sample.vcf", "rb") as fh:
            body = MultipartBody([("workspace_id", "ws_abc123")], "file", "sample.vcf",
                                 fh, os.path.getsize("sample.vcf"))
            requests.post(url, data=body, headers={"Content-Type": body.content_type})
    """

    def __init__(
        self,
        fields: Sequence[Tuple[str, str]],
        file_field: str,
        filename: str,
        fh: IO[bytes],
        size: int,
        content_type: str = "application/octet-stream",
        progress: Optional[ProgressCallback] = None,
        boundary: Optional[str] = None,
    ) -> None:
        self.boundary = boundary or f"granary-{uuid.uuid4().hex}"
        b = self.boundary.encode("ascii")
        head = bytearray()
        for name, value in fields:
            head += b"--" + b + b"\r\n"
            head += f'Content-Disposition: form-data; name="{_quote_param(name)}"\r\n\r\n'.encode()
            head += value.encode("utf-8") + b"\r\n"
        disposition = f'form-data; name="{_quote_param(file_field)}"; filename="{_quote_param(filename)}"'
        if not filename.isascii():
            # RFC 7578 forbids filename*, but busboy (Fastify) and most parsers prefer it when present.
            disposition += f"; filename*=utf-8''{quote(filename, safe='')}"
        head += b"--" + b + b"\r\n"
        head += f"Content-Disposition: {disposition}\r\n".encode()
        head += f"Content-Type: {content_type}\r\n\r\n".encode()
        self._head = bytes(head)
        self._tail = b"\r\n--" + b + b"--\r\n"
        self.file = FileReader(fh, size, progress)
        self._parts: List[Union[bytes, FileReader]] = [self._head, self.file, self._tail]
        self._length = len(self._head) + size + len(self._tail)
        self._index = 0
        self._offset = 0

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value, with the boundary."""
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self._length

    def rewind(self) -> bool:
        """Start the body again (for a retry); False when the file cannot seek."""
        if not self.file.rewind():
            return False
        self._index = 0
        self._offset = 0
        return True

    def read(self, n: Optional[int] = -1) -> bytes:
        if n is None or n < 0:
            n = 1024 * 1024
        while self._index < len(self._parts):
            part = self._parts[self._index]
            if isinstance(part, bytes):
                if self._offset < len(part):
                    chunk = part[self._offset : self._offset + n]
                    self._offset += len(chunk)
                    return chunk
            else:
                chunk = part.read(n)
                if chunk:
                    return chunk
            self._index += 1
            self._offset = 0
        return b""


def file_size(fh: IO[bytes]) -> int:
    """The number of bytes from the current position to the end of an open regular file."""
    return os.fstat(fh.fileno()).st_size - fh.tell()
