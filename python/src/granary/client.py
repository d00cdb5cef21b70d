"""The :class:`Client`: configuration, authentication and the API's resources."""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional, Tuple
from urllib.parse import urljoin, urlsplit

import requests

from . import __version__
from .admin import Keys, Workspaces
from .audit import AuditPage, RevokedLinks, read_audit, revoke_links
from .errors import ApiError, ConfigError
from .files import Files
from .jobs import Jobs
from .login_file import login_path, read_login
from .transport import RetryPolicy, Timeout, Transport, is_html, not_granary_message
from .trash import Trash
from .webhooks import Webhooks

__all__ = ["Client", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "RetryPolicy"]

#: Used when neither ``base_url=`` nor ``GRANARY_URL`` is given.
DEFAULT_BASE_URL = "http://127.0.0.1:8080"
#: ``(connect, read)`` seconds. The read timeout is per socket read, never a total request time,
#: so a slow 500 MB upload is fine; it bounds how long the server may stay silent.
DEFAULT_TIMEOUT: Tuple[float, float] = (10.0, 300.0)

_NO_KEY = "no API key was sent: set GRANARY_API_KEY or run granary login (or pass Client(api_key=...))"


class Client:
    """A Granary API client.

    Args:
        api_key: the API key, sent as ``Authorization: Bearer <key>``. Defaults to the
            ``GRANARY_API_KEY`` environment variable, else the key ``granary login`` saved.
        base_url: the server's URL. Defaults to ``GRANARY_URL``, else the URL ``granary login``
            saved, else ``http://127.0.0.1:8080``. A URL without ``http://`` or ``https://``
            raises :class:`ConfigError`.
        timeout: seconds, a number or a ``(connect, read)`` pair, applied to every request.
        session: a ``requests.Session`` to use (proxies, certificates, adapters); one is created
            otherwise. Authorization is added per request, never to the session, so signed URLs
            are fetched without it.
        retry: how answers 429 and 503 are retried (``Retry-After`` is honoured); see
            :class:`granary.transport.RetryPolicy`.

    Attributes:
        files: :class:`granary.files.Files` — list, upload, download, delete, versions, move, copy.
        trash: :class:`granary.trash.Trash` — deleted files: list, restore, purge.
        jobs: :class:`granary.jobs.Jobs` — background folder operations.
        workspaces: :class:`granary.admin.Workspaces` — admin scope.
        keys: :class:`granary.admin.Keys` — admin scope.
        webhooks: :class:`granary.webhooks.Webhooks` — admin scope.

    Example::

        from granary import Client

        client = Client(api_key="gr_...", base_url="http://127.0.0.1:8080")
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
        retry: Optional[RetryPolicy] = None,
    ) -> None:
        settings = _Settings(api_key, base_url)
        self.api_key = settings.api_key
        self.base_url = _checked_url(settings.url, settings.url_from).rstrip("/")
        setting = settings.url_from
        self.session = session if session is not None else requests.Session()
        self.session.headers.setdefault("User-Agent", f"granary-python/{__version__}")
        self.transport = Transport(
            self.session,
            timeout=timeout,
            retry=retry or RetryPolicy(),
            base_url=self.base_url,
            url_setting=setting,
        )
        self.files = Files(self)
        self.trash = Trash(self)
        self.jobs = Jobs(self)
        self.workspaces = Workspaces(self)
        self.keys = Keys(self)
        self.webhooks = Webhooks(self)

    @property
    def timeout(self) -> Timeout:
        return self.transport.timeout

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, api_key={'***' if self.api_key else None})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying session's connections."""
        self.session.close()

    # ------------------------------------------------------------------ audit and links

    def audit(self, **filters: Any) -> AuditPage:
        """A page of the audit trail, newest first (key with ``audit:read`` or ``admin``).

        Filters: ``workspace_id``, ``since``, ``until`` (ISO 8601 strings or datetimes),
        ``action`` (one or a list), ``key_prefix``, ``actor_key_id``, ``limit``, ``cursor``
        (the previous page's ``next_cursor``), ``order`` (``"desc"`` or ``"asc"``).

        Example::

            page = admin.audit(workspace_id="ws_abc123", action="file.delete")
            for e in page["events"]:
                print(e["at"], e["actor_key_name"], e["key"])
        """
        return read_audit(self, **filters)

    def revoke_links(self, workspace_id: str, key: str) -> RevokedLinks:
        """Make every download link issued so far for this file stop working (``files:delete``).

        A direct presigned S3 URL cannot be revoked: it works until it expires.
        """
        return revoke_links(self, workspace_id, key)

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
        try:
            return self.send(method, self.url(path), params=params, json=json, data=data, headers=h, stream=stream)
        except ApiError as exc:
            if exc.status == 401 and not self.api_key:
                raise ApiError(401, exc.code, _NO_KEY, exc.request_id, exc.details) from exc
            raise

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
        return self.transport.send(method, url, params=params, json=json, data=data, headers=headers, stream=stream)

    def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Like :meth:`request` and return the decoded JSON body (``None`` for an empty body)."""
        resp = self.request(method, path, **kwargs)
        if resp.status_code == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError as exc:
            rid = resp.headers.get("x-request-id")
            if is_html(resp):
                message = not_granary_message(resp, self.transport.url_setting)
            else:
                message = f"the server answered {method} {path} with a body that is not JSON"
            raise ApiError(resp.status_code, "internal_error", message, rid) from exc


class _Settings:
    """Where the key and the URL come from: arguments, then ``GRANARY_*``, then the login the
    CLI's ``granary login`` saved (read only when needed), then the default URL."""

    def __init__(self, api_key: Optional[str], base_url: Optional[str]) -> None:
        env_key = os.environ.get("GRANARY_API_KEY") or None
        env_url = os.environ.get("GRANARY_URL") or None
        key = api_key if api_key is not None else env_key
        url, self.url_from = (base_url, "base_url") if base_url else (env_url, "GRANARY_URL")
        login = read_login() if key is None or url is None else None
        if key is None and login is not None:
            key = login.get("api_key") or None
        if url is None and login is not None and login.get("url"):
            url, self.url_from = login["url"], f"the URL saved by granary login ({login_path()})"
        self.api_key = key
        self.url = url or DEFAULT_BASE_URL


def _checked_url(url: str, setting: str) -> str:
    """The URL if it is http(s) with a host; else a :class:`ConfigError` naming ``setting``."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        fix = ": use an http:// or https:// URL" if "://" in url else f": use http://{url.strip()}"
        raise ConfigError(f"{setting} {url!r} has no http:// or https:// scheme{fix}")
    if not parts.hostname:
        raise ConfigError(f"{setting} {url!r} has no host: use e.g. http://127.0.0.1:8080")
    return url.strip()
