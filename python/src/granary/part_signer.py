"""Signed part URLs for one multipart session: fetched in batches on demand, signed again when
near expiry or refused, so no upload depends on one URL's lifetime."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Dict, Iterable, List, Optional, Sequence, Set

from .errors import ApiError
from .models import SignedPart
from .uploads import SIGN_BATCH_MAX, Uploads

__all__ = ["PartSigner"]

_EXPIRY_MARGIN_S = 120.0  # a part URL this close to expiry is signed again before use


def _parse_time(value: object) -> Optional[float]:
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def _lifetime(expires_at: object, now_wall: float) -> float:
    """How long to reuse a URL from now (monotonic seconds)."""
    expires = _parse_time(expires_at)
    if expires is None:
        return 86400.0  # no expiry given: until refused
    life = expires - now_wall
    if life <= 2 * _EXPIRY_MARGIN_S:
        # Very short-lived, or our clock is off: reuse briefly; a 403 signs it again.
        return min(60.0, max(life / 2, 1.0))
    return life - _EXPIRY_MARGIN_S


class PartSigner:
    """Part URLs for ``order``'s parts, signed ``batch`` at a time ahead of the part asked for."""

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
        self._cache: Dict[int, SignedPart] = {}
        self._deadline: Dict[int, float] = {}
        self._done: Set[int] = set()
        self.sign_calls = 0

    def extend(self, parts: Iterable[int]) -> None:
        """Parts to (re)send later: sign them again when their turn comes."""
        with self._lock:
            for n in parts:
                self._done.discard(n)
                if n not in self._index:
                    self._index[n] = len(self._order)
                    self._order.append(n)

    def get(self, n: int) -> SignedPart:
        """A fresh URL for part ``n``, signing it and the next parts in one call when needed."""
        with self._lock:
            if not self._fresh(n):
                self._sign(self._wanted(n))
            if n not in self._cache:
                raise ApiError(500, "internal_error", f"the server signed no URL for part {n} of {self._upload_id}")
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

    def _fresh(self, n: int) -> bool:
        return n in self._cache and time.monotonic() < self._deadline.get(n, 0.0)

    def _wanted(self, n: int) -> List[int]:
        wanted = [n]
        for m in self._order[self._index.get(n, len(self._order)) + 1 :]:
            if len(wanted) >= self._batch:
                break
            if m not in self._done and not self._fresh(m):
                wanted.append(m)
        return wanted

    def _sign(self, wanted: List[int]) -> None:
        signed = self._uploads.sign_parts(
            self._upload_id, workspace_id=self._workspace_id, part_numbers=wanted, expires_in=self._expires_in
        )
        self.sign_calls += 1
        now_wall, now_mono = time.time(), time.monotonic()
        for part in signed:
            m = int(part["part_number"])
            self._cache[m] = part
            self._deadline[m] = now_mono + _lifetime(part.get("expires_at"), now_wall)
