"""The login ``granary login`` (the CLI) saves: the Python client uses it too, after its
arguments and the ``GRANARY_URL`` / ``GRANARY_API_KEY`` variables, so one login serves both."""

from __future__ import annotations

import json
import os
from typing import Optional, TypedDict

from .errors import ConfigError

__all__ = ["SavedLogin", "login_path", "read_login"]


class SavedLogin(TypedDict, total=False):
    url: str
    api_key: str
    workspace: str


def login_path() -> Optional[str]:
    """``$XDG_CONFIG_HOME/granary/config.json``, else ``~/.config/granary/config.json``
    (``packages/cli/src/config-file.ts``); ``None`` without a home."""
    xdg = (os.environ.get("XDG_CONFIG_HOME") or "").strip()
    if xdg and os.path.isabs(xdg):  # the XDG spec ignores a relative XDG_CONFIG_HOME
        return os.path.join(xdg, "granary", "config.json")
    home = os.environ.get("HOME")
    return os.path.join(home, ".config", "granary", "config.json") if home else None


def read_login() -> Optional[SavedLogin]:
    """The saved login, ``None`` when there is none; a broken file is a :class:`ConfigError`."""
    path = login_path()
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("url"), str) and isinstance(data.get("api_key"), str):
        return SavedLogin(url=data["url"], api_key=data["api_key"])
    raise ConfigError(f"{path} is not a granary login; run `granary login` again")
