"""Multipart upload sessions: ``client.files.uploads`` and the engine behind
:meth:`granary.files.Files.upload_file` for big files.

A session cuts a file into numbered parts of ``part_size`` bytes (the last one shorter). Part URLs
are signed on demand, in batches, and can be signed again at any time, so no upload depends on one
URL's lifetime. Parts go up in parallel threads, each streamed from the file in small blocks (never
a whole part in memory), are retried with exponential backoff, and are verified against what the
server (SHA-256, local backend) or the store (``ETag`` = MD5, S3) says it received. A small JSON
state file remembers the session, so running the same upload again after a crash, a reboot or a
lost network sends only the parts the server does not hold yet.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import logging
import os
import random
import re
import threading
import time
from datetime import datetime, timezone
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Optional,
    Sequence,
    Set,
)

from .errors import ApiError, GranaryError, NetworkError

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

__all__ = [
    "Uploads",
    "UploadInfo",
    "MULTIPART_THRESHOLD_DEFAULT",
    "MIN_PART_SIZE",
    "MAX_PART_SIZE",
    "MAX_PARTS",
    "parse_size",
    "default_state_dir",
]

log = logging.getLogger("granary")

#: An upload session as the server describes it: ``upload_id``, ``file_key``, ``workspace_id``,
#: ``status``, ``multipart``, ``size``, ``part_size``, ``part_count``, ``parts`` (``get`` only:
#: ``[{"part_number", "size", "sha256", "etag"}]``), ``created_at``, ``expires_at``.
UploadInfo = Dict[str, Any]

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
#: Files at or above this size use a multipart session (``GRANARY_MULTIPART_THRESHOLD``).
MULTIPART_THRESHOLD_DEFAULT = 5 * GiB
MIN_PART_SIZE = 5 * MiB
MAX_PART_SIZE = 5 * GiB
MAX_PARTS = 10_000
#: The server signs at most this many part URLs per call.
SIGN_BATCH_MAX = 1000

_BLOCK = 1 * MiB  # file read / hash block
_PROGRESS_STEP = 256 * KiB  # progress is reported at least this coarsely (and at each part's end)
_EXPIRY_MARGIN_S = 120.0  # a part URL this close to expiry is signed again before use
_MAX_RESIGNS = 3  # consecutive 403s on one part before giving up on it
_RETRY_STATUSES = {408, 425, 429}
_HEX32 = re.compile(r"[0-9a-f]{32}")

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1}
for _i, _p in enumerate("kmgt", start=1):
    _SIZE_UNITS.update({_p: 1024**_i, _p + "ib": 1024**_i, _p + "b": 1000**_i})


def parse_size(value: str) -> int:
    """Parse a byte count the way the CLI does: a number, optionally with a unit.

    ``KB/MB/GB/TB`` are powers of 1000; ``K/M/G/T`` and ``KiB/MiB/GiB/TiB`` powers of 1024
    (case-insensitive).

    Example::

        parse_size("5GiB") == 5 * 1024**3
        parse_size("64M") == 64 * 1024**2
        parse_size("100MB") == 100_000_000
    """
    m = _SIZE_RE.match(value)
    factor = _SIZE_UNITS.get(m.group(2).lower()) if m else None
    if m is None or factor is None:
        raise ValueError(f"not a size: {value!r} (try 500MB, 100MiB or 1048576)")
    return round(float(m.group(1)) * factor)


def _env_size(name: str) -> Optional[int]:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return parse_size(raw)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def default_state_dir() -> str:
    """Where resume state files live: ``GRANARY_STATE_DIR``, else ``~/.granary/uploads``."""
    return os.environ.get("GRANARY_STATE_DIR") or os.path.join(
        os.path.expanduser("~"), ".granary", "uploads"
    )


# ---------------------------------------------------------------------- the API calls


class Uploads:
    """Upload sessions, reached as ``client.files.uploads``.

    :meth:`granary.files.Files.upload_file` drives sessions for you; these calls are for
    inspecting and cleaning up (e.g. sessions left behind by a crashed job).

    Example::

        for up in client.files.uploads.list(workspace_id="ws_abc123"):
            print(up["upload_id"], up["file_key"], up["status"], up["size"])
            client.files.uploads.abort(up["upload_id"], workspace_id="ws_abc123")
    """

    def __init__(self, client: "Client") -> None:
        self._client = client

    def list(self, *, workspace_id: str) -> List[UploadInfo]:
        """The workspace's open uploads (multipart sessions and pending single PUTs), newest first.

        Each is a dict like :meth:`get`'s answer, without ``parts``.

        Example::

            open_uploads = client.files.uploads.list(workspace_id="ws_abc123")
            print(sum(u["size"] for u in open_uploads), "bytes in flight")
        """
        body = self._client.request_json(
            "GET", "/v1/files/uploads", params={"workspace_id": workspace_id}
        )
        uploads: List[UploadInfo] = list((body or {}).get("uploads") or [])
        return uploads

    def get(self, upload_id: str, *, workspace_id: str) -> UploadInfo:
        """One session: its ``status``, layout and the ``parts`` the store already holds.

        ``ApiError`` ``404 upload_not_found`` when there is no such upload.

        Example::

            up = client.files.uploads.get("up_...", workspace_id="ws_abc123")
            have = {p["part_number"] for p in up["parts"]}
            missing = [n for n in range(1, up["part_count"] + 1) if n not in have]
        """
        info: UploadInfo = self._client.request_json(
            "GET", f"/v1/files/uploads/{_seg(upload_id)}", params={"workspace_id": workspace_id}
        )
        return info

    def abort(self, upload_id: str, *, workspace_id: str) -> None:
        """Abort a session and drop the parts already sent.

        Example::

            client.files.uploads.abort("up_...", workspace_id="ws_abc123")
        """
        self._client.request(
            "DELETE",
            f"/v1/files/uploads/{_seg(upload_id)}",
            params={"workspace_id": workspace_id},
        ).close()

    def sign_parts(
        self,
        upload_id: str,
        *,
        workspace_id: str,
        part_numbers: Iterable[int],
        expires_in: Optional[int] = None,
    ) -> List[Dict[str, Any]]:
        """Sign PUT URLs for parts (1-based), in batches of at most 1000 per request.

        Returns ``[{"part_number", "size", "url", "headers", "expires_at"}]`` with absolute URLs.
        ``PUT`` exactly that part's bytes to ``url`` with exactly ``headers`` and no API key.

        Example::

            (p,) = client.files.uploads.sign_parts("up_...", workspace_id="ws_abc123",
                                                   part_numbers=[1])
            with open("big.bam", "rb") as f:
                requests.put(p["url"], data=f.read(p["size"]), headers=p["headers"])
        """
        numbers = [int(n) for n in part_numbers]
        out: List[Dict[str, Any]] = []
        for i in range(0, len(numbers), SIGN_BATCH_MAX):
            payload: Dict[str, Any] = {
                "workspace_id": workspace_id,
                "part_numbers": numbers[i : i + SIGN_BATCH_MAX],
            }
            if expires_in is not None:
                payload["expires_in"] = expires_in
            body = self._client.request_json(
                "POST", f"/v1/files/uploads/{_seg(upload_id)}/parts", json=payload
            )
            for part in (body or {}).get("parts") or []:
                part = dict(part)
                part["url"] = self._client.resolve(part["url"])
                out.append(part)
        return out


def _seg(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


# ---------------------------------------------------------------------- resume state


class _StateStore:
    """One small JSON file per upload in flight, named by a hash of what identifies it."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    @staticmethod
    def key(**identity: Any) -> str:
        raw = json.dumps(identity, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key + ".json")

    def load(self, key: str) -> Optional[Dict[str, Any]]:
        try:
            with open(self._path(key), "r", encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def save(self, key: str, data: Dict[str, Any]) -> None:
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            final = self._path(key)
            tmp = f"{final}.{os.getpid()}.{threading.get_ident()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
            os.replace(tmp, final)
        except OSError as exc:  # resume is a convenience: never fail an upload for it
            log.warning("granary: cannot write upload state in %s: %s", self.directory, exc)

    def remove(self, key: str) -> None:
        try:
            os.unlink(self._path(key))
        except OSError:
            pass


# ---------------------------------------------------------------------- the engine


class _Cancelled(BaseException):
    """Raised inside a part reader when the upload is being stopped (another part failed)."""


class _Progress:
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
                n, self._pending = self._pending, 0
                if self._callback is not None:
                    self._callback(n)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                n, self._pending = self._pending, 0
                if self._callback is not None:
                    self._callback(n)


class _PartReader:
    """A file-like body for one part: ``len()`` = the part's size, ``read(n)`` streams it.

    Reads the file in 1 MiB blocks from its own handle at the part's offset, hashes each block as
    it goes (SHA-256 and/or MD5) and serves the block in the sizes ``http.client`` asks for. At
    most one block per part in flight is ever in memory.
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

    def read(self, n: int = -1) -> bytes:
        if self._stop.is_set():
            raise _Cancelled()
        if self._at >= len(self._buf):
            if self._left <= 0:
                return b""
            block = self._fh.read(min(_BLOCK, self._left))
            if not block:
                raise GranaryError(
                    f"file shrank while uploading: part ends {self._left} bytes early"
                )
            self._left -= len(block)
            if self._sha is not None:
                self._sha.update(block)
            if self._md5 is not None:
                self._md5.update(block)
            self._buf, self._at = block, 0
        if n is None or n < 0:
            n = len(self._buf) - self._at
        if self._at == 0 and n >= len(self._buf):
            chunk = self._buf
        else:
            chunk = self._buf[self._at : self._at + n]
        self._at += len(chunk)
        self._position += len(chunk)
        self._on_read(self._position)
        return chunk

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


def _parse_time(value: Any) -> Optional[float]:
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


class _PartSigner:
    """Signed part URLs, fetched in batches on demand and signed again when near expiry or refused."""

    def __init__(
        self,
        uploads: Uploads,
        upload_id: str,
        workspace_id: str,
        order: Sequence[int],
        batch: int,
        expires_in: Optional[int] = None,
    ) -> None:
        self._uploads = uploads
        self._upload_id = upload_id
        self._workspace_id = workspace_id
        self._order = list(order)
        self._index = {n: i for i, n in enumerate(self._order)}
        self._batch = max(1, min(batch, SIGN_BATCH_MAX))
        self._expires_in = expires_in
        self._lock = threading.Lock()
        self._cache: Dict[int, Dict[str, Any]] = {}
        self._deadline: Dict[int, float] = {}
        self._done: Set[int] = set()
        self.sign_calls = 0

    def extend(self, parts: Iterable[int]) -> None:
        with self._lock:
            for n in parts:
                self._done.discard(n)
                if n not in self._index:
                    self._index[n] = len(self._order)
                    self._order.append(n)

    def _fresh(self, n: int) -> bool:
        return n in self._cache and time.monotonic() < self._deadline.get(n, 0.0)

    def get(self, n: int) -> Dict[str, Any]:
        with self._lock:
            if self._fresh(n):
                return self._cache[n]
            wanted = [n]
            start = self._index.get(n, len(self._order)) + 1
            for m in self._order[start:]:
                if len(wanted) >= self._batch:
                    break
                if m not in self._done and not self._fresh(m):
                    wanted.append(m)
            signed = self._uploads.sign_parts(
                self._upload_id,
                workspace_id=self._workspace_id,
                part_numbers=wanted,
                expires_in=self._expires_in,
            )
            self.sign_calls += 1
            now_wall, now_mono = time.time(), time.monotonic()
            for part in signed:
                m = int(part["part_number"])
                self._cache[m] = part
                expires = _parse_time(part.get("expires_at"))
                life = (expires - now_wall) if expires is not None else None
                if life is None:
                    self._deadline[m] = now_mono + 86400.0  # no expiry given: until refused
                elif life <= 2 * _EXPIRY_MARGIN_S:
                    # Very short-lived, or our clock is off: reuse briefly; a 403 signs it again.
                    self._deadline[m] = now_mono + min(60.0, max(life / 2, 1.0))
                else:
                    self._deadline[m] = now_mono + life - _EXPIRY_MARGIN_S
            if n not in self._cache:
                raise ApiError(
                    500, "internal_error", f"the server signed no URL for part {n} of {self._upload_id}"
                )
            return self._cache[n]

    def invalidate(self, n: int) -> None:
        with self._lock:
            self._cache.pop(n, None)
            self._deadline.pop(n, None)

    def done(self, n: int) -> None:
        with self._lock:
            self._done.add(n)
            self._cache.pop(n, None)
            self._deadline.pop(n, None)


def _retriable(exc: BaseException) -> bool:
    if isinstance(exc, NetworkError):
        return True
    if isinstance(exc, ApiError):
        if exc.status >= 500 or exc.status in _RETRY_STATUSES:
            return True
        # A part that arrived short or damaged: send it again.
        return exc.code in ("upload_incomplete", "checksum_mismatch", "size_mismatch")
    return False


class MultipartUpload:
    """One multipart session being sent from a local file. Used by ``Files.upload_file``.

    ``run(present)`` sends every part not in ``present`` (``{part_number: server part dict}``),
    re-sends present parts whose checksum does not match the local file, and confirms.
    ``bytes_sent`` counts the part bytes read onto the wire by this run (retries included).
    """

    def __init__(
        self,
        client: "Client",
        *,
        local_path: str,
        size: int,
        upload_id: str,
        file_key: str,
        filename: str,
        workspace_id: str,
        part_size: int,
        part_count: int,
        progress: Optional[Callable[[int], object]] = None,
        concurrency: int = 4,
        retries: int = 5,
        checksum: bool = True,
        sign_expires_in: Optional[int] = None,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        self._client = client
        self.uploads = Uploads(client)
        self.local_path = local_path
        self.size = size
        self.upload_id = upload_id
        self.file_key = file_key
        self.filename = filename
        self.workspace_id = workspace_id
        self.part_size = part_size
        self.part_count = part_count
        self.concurrency = max(1, int(concurrency))
        self.retries = max(0, int(retries))
        self.checksum = checksum
        self.sign_expires_in = sign_expires_in
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._progress = _Progress(progress)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        # Which digests the server answers with, learnt from the first part: compute only those.
        self._want_sha256 = True
        self._want_md5 = True
        # S3 ETags are the part's MD5 except with SSE-KMS/SSE-C, where they are opaque 32-hex
        # strings: once two answers disagree and none ever agreed, stop treating them as MD5s
        # (real damage is still caught by the whole file's SHA-256 at confirm).
        self._etag_is_md5: Optional[bool] = None
        self._etag_mismatches = 0
        self.bytes_sent = 0
        self.parts_sent: List[int] = []
        self.sha256: Optional[str] = None
        #: True once the server has dropped the session (aborted, expired, failed its checksum):
        #: resuming it is pointless.
        self.session_gone = False
        self._signer: Optional[_PartSigner] = None

        expected = -(-size // part_size) if size else 0
        if part_size <= 0 or part_count != expected:
            raise ApiError(
                500,
                "internal_error",
                f"inconsistent session layout: {part_count} parts of {part_size} bytes for {size} bytes",
            )

    # -------------------------------------------------------------- layout

    def part_range(self, n: int) -> "tuple[int, int]":
        """``(offset, length)`` of part ``n`` (1-based)."""
        offset = (n - 1) * self.part_size
        return offset, min(self.part_size, self.size - offset)

    # -------------------------------------------------------------- one part

    def _put_part(self, n: int) -> Dict[str, Any]:
        """Send part ``n`` once: sign (or reuse) its URL, stream its bytes, verify the answer.

        The seam tests use to simulate a crash after some parts.
        """
        assert self._signer is not None
        signed = self._signer.get(n)
        offset, length = self.part_range(n)
        counted = [0]

        def on_read(position: int) -> None:
            with self._lock:
                self.bytes_sent += position - counted[0]
            counted[0] = position
            self._progress.advance(n, position, flush=position == length)

        reader = _PartReader(
            self.local_path,
            offset,
            length,
            sha256=self._want_sha256,
            md5=self._want_md5,
            stop=self._stop,
            on_read=on_read,
        )
        try:
            resp = self._client.send(
                str(signed.get("method") or "PUT"),
                signed["url"],
                data=reader,
                headers=dict(signed.get("headers") or {}),
            )
        finally:
            reader.close()
        try:
            return self._verify(n, length, reader, resp)
        finally:
            resp.close()

    def _verify(self, n: int, length: int, reader: _PartReader, resp: Any) -> Dict[str, Any]:
        rid = resp.headers.get("x-request-id")
        body: Any = None
        if "json" in (resp.headers.get("Content-Type") or "") and resp.content:
            try:
                body = resp.json()
            except ValueError:
                body = None
        record: Dict[str, Any] = {"part_number": n, "size": length, "sha256": None, "etag": None}
        if not reader.complete:
            raise ApiError(
                resp.status_code, "upload_incomplete", f"part {n}: the answer came before all bytes were sent", rid
            )
        if isinstance(body, dict) and isinstance(body.get("sha256"), str):
            theirs = body["sha256"].lower()
            ours = reader.sha256()
            self._want_md5 = False  # this server reports SHA-256: MD5 is not needed
            if body.get("size") is not None and int(body["size"]) != length:
                raise ApiError(422, "size_mismatch", f"part {n}: the server received {body['size']} of {length} bytes", rid)
            if ours is not None and ours != theirs:
                raise ApiError(
                    422, "checksum_mismatch", f"part {n}: the server got SHA-256 {theirs}, the file has {ours}", rid
                )
            record["sha256"] = theirs
        etag = (resp.headers.get("ETag") or "").strip()
        if etag.startswith("W/"):
            etag = etag[2:]
        etag = etag.strip('"').lower()
        if etag:
            record["etag"] = etag
        if record["sha256"] is None and _HEX32.fullmatch(etag) and self._etag_is_md5 is not False:
            ours = reader.md5()
            self._want_sha256 = False  # the store reports MD5 ETags
            if ours is not None and ours == etag:
                with self._lock:
                    self._etag_is_md5 = True
            elif ours is not None:
                with self._lock:
                    self._etag_mismatches += 1
                    opaque = self._etag_is_md5 is None and self._etag_mismatches >= 2
                    if opaque:
                        self._etag_is_md5 = False
                if opaque:
                    log.warning(
                        "granary: the store's ETags are not MD5s (SSE-KMS?): parts are not checked "
                        "one by one; the whole file's SHA-256 still is at confirm"
                    )
                    return record
                raise ApiError(
                    422, "checksum_mismatch", f"part {n}: the store got MD5 {etag}, the file has {ours}", rid
                )
        return record

    def _send_part(self, n: int) -> Dict[str, Any]:
        """Send part ``n`` with retries: exponential backoff on failures, a new URL on 403."""
        assert self._signer is not None
        failures = 0
        resigns = 0
        while True:
            if self._stop.is_set():
                raise _Cancelled()
            try:
                return self._put_part(n)
            except (ApiError, NetworkError) as exc:
                if isinstance(exc, ApiError) and exc.status == 403 and resigns < _MAX_RESIGNS:
                    # Expired (or otherwise refused) URL: sign it again and retry at once.
                    resigns += 1
                    log.info("granary: part %d URL refused (%s), signing again", n, exc.code)
                    self._signer.invalidate(n)
                    continue
                if not _retriable(exc) or failures >= self.retries:
                    raise
                failures += 1
                resigns = 0
                delay = min(self.backoff_max, self.backoff_base * (2 ** (failures - 1)))
                delay *= 0.5 + random.random() / 2
                log.warning(
                    "granary: part %d failed (%s), retry %d/%d in %.1fs", n, exc, failures, self.retries, delay
                )
                if self._stop.wait(delay):
                    raise _Cancelled() from exc

    def _send_part_done(self, n: int) -> Dict[str, Any]:
        record = self._send_part(n)
        assert self._signer is not None
        self._signer.done(n)
        with self._lock:
            self.parts_sent.append(n)
        return record

    # -------------------------------------------------------------- many parts

    def _send_all(self, parts: Sequence[int]) -> None:
        if not parts:
            return
        assert self._signer is not None
        self._signer.extend(parts)
        pool = cf.ThreadPoolExecutor(max_workers=min(self.concurrency, len(parts)), thread_name_prefix="granary-part")
        futures: List["cf.Future[Dict[str, Any]]"] = []
        try:
            futures = [pool.submit(self._send_part_done, n) for n in parts]
            pending: Set["cf.Future[Dict[str, Any]]"] = set(futures)
            while pending:
                done, pending = cf.wait(pending, timeout=0.5, return_when=cf.FIRST_EXCEPTION)
                for f in done:
                    exc = f.exception()
                    if exc is not None:
                        raise exc
        except BaseException:
            self._stop.set()
            for f in futures:
                f.cancel()
            raise
        finally:
            pool.shutdown(wait=True)
            self._progress.flush()

    def _hash_file(self, present: Dict[int, Dict[str, Any]], bad: List[int], out: Dict[str, Any]) -> None:
        """Sequential pass: the whole file's SHA-256, and the checksums of parts sent earlier."""
        try:
            whole = hashlib.sha256() if self.checksum else None
            with open(self.local_path, "rb") as fh:
                for n in range(1, self.part_count + 1):
                    offset, length = self.part_range(n)
                    theirs = present.get(n)
                    if whole is None and theirs is None:
                        continue
                    fh.seek(offset)
                    psha = hashlib.sha256() if theirs is not None and theirs.get("sha256") else None
                    etag = str((theirs or {}).get("etag") or "").strip('"').lower()
                    pmd5 = (
                        hashlib.md5(usedforsecurity=False)
                        if theirs is not None and psha is None and _HEX32.fullmatch(etag)
                        else None
                    )
                    left = length
                    while left:
                        if self._stop.is_set():
                            return
                        block = fh.read(min(_BLOCK, left))
                        if not block:
                            raise GranaryError("file shrank while uploading")
                        left -= len(block)
                        if whole is not None:
                            whole.update(block)
                        if psha is not None:
                            psha.update(block)
                        if pmd5 is not None:
                            pmd5.update(block)
                    if theirs is not None:
                        if psha is not None and psha.hexdigest() != str(theirs["sha256"]).lower():
                            bad.append(n)
                        elif pmd5 is not None and pmd5.hexdigest() != etag:
                            bad.append(n)
            if whole is not None:
                out["sha256"] = whole.hexdigest()
        except BaseException as exc:  # handed to the main thread
            out["error"] = exc

    def run(self, present: Optional[Dict[int, Dict[str, Any]]] = None) -> Dict[str, Any]:
        """Send what is missing, verify, confirm; return the file's metadata."""
        present = {
            n: p
            for n, p in (present or {}).items()
            if 1 <= n <= self.part_count and int(p.get("size", -1)) == self.part_range(n)[1]
        }
        todo = [n for n in range(1, self.part_count + 1) if n not in present]
        for n in present:
            self._progress.skip(n, self.part_range(n)[1])
        batch = max(16, 4 * self.concurrency)
        self._signer = _PartSigner(
            self.uploads, self.upload_id, self.workspace_id, todo, batch, self.sign_expires_in
        )
        bad: List[int] = []
        hashed: Dict[str, Any] = {}
        hasher: Optional[threading.Thread] = None
        if self.checksum or present:
            hasher = threading.Thread(
                target=self._hash_file, args=(present, bad, hashed), name="granary-hash", daemon=True
            )
            hasher.start()
        try:
            self._send_all(todo)
            if hasher is not None:
                while hasher.is_alive():
                    hasher.join(0.5)
                if "error" in hashed:
                    raise hashed["error"]
            if bad:
                log.warning("granary: parts %s on the server differ from the file: sending them again", bad)
                self._send_all(sorted(bad))
        except BaseException as exc:
            self._stop.set()
            if isinstance(exc, ApiError) and exc.code == "upload_not_found":
                self.session_gone = True
            raise
        self.sha256 = hashed.get("sha256")
        try:
            return self._confirm()
        except ApiError as exc:
            # A whole-file mismatch discards the bytes on the server; a vanished session is gone.
            if exc.code in ("checksum_mismatch", "size_mismatch", "upload_not_found"):
                self.session_gone = True
            raise

    def _confirm(self) -> Dict[str, Any]:
        for attempt in (1, 2):
            try:
                return self._client.files.upload_confirm(
                    file_key=self.file_key,
                    workspace_id=self.workspace_id,
                    filename=self.filename,
                    size=self.size,
                    upload_id=self.upload_id,
                    sha256=self.sha256,
                )
            except ApiError as exc:
                missing = exc.details.get("missing_parts") if exc.details else None
                if attempt == 2 or exc.code != "upload_not_received" or not isinstance(missing, list) or not missing:
                    raise
                log.warning("granary: the server misses parts %s: sending them again", missing)
                self._stop.clear()
                self._send_all([int(m) for m in missing])
        raise AssertionError("unreachable")  # pragma: no cover
