"""Exceptions raised by the Granary client.

Two families, deliberately unrelated so that ``except ApiError`` never swallows an outage:

* :class:`ApiError` — the server (or a signed URL's storage) answered with an error status.
  ``code`` is one of the server's closed list of error codes (``packages/protocol/src/error-codes.ts``).
* :class:`NetworkError` — no usable answer: connection refused, DNS failure, timeout, connection
  cut mid-body.

Both derive from :class:`GranaryError`, like :class:`ConfigError` (a URL without a scheme, a bad
size in the environment), :class:`LocalFileError` (the local file cannot be read) and
:class:`FileChangedError` (it changed while being sent): every failure the client reports is a
``GranaryError``, and its message says what to do.

Example::

    from granary import Client, ApiError, NetworkError

    client = Client()
    try:
        client.files.delete("raw/missing.vcf", workspace_id="ws_abc123")
    except ApiError as e:
        if e.code == "file_not_found":
            print("already gone", e.request_id)
        else:
            raise
    except NetworkError:
        print("server unreachable, retry later")
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

__all__ = [
    "GranaryError",
    "ApiError",
    "NetworkError",
    "ConfigError",
    "LocalFileError",
    "FileChangedError",
    "ERROR_CODES",
    "FALLBACK_CODES",
]

#: The closed list of codes the server answers with (kept equal to the protocol package's list).
ERROR_CODES = (
    "invalid_request",
    "invalid_key",
    "invalid_move",
    "unauthenticated",
    "insufficient_scope",
    "quota_exceeded",
    "invalid_signature",
    "url_expired",
    "link_revoked",
    "workspace_not_found",
    "file_not_found",
    "upload_not_found",
    "job_not_found",
    "version_not_found",
    "trash_item_not_found",
    "api_key_not_found",
    "route_not_found",
    "webhook_not_found",
    "webhook_delivery_not_found",
    "webhook_url_refused",
    "workspace_exists",
    "file_exists",
    "version_is_current",
    "upload_ambiguous",
    "upload_not_received",
    "upload_already_received",
    "upload_superseded",
    "upload_incomplete",
    "upload_timeout",
    "upload_too_large",
    "request_too_large",
    "unsupported_media_type",
    "size_mismatch",
    "checksum_mismatch",
    "range_not_satisfiable",
    "invalid_region",
    "unsupported_format",
    "index_missing",
    "storage_link_refused",
    "scrub_running",
    "rate_limited",
    "storage_unavailable",
    "database_unavailable",
    "internal_error",
)

# Used only when an error answer has no Granary JSON body (e.g. a proxy's HTML page or an S3
# XML error on a presigned URL): the closest code from the closed list for the status.
FALLBACK_CODES: Dict[int, str] = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "insufficient_scope",
    404: "route_not_found",
    409: "invalid_request",
    411: "invalid_request",
    413: "request_too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "invalid_request",
    429: "rate_limited",
    503: "storage_unavailable",
}


class GranaryError(Exception):
    """Base class of every exception this package raises on purpose."""


class ApiError(GranaryError):
    """The server answered with an error (HTTP status >= 400).

    Attributes:
        status: the HTTP status, e.g. ``404``.
        code: the machine-readable code, e.g. ``"file_not_found"``.
        message: the server's human-readable explanation.
        request_id: the server's request id (body ``error.request_id`` or the
            ``x-request-id`` header), to quote in bug reports; ``None`` if absent.
        details: optional structured details from the body (``error.details``), else ``{}``.
        retry_after: with 429 and 503, the seconds the server asked to wait (``Retry-After``).

    Example::

        try:
            client.files.list(workspace_id="ws_nope")
        except ApiError as e:
            assert (e.status, e.code) == (404, "workspace_not_found")
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        request_id: Optional[str] = None,
        details: Optional[Mapping[str, Any]] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.details: Dict[str, Any] = dict(details or {})
        #: Seconds the server asked to wait before trying again (``Retry-After``), else ``None``.
        self.retry_after = retry_after
        super().__init__(status, code, message, request_id, self.details)

    def __str__(self) -> str:
        rid = f" (request_id={self.request_id})" if self.request_id else ""
        return f"{self.status} {self.code}: {self.message}{rid}"

    def __repr__(self) -> str:
        return (
            f"ApiError(status={self.status!r}, code={self.code!r}, message={self.message!r}, "
            f"request_id={self.request_id!r})"
        )


class NetworkError(GranaryError):
    """The request got no usable answer: refused, unreachable, timed out or cut mid-transfer.

    Not a subclass of :class:`ApiError`. The underlying exception is chained as ``__cause__``.

    Example::

        try:
            Client(base_url="http://127.0.0.1:9").files.list(workspace_id="ws_abc123")
        except NetworkError as e:
            print("unreachable:", e)
    """


class ConfigError(GranaryError, ValueError):
    """The client is set up wrong: no API key, a URL without ``http://``, a bad size in the
    environment. The message names the setting and how to fix it.

    Example::

        try:
            Client(base_url="granary.lab.example:8080")
        except ConfigError as e:
            print(e)   # base_url 'granary.lab.example:8080' has no scheme: use http://...
    """


class LocalFileError(GranaryError, OSError):
    """A local file cannot be opened (missing, a folder, no permission). ``errno``,
    ``strerror`` and ``filename`` are set as on the ``OSError`` it wraps, which is chained."""


class FileChangedError(GranaryError):
    """The local file changed while it was being sent (it shrank): send it again.

    Not an ``OSError`` on purpose: raised inside a request body, an ``OSError`` would be reported
    by ``requests`` as a connection failure."""
