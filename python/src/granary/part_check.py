"""Checking what the server or the store says it received for a part against the bytes sent:
the SHA-256 the local backend answers, or the MD5 ``ETag`` S3 answers."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional

from .errors import ApiError
from .models import UploadPart
from .part_io import PartReader, clean_etag, is_md5_etag

if TYPE_CHECKING:  # pragma: no cover
    import requests

__all__ = ["PartChecks"]

log = logging.getLogger("granary")


class _EtagCheck:
    """Whether the store's ETags are the parts' MD5s.

    S3 ETags are the part's MD5 except with SSE-KMS/SSE-C, where they are opaque 32-hex strings:
    once two answers disagree and none ever agreed, stop treating them as MD5s (real damage is
    still caught by the whole file's SHA-256 at confirm).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.is_md5: Optional[bool] = None
        self._mismatches = 0

    def agreed(self) -> None:
        with self._lock:
            self.is_md5 = True

    def disagreed(self) -> bool:
        """Count a mismatch; True when ETags are now known to be opaque (not an error then)."""
        with self._lock:
            self._mismatches += 1
            if self.is_md5 is None and self._mismatches >= 2:
                self.is_md5 = False
                return True
            return False


class PartChecks:
    """Verifies each part's answer; learns from the first answers which digests the server
    reports (``want_sha256`` / ``want_md5``), so part readers compute only those."""

    def __init__(self) -> None:
        self.want_sha256 = True
        self.want_md5 = True
        self._etags = _EtagCheck()

    def verify(self, n: int, reader: PartReader, resp: requests.Response) -> UploadPart:
        rid = resp.headers.get("x-request-id")
        length = len(reader)
        if not reader.complete:
            raise ApiError(
                resp.status_code, "upload_incomplete", f"part {n}: the answer came before all bytes were sent", rid
            )
        record: UploadPart = {
            "part_number": n,
            "size": length,
            "sha256": None,
            "etag": clean_etag(resp.headers.get("ETag")) or None,
        }
        body = _json_body(resp)
        if isinstance(body.get("sha256"), str):
            record["sha256"] = self._sha256(n, reader, body, rid)
        elif record["etag"] and is_md5_etag(record["etag"]) and self._etags.is_md5 is not False:
            self._md5(n, reader, record["etag"], rid)
        return record

    def _sha256(self, n: int, reader: PartReader, body: Mapping[str, Any], rid: Optional[str]) -> str:
        theirs = str(body["sha256"]).lower()
        self.want_md5 = False  # this server reports SHA-256: MD5 is not needed
        if body.get("size") is not None and int(body["size"]) != len(reader):
            raise ApiError(
                422, "size_mismatch", f"part {n}: the server received {body['size']} of {len(reader)} bytes", rid
            )
        ours = reader.sha256()
        if ours is not None and ours != theirs:
            raise ApiError(
                422, "checksum_mismatch", f"part {n}: the server got SHA-256 {theirs}, the file has {ours}", rid
            )
        return theirs

    def _md5(self, n: int, reader: PartReader, etag: str, rid: Optional[str]) -> None:
        self.want_sha256 = False  # the store reports MD5 ETags
        ours = reader.md5()
        if ours is None:
            return
        if ours == etag:
            self._etags.agreed()
            return
        if self._etags.disagreed():
            log.warning(
                "granary: the store's ETags are not MD5s (SSE-KMS?): parts are not checked "
                "one by one; the whole file's SHA-256 still is at confirm"
            )
            return
        raise ApiError(422, "checksum_mismatch", f"part {n}: the store got MD5 {etag}, the file has {ours}", rid)


def _json_body(resp: requests.Response) -> Dict[str, Any]:
    if "json" not in str(resp.headers.get("Content-Type") or "") or not resp.content:
        return {}
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
