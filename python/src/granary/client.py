"""The :class:`Client`: configuration, authentication, one ``requests.Session``, error mapping."""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional, Tuple, Union
from urllib.parse import urljoin

import requests

from . import __version__
from .admin import Keys, Workspaces
from .errors import _FALLBACK_CODES, ApiError, NetworkError
from .files import Files

__all__ = ["Client", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT"]

#: Used when neither ``base_url=`` nor ``GRANARY_URL`` is given.
DEFAULT_BASE_URL = "http://127.0.0.1:8080"
#: ``(connect, read)`` seconds. The read timeout is per socket read, never a total request time,
#: so a slow 500 MB upload is fine; it bounds how long the server may stay silent.
DEFAULT_TIMEOUT: Tuple[float, float] = (10.0, 300.0)

Timeout = Union[None, float, Tuple[float, float]]

# The failures that mean "no usable answer" rather than "the server said no".
_NETWORK_FAILURES = (
    requests.exceptions.ConnectionError,  # refused, reset, DNS, SSL
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,  # body cut short (incl. Content-Length mismatch)
    requests.exceptions.ContentDecodingError,
)


class Client:
    """A Granary API client.

    Args:
        api_key: the API key, sent as ``Authorization: Bearer <key>``. Defaults to the
            ``GRANARY_API_KEY`` environment variable.
        base_url: the server's URL. Defaults to ``GRANARY_URL``, else ``http://127.0.0.1:8080``.
        timeout: seconds, a number or a ``(connect, read)`` pair, applied to every request.
        session: a ``requests.Session`` to use (proxies, certificates, adapters); one is created
            otherwise. Authorization is added per request, never to the session, so signed URLs
            are fetched without it.

    Attributes:
        files: :class:`granary.files.Files` — list, upload, download, delete.
        workspaces: :class:`granary.admin.Workspaces` — admin scope.
        keys: :class:`granary.admin.Keys` — admin scope.

    Example::

        from granary import Client

        client = Client(api_key="grn_...", base_url="http://127.0.0.1:8080")
        for f in client.files.list(workspace_id="ws_abc123"):
            print(f["key"], f["size"])

        with Client() as client:          # GRANARY_API_KEY / GRANARY_URL from the environment
            client.files.upload("sample.vcf", workspace_id="ws_abc123", path="raw/")
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        session: Optional[requests.Session] = None,
    ) -> None:
        self.api_key = api_key if api_key is not None else os.environ.get("GRANARY_API_KEY") or None
        url = base_url or os.environ.get("GRANARY_URL") or DEFAULT_BASE_URL
        self.base_url = url.rstrip("/")
        self.timeout = timeout
        self.session = session if session is not None else requests.Session()
        self.session.headers.setdefault("User-Agent", f"granary-python/{__version__}")
        self.files = Files(self)
        self.workspaces = Workspaces(self)
        self.keys = Keys(self)

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, api_key={'***' if self.api_key else None})"

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying session's connections."""
        self.session.close()

    # ------------------------------------------------------------------ low level

    def url(self, path: str) -> str:
        """The absolute URL of an API path, e.g. ``client.url("/v1/files")``."""
        return self.base_url + "/" + path.lstrip("/")

    def resolve(self, url: str) -> str:
        """Make a URL the server returned absolute (signed URLs may be relative to the server)."""
        return urljoin(self.base_url + "/", url)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
        data: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        stream: bool = False,
    ) -> requests.Response:
        """Send an authenticated request to an API path; raise on any error status.

        ``params`` entries that are ``None`` are dropped and booleans become ``true``/``false``.
        Returns the response (status < 400). Raises :class:`ApiError` or :class:`NetworkError`.

        Example::

            resp = client.request("GET", "/v1/files", params={"workspace_id": "ws_abc123"})
            print(resp.json()["next_cursor"])
        """
        h: Dict[str, str] = dict(headers or {})
        if self.api_key:
            h["Authorization"] = f"Bearer {self.api_key}"
        return self.send(
            method, self.url(path), params=params, json=json, data=data, headers=h, stream=stream
        )

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
        """Send a request to an absolute URL as is (no Authorization added): used for signed URLs.

        Raises :class:`ApiError` for a status >= 400 and :class:`NetworkError` for no answer.
        """
        try:
            resp = self.session.request(
                method,
                url,
                params=_clean_params(params),
                json=json,
                data=data,
                headers=dict(headers or {}),
                timeout=self.timeout,
                stream=stream,
            )
        except _NETWORK_FAILURES as exc:
            raise NetworkError(f"{method} {_redact(url)} failed: {exc}") from exc
        if resp.status_code >= 400:
            try:
                raise_for_error(resp)
            finally:
                resp.close()
        return resp

    def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Like :meth:`request` and return the decoded JSON body (``None`` for an empty body)."""
        resp = self.request(method, path, **kwargs)
        if resp.status_code == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError as exc:
            raise ApiError(
                resp.status_code,
                "internal_error",
                f"the server answered {method} {path} with a body that is not JSON",
                resp.headers.get("x-request-id"),
            ) from exc


def _clean_params(params: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    if params is None:
        return None
    out: Dict[str, Any] = {}
    for k, v in params.items():
        if v is None:
            continue
        out[k] = ("true" if v else "false") if isinstance(v, bool) else v
    return out


def _redact(url: str) -> str:
    """Drop the query string (signatures) from a URL for messages."""
    return url.split("?", 1)[0]


def raise_for_error(resp: requests.Response) -> None:
    """Raise the :class:`ApiError` an error response describes (nothing for status < 400).

    Reads ``{"error": {"code", "message", "request_id", "details"}}``; falls back to the
    ``x-request-id`` header and, for a body that is not Granary's, to a code chosen by status.
    """
    status = resp.status_code
    if status < 400:
        return
    header_rid = resp.headers.get("x-request-id")
    err: Any = None
    try:
        body = resp.json()
        if isinstance(body, dict):
            err = body.get("error")
    except ValueError:
        pass
    if isinstance(err, dict) and isinstance(err.get("code"), str):
        details = err.get("details")
        raise ApiError(
            status,
            err["code"],
            str(err.get("message") or resp.reason or ""),
            err.get("request_id") or header_rid,
            details if isinstance(details, dict) else None,
        )
    code = _FALLBACK_CODES.get(status, "internal_error" if status >= 500 else "invalid_request")
    text = ""
    try:
        text = resp.text[:300].strip()
    except Exception:  # pragma: no cover - undecodable body
        pass
    message = f"HTTP {status} {resp.reason or ''}".strip() + (f": {text}" if text else "")
    raise ApiError(status, code, message, header_rid)

