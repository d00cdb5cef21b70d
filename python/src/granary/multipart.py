"""The multipart engine: sends one session's parts from a local file and confirms it.

Parts go up in parallel threads, each streamed from the file in small blocks (never a whole part
in memory), are retried with exponential backoff (or the server's ``Retry-After``), and are
verified against what the server (SHA-256, local backend) or the store (``ETag`` = MD5, S3) says
it received. Used by :meth:`granary.files.Files.upload_file`.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import random
import threading
from typing import TYPE_CHECKING, Callable, List, Mapping, Optional, Sequence, Set, Tuple

from .errors import ApiError, NetworkError
from .models import FileInfo, UploadPart
from .part_check import PartChecks
from .part_io import Cancelled, HashPass, Layout, PartReader, Progress
from .part_signer import PartSigner
from .uploads import Uploads

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

__all__ = ["MultipartUpload"]

log = logging.getLogger("granary")

_MAX_RESIGNS = 3  # consecutive 403s on one part before giving up on it
_RETRY_STATUSES = {408, 425, 429}
# A part that arrived short or damaged: send it again.
_RESEND_CODES = ("upload_incomplete", "checksum_mismatch", "size_mismatch")
# After these the server has dropped the session: resuming it is pointless.
_GONE_CODES = ("checksum_mismatch", "size_mismatch", "upload_not_found")


def _retriable(exc: BaseException) -> bool:
    if isinstance(exc, NetworkError):
        return True
    if isinstance(exc, ApiError):
        return exc.status >= 500 or exc.status in _RETRY_STATUSES or exc.code in _RESEND_CODES
    return False


class MultipartUpload:
    """One multipart session being sent from a local file.

    ``run(present)`` sends every part not in ``present`` (``{part_number: server part dict}``),
    re-sends present parts whose checksum does not match the local file, and confirms.
    ``bytes_sent`` counts the part bytes read onto the wire by this run (retries included).

    Example::

        up = MultipartUpload(client, local_path="big.bam", size=size, upload_id=t["uploadId"],
                             file_key=t["fileKey"], filename="big.bam", workspace_id="ws_abc123",
                             part_size=t["partSize"], part_count=t["partCount"])
        info = up.run()
    """

    def __init__(
        self,
        client: Client,
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
        self.layout = Layout(size, part_size, part_count)
        self.part_size = part_size
        self.part_count = part_count
        self.concurrency = max(1, int(concurrency))
        self.retries = max(0, int(retries))
        self.checksum = checksum
        self.sign_expires_in = sign_expires_in
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._progress = Progress(progress)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._checks = PartChecks()
        self.bytes_sent = 0
        self.parts_sent: List[int] = []
        self.sha256: Optional[str] = None
        #: True once the server has dropped the session (aborted, expired, failed its checksum).
        self.session_gone = False
        self._signer: Optional[PartSigner] = None
        if not self.layout.consistent():
            raise ApiError(
                500,
                "internal_error",
                f"inconsistent session layout: {part_count} parts of {part_size} bytes for {size} bytes",
            )

    def part_range(self, n: int) -> Tuple[int, int]:
        """``(offset, length)`` of part ``n`` (1-based)."""
        return self.layout.range(n)

    # -------------------------------------------------------------- one part

    def _put_part(self, n: int) -> UploadPart:
        """Send part ``n`` once: sign (or reuse) its URL, stream its bytes, verify the answer.

        The seam tests use to simulate a crash after some parts.
        """
        assert self._signer is not None
        signed = self._signer.get(n)
        reader = self._reader(n)
        try:
            resp = self._client.send(
                str(signed.get("method") or "PUT"), signed["url"], data=reader, headers=dict(signed["headers"] or {})
            )
        finally:
            reader.close()
        try:
            return self._checks.verify(n, reader, resp)
        finally:
            resp.close()

    def _reader(self, n: int) -> PartReader:
        offset, length = self.part_range(n)
        counted = [0]

        def on_read(position: int) -> None:
            with self._lock:
                self.bytes_sent += position - counted[0]
            counted[0] = position
            self._progress.advance(n, position, flush=position == length)

        return PartReader(
            self.local_path,
            offset,
            length,
            sha256=self._checks.want_sha256,
            md5=self._checks.want_md5,
            stop=self._stop,
            on_read=on_read,
        )

    def _send_part(self, n: int) -> UploadPart:
        """Send part ``n`` with retries: backoff (or ``Retry-After``) on failures, a new URL on 403."""
        assert self._signer is not None
        failures = 0
        resigns = 0
        while True:
            if self._stop.is_set():
                raise Cancelled()
            try:
                return self._put_part(n)
            except (ApiError, NetworkError) as exc:
                if isinstance(exc, ApiError) and exc.status == 403 and resigns < _MAX_RESIGNS:
                    # Expired (or otherwise refused) URL: sign it again and retry at once.
                    resigns += 1
                    log.info("granary: part %d URL refused (%s), signing again", n, exc.code)
                    self._signer.invalidate(n)
                    continue
                if not _retriable(exc) or failures >= self.retries or self._too_long(exc):
                    raise
                failures += 1
                resigns = 0
                self._wait_before_retry(n, exc, failures)

    def _too_long(self, exc: BaseException) -> bool:
        """The server asked for a longer wait than the client's retry policy allows."""
        retry_after = exc.retry_after if isinstance(exc, ApiError) else None
        return retry_after is not None and retry_after > self._client.transport.retry.max_wait

    def _wait_before_retry(self, n: int, exc: BaseException, failures: int) -> None:
        delay = min(self.backoff_max, self.backoff_base * (2 ** (failures - 1)))
        delay *= 0.5 + random.random() / 2
        retry_after = exc.retry_after if isinstance(exc, ApiError) else None
        if retry_after is not None:
            delay = max(delay, retry_after)  # the server said when: never sooner
        log.warning("granary: part %d failed (%s), retry %d/%d in %.1fs", n, exc, failures, self.retries, delay)
        if self._stop.wait(delay):
            raise Cancelled() from exc

    def _send_part_done(self, n: int) -> UploadPart:
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
        futures: List[cf.Future[UploadPart]] = []
        try:
            futures = [pool.submit(self._send_part_done, n) for n in parts]
            _wait_all(futures)
        except BaseException:
            self._stop.set()
            for f in futures:
                f.cancel()
            raise
        finally:
            pool.shutdown(wait=True)
            self._progress.flush()

    def run(self, present: Optional[Mapping[int, UploadPart]] = None) -> FileInfo:
        """Send what is missing, verify, confirm; return the file's metadata."""
        have = {
            n: p
            for n, p in (present or {}).items()
            if 1 <= n <= self.part_count and int(p.get("size", -1)) == self.part_range(n)[1]
        }
        todo = [n for n in range(1, self.part_count + 1) if n not in have]
        for n in have:
            self._progress.skip(n, self.part_range(n)[1])
        batch = max(16, 4 * self.concurrency)
        self._signer = PartSigner(self.uploads, self.upload_id, self.workspace_id, todo, batch, self.sign_expires_in)
        try:
            self._send_missing(todo, have)
        except BaseException as exc:
            self._stop.set()
            if isinstance(exc, ApiError) and exc.code == "upload_not_found":
                self.session_gone = True
            raise
        try:
            return self._confirm()
        except ApiError as exc:
            # A whole-file mismatch discards the bytes on the server; a vanished session is gone.
            if exc.code in _GONE_CODES:
                self.session_gone = True
            raise

    def _send_missing(self, todo: List[int], have: Mapping[int, UploadPart]) -> None:
        """Send ``todo`` while a parallel pass hashes the file and checks the parts in ``have``."""
        hashing = HashPass(self.local_path, self.layout, have, self.checksum, self._stop)
        thread: Optional[threading.Thread] = None
        if self.checksum or have:
            thread = threading.Thread(target=hashing.run, name="granary-hash", daemon=True)
            thread.start()
        self._send_all(todo)
        if thread is not None:
            while thread.is_alive():
                thread.join(0.5)
            if hashing.error is not None:
                raise hashing.error
        if hashing.bad:
            log.warning("granary: parts %s on the server differ from the file: sending them again", hashing.bad)
            self._send_all(sorted(hashing.bad))
        self.sha256 = hashing.sha256

    def _confirm(self) -> FileInfo:
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
                missing = _missing_parts(exc)
                if attempt == 2 or not missing:
                    raise
                log.warning("granary: the server misses parts %s: sending them again", missing)
                self._stop.clear()
                self._send_all(missing)
        raise AssertionError("unreachable")  # pragma: no cover


def _missing_parts(exc: ApiError) -> List[int]:
    """The parts an ``upload_not_received`` answer names, else ``[]``."""
    missing = exc.details.get("missing_parts") if exc.code == "upload_not_received" else None
    return [int(m) for m in missing] if isinstance(missing, list) else []


def _wait_all(futures: List[cf.Future[UploadPart]]) -> None:
    """Wait for every future; the first failure is raised at once."""
    pending: Set[cf.Future[UploadPart]] = set(futures)
    while pending:
        done, pending = cf.wait(pending, timeout=0.5, return_when=cf.FIRST_EXCEPTION)
        for f in done:
            exc = f.exception()
            if exc is not None:
                raise exc
