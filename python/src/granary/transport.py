"""Sending one HTTP request and turning every failure into a :class:`GranaryError` that says what
to do: error answers into :class:`ApiError`, no answer into :class:`NetworkError`, and 429/503
answers retried after ``Retry-After`` when the request can safely be sent again."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Tuple, Union

import requests

from .errors import FALLBACK_CODES, ApiError, NetworkError

__all__ = [
    "NETWORK_FAILURES",
    "RetryPolicy",
    "Transport",
    "Timeout",
    "raise_for_error",
    "redact",
    "retry_after_seconds",
]

log = logging.getLogger("granary")

Timeout = Union[None, float, Tuple[float, float]]

# The failures that mean "no usable answer" rather than "the server said no".
NETWORK_FAILURES = (
    requests.exceptions.ConnectionError,  # refused, reset, DNS, SSL
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,  # body cut short (incl. Content-Length mismatch)
    requests.exceptions.ContentDecodingError,
)

# RFC 6585 (429) and RFC 9110 section 15.6.4 (503): the server did not act on the request, so
# sending it again is safe whenever the body can be sent again.
_RETRY_STATUSES = (429, 503)


@dataclass(frozen=True)
class RetryPolicy:
    """How answers 429 and 503 are retried.

    ``retries`` attempts after the first; each waits the ``Retry-After`` the server sent (or
    ``base_delay`` doubled each time, with jitter, when it sent none). A wait longer than
    ``max_wait`` seconds is not waited: the :class:`ApiError` is raised with its ``retry_after``.

    Example::

        Client(retry=RetryPolicy(retries=0))          # never retry
        Client(retry=RetryPolicy(retries=5, max_wait=120))
    """

    retries: int = 3
    max_wait: float = 60.0
    base_delay: float = 1.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: Optional[float]) -> Optional[float]:
        """Seconds to wait before retry ``attempt`` (1-based), or ``None``: give up."""
        if attempt > self.retries:
            return None
        if retry_after is None:
            retry_after = self.base_delay * 2 ** (attempt - 1) * (0.5 + random.random() / 2)
        return retry_after if retry_after <= self.max_wait else None


def retry_after_seconds(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """``Retry-After`` in seconds: delay-seconds or an HTTP-date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def redact(url: str) -> str:
    """Drop the query string (signatures) from a URL for messages."""
    return url.split("?", 1)[0]


def _replayable(data: Any) -> bool:
    """Can the body be sent again? Nothing, bytes, or a stream that rewinds to its start."""
    if data is None or isinstance(data, (bytes, str)):
        return True
    rewind = getattr(data, "rewind", None)
    return callable(rewind) and bool(rewind())


