"""In-tree PEP 517 build backend for the ``granary`` package: setuptools when it can, stdlib when not.

Why this file exists: ``pip install ./python`` must work with no network. setuptools is the
backend whenever it can build a wheel by itself (setuptools >= 70.1, or an older one with the
``wheel`` package installed) — that is what ``pip install --no-build-isolation ./python`` uses on
a normal machine. But setuptools < 70.1 without ``wheel`` cannot build wheels at all, and an
isolated build (plain ``pip install ./python``) would have to download setuptools. In those cases
this backend writes the (pure-Python) wheel itself with the standard library only, from the same
``pyproject.toml`` metadata, so both commands work offline everywhere.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import os
import tarfile
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def _setuptools_can_build() -> bool:
    if os.environ.get("GRANARY_BUILD_BACKEND") == "stdlib":
        return False
    if importlib.util.find_spec("setuptools") is None:
        return False
    if importlib.util.find_spec("wheel") is not None:
        return True
    # setuptools >= 70.1 ships its own bdist_wheel.
    return importlib.util.find_spec("setuptools.command.bdist_wheel") is not None


if _setuptools_can_build():
    from setuptools.build_meta import (  # noqa: F401  (re-exported PEP 517 hooks)
        build_sdist,
        build_wheel,
        get_requires_for_build_sdist,
        get_requires_for_build_wheel,
        prepare_metadata_for_build_wheel,
    )

    try:
        from setuptools.build_meta import (  # noqa: F401
            build_editable,
            get_requires_for_build_editable,
            prepare_metadata_for_build_editable,
        )
    except ImportError:  # setuptools < 64: no PEP 660
        pass
else:

    def _project() -> Dict[str, Any]:
        try:
            import tomllib  # Python >= 3.11
        except ImportError:  # pragma: no cover
            try:
                import tomli as tomllib  # type: ignore[no-redef]
            except ImportError as exc:
                raise RuntimeError(
                    "Building granary without setuptools+wheel needs Python >= 3.11 (tomllib); "
                    "install setuptools>=70.1 or wheel, or use Python 3.11+."
                ) from exc
        with open(ROOT / "pyproject.toml", "rb") as fh:
            return tomllib.load(fh)["project"]  # type: ignore[no-any-return]

    def _dist_name(p: Dict[str, Any]) -> str:
        return str(p["name"]).replace("-", "_")

    def _metadata(p: Dict[str, Any]) -> str:
        lines = [
            "Metadata-Version: 2.1",
            f"Name: {p['name']}",
            f"Version: {p['version']}",
        ]
        if p.get("description"):
            lines.append(f"Summary: {p['description']}")
        if p.get("requires-python"):
            lines.append(f"Requires-Python: {p['requires-python']}")
        lic = p.get("license")
        if isinstance(lic, dict) and lic.get("text"):
            lines.append(f"License: {lic['text']}")
        for c in p.get("classifiers", []):
            lines.append(f"Classifier: {c}")
        for d in p.get("dependencies", []):
            lines.append(f"Requires-Dist: {d}")
        for extra, deps in p.get("optional-dependencies", {}).items():
            lines.append(f"Provides-Extra: {extra}")
            for d in deps:
                lines.append(f'Requires-Dist: {d}; extra == "{extra}"')
        body = ""
        readme = p.get("readme")
        if isinstance(readme, str) and (ROOT / readme).is_file():
            lines.append("Description-Content-Type: text/markdown")
            body = "\n" + (ROOT / readme).read_text(encoding="utf-8")
        return "\n".join(lines) + "\n" + body

    def _wheel_file() -> str:
        return "Wheel-Version: 1.0\nGenerator: granary_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"

    def _package_files() -> List[Tuple[str, Path]]:
        out = []
        for path in sorted(SRC.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
                continue
            out.append((path.relative_to(SRC).as_posix(), path))
        return out

    def _record_line(name: str, data: bytes) -> str:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        return f"{name},sha256={digest},{len(data)}"

    def _write_wheel(wheel_directory: str, files: List[Tuple[str, bytes]]) -> str:
        p = _project()
        dist = _dist_name(p)
        distinfo = f"{dist}-{p['version']}.dist-info"
        filename = f"{dist}-{p['version']}-py3-none-any.whl"
        entries = list(files) + [
            (f"{distinfo}/METADATA", _metadata(p).encode("utf-8")),
            (f"{distinfo}/WHEEL", _wheel_file().encode()),
            (f"{distinfo}/top_level.txt", b"granary\n"),
        ]
        record = [_record_line(n, d) for n, d in entries] + [f"{distinfo}/RECORD,,"]
        entries.append((f"{distinfo}/RECORD", ("\n".join(record) + "\n").encode()))
        with zipfile.ZipFile(
            os.path.join(wheel_directory, filename), "w", compression=zipfile.ZIP_DEFLATED
        ) as zf:
            for name, data in entries:
                zf.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)
        return filename

    def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
        return []

    def get_requires_for_build_sdist(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
        return []

    def get_requires_for_build_editable(
        config_settings: Optional[Dict[str, Any]] = None,
    ) -> List[str]:
        return []

    def build_wheel(
        wheel_directory: str,
        config_settings: Optional[Dict[str, Any]] = None,
        metadata_directory: Optional[str] = None,
    ) -> str:
        return _write_wheel(wheel_directory, [(n, p.read_bytes()) for n, p in _package_files()])

    def build_editable(
        wheel_directory: str,
        config_settings: Optional[Dict[str, Any]] = None,
        metadata_directory: Optional[str] = None,
    ) -> str:
        return _write_wheel(wheel_directory, [("granary_src.pth", (str(SRC) + "\n").encode())])

    def build_sdist(sdist_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
        p = _project()
        base = f"{_dist_name(p)}-{p['version']}"
        filename = f"{base}.tar.gz"
        with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tf:
            for rel in ("pyproject.toml", "README.md", "_build/granary_build.py"):
                tf.add(ROOT / rel, arcname=f"{base}/{rel}")
            for name, path in _package_files():
                tf.add(path, arcname=f"{base}/src/{name}")
            info = _metadata(p).encode("utf-8")
            ti = tarfile.TarInfo(f"{base}/PKG-INFO")
            ti.size = len(info)
            tf.addfile(ti, io.BytesIO(info))
        return filename