class Transport:
    """One ``requests.Session`` with timeouts, error mapping and bounded retries."""

    def __init__(
        self,
        session: requests.Session,
        *,
        timeout: Timeout,
        retry: RetryPolicy,
        base_url: str,
        url_setting: str,
    ) -> None:
        self.session = session
        self.timeout = timeout
        self.retry = retry
        self.base_url = base_url
        #: Where the base URL came from (``GRANARY_URL`` or ``base_url``), named in messages.
        self.url_setting = url_setting

    def send(
        self,
        method: str,
        url: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
        data: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        stream: bool = False,
    ) -> requests.Response:
        """Send until an answer below 400, or raise; 429/503 are retried while allowed."""
        attempt = 0
        while True:
            resp = self._send_once(method, url, params, json, data, headers, stream)
            if resp.status_code < 400:
                return resp
            try:
                error = error_of(resp, api_url=url.startswith(self.base_url + "/"), setting=self.url_setting)
            finally:
                resp.close()
            attempt += 1
            wait = self._retry_wait(error, attempt, data)
            if wait is None:
                raise error
            log.info("granary: %s %s answered %s, retrying in %.1fs", method, redact(url), error.status, wait)
            self.retry.sleep(wait)

    def _retry_wait(self, error: ApiError, attempt: int, data: Any) -> Optional[float]:
        if error.status not in _RETRY_STATUSES:
            return None
        delay = self.retry.delay(attempt, error.retry_after)
        if delay is None or not _replayable(data):
            return None
        return delay

    def _send_once(
        self,
        method: str,
        url: str,
        params: Optional[Mapping[str, Any]],
        json: Any,
        data: Any,
        headers: Optional[Mapping[str, str]],
        stream: bool,
    ) -> requests.Response:
        try:
            return self.session.request(
                method,
                url,
                params=_clean_params(params),
                json=json,
                data=data,
                headers=dict(headers or {}),
                timeout=self.timeout,
                stream=stream,
            )
        except NETWORK_FAILURES as exc:
            raise NetworkError(self.describe_failure(method, url, exc)) from exc
        except requests.exceptions.RequestException as exc:  # invalid URL, too many redirects
            raise NetworkError(f"{method} {redact(url)} failed: {exc}") from exc

    def describe_failure(self, method: str, url: str, exc: BaseException) -> str:
        """A message for a request that got no answer, with the likely fix."""
        where = redact(url)
        text = str(exc)
        setting = self.url_setting
        if isinstance(exc, requests.exceptions.SSLError):
            if "WRONG_VERSION_NUMBER" in text.upper() or "RECORD_LAYER_FAILURE" in text.upper():
                return (
                    f"TLS handshake with {where} failed: the server speaks plain HTTP, not HTTPS. "
                    f"Use an http:// URL in {setting}."
                )
            return f"TLS error talking to {where}: {exc}. Check the server's certificate and {setting}."
        if isinstance(exc, requests.exceptions.Timeout):
            return f"{method} {where} timed out: the server did not answer in time. Is it running? Check {setting}."
        if "refused" in text.lower():
            return (
                f"cannot connect to {where}: connection refused. Start the Granary server "
                f"(npm start, or granary serve) or check {setting}."
            )
        if "resolve" in text.lower() or "Name or service not known" in text:
            return f"cannot find the host of {where}: check {setting}."
        return f"{method} {where} failed: {exc}"

    def iter_body(self, resp: requests.Response, url: str, chunk: int) -> Iterator[bytes]:
        """The response body in chunks; a cut connection becomes :class:`NetworkError`."""
        try:
            for block in resp.iter_content(chunk):
                if block:
                    yield block
        except NETWORK_FAILURES as exc:
            raise NetworkError(f"download from {redact(url)} failed: {exc}") from exc


def _clean_params(params: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    if params is None:
        return None
    out: Dict[str, Any] = {}
    for k, v in params.items():
        if v is None:
            continue
        out[k] = ("true" if v else "false") if isinstance(v, bool) else v
    return out


def is_html(resp: requests.Response) -> bool:
    return str(resp.headers.get("Content-Type") or "").lower().startswith("text/html")


def not_granary_message(resp: requests.Response, setting: str) -> str:
    return (
        f"{redact(str(resp.url))} answered HTTP {resp.status_code} with an HTML page, not Granary's "
        f"JSON: {setting} does not point at a Granary server (check the host, port and path)."
    )


def error_of(resp: requests.Response, *, api_url: bool = True, setting: str = "GRANARY_URL") -> ApiError:
    """The :class:`ApiError` an error answer describes.

    Reads ``{"error": {"code", "message", "request_id", "details"}}``; falls back to the
    ``x-request-id`` header and, for a body that is not Granary's, to a code chosen by status.
    """
    status = resp.status_code
    header_rid = resp.headers.get("x-request-id")
    retry_after = retry_after_seconds(resp.headers.get("Retry-After"))
    err = _error_object(resp)
    if err is not None:
        details = err.get("details")
        return ApiError(
            status,
            str(err["code"]),
            str(err.get("message") or resp.reason or ""),
            err.get("request_id") or header_rid,
            details if isinstance(details, dict) else None,
            retry_after,
        )
    code = FALLBACK_CODES.get(status, "internal_error" if status >= 500 else "invalid_request")
    if api_url and is_html(resp) and status not in _RETRY_STATUSES and status != 502:
        return ApiError(status, code, not_granary_message(resp, setting), header_rid, None, retry_after)
    text = ""
    try:
        text = resp.text[:300].strip()
    except Exception:  # pragma: no cover - undecodable body
        pass
    message = f"HTTP {status} {resp.reason or ''}".strip() + (f": {text}" if text else "")
    return ApiError(status, code, message, header_rid, None, retry_after)


def _error_object(resp: requests.Response) -> Optional[Dict[str, Any]]:
    try:
        body = resp.json()
    except ValueError:
        return None
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict) and isinstance(err.get("code"), str):
        return err
    return None


def raise_for_error(resp: requests.Response) -> None:
    """Raise the :class:`ApiError` an error response describes (nothing for status < 400)."""
    if resp.status_code >= 400:
        raise error_of(resp)
