"""Memory stays flat whatever the file size: a ~200 MB upload (form and large-file flow) and its
download grow the Python process's peak RSS by less than 50 MB. Measured in a fresh subprocess
with the peak RSS (``VmHWM``, else ``ru_maxrss``; KiB on Linux)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict

import pytest

from conftest import SRC, Server
from granary import Client

BIG = 200 * 1000 * 1000  # under the 500 MB form-upload limit
MAX_GROWTH_KIB = 50 * 1024

SCRIPT = textwrap.dedent(
    """
    import json, os, resource, sys
    from granary import Client

    base_url, api_key, workspace, prefix, big, small, outdir = sys.argv[1:]

    def peak_kib():
        # VmHWM: this process's own peak. ru_maxrss survives exec on Linux, so in a child of
        # pytest it would start at pytest's own peak and hide any growth below it.
        try:
            with open("/proc/self/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    client = Client(api_key=api_key, base_url=base_url)
    # Warm up: imports, connection pool, first request.
    client.files.upload(small, workspace_id=workspace, path=prefix + "warm/")
    client.files.upload_file(small, workspace_id=workspace, path=prefix + "warm2/", large_threshold=1)
    client.files.download(prefix + "warm/" + os.path.basename(small), workspace_id=workspace, dest=outdir + "/warm/")
    base = peak_kib()
    sent = [0]
    form = client.files.upload(big, workspace_id=workspace, path=prefix + "form/",
                               progress=lambda n: sent.__setitem__(0, sent[0] + n))
    after_form = peak_kib()
    large = client.files.upload_file(big, workspace_id=workspace, path=prefix + "large/", large_threshold=1024)
    after_large = peak_kib()
    local = client.files.download(form["key"], workspace_id=workspace, dest=outdir + "/")
    after_download = peak_kib()
    print(json.dumps({
        "base": base, "after_form": after_form, "after_large": after_large,
        "after_download": after_download, "form": form, "large": large, "local": local,
        "sent": sent[0], "local_size": os.path.getsize(local),
    }))
    """
)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big_reads.bam"
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as fh:
        left = BIG
        while left:
            n = min(left, len(block))
            fh.write(block[:n])
            left -= n
    return path


def test_memory_stays_flat(
    server: Server, client: Client, workspace: str, prefix: str, big_file: Path, tmp_path: Path
) -> None:
    small = tmp_path / "small.bin"
    small.write_bytes(b"warm up\n")
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, server.base_url, str(client.api_key), workspace, prefix, str(big_file), str(small), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    r: Dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["form"]["size"] == BIG and r["large"]["size"] == BIG
    assert r["form"]["sha256"] == r["large"]["sha256"]
    assert r["sent"] == BIG and r["local_size"] == BIG
    growth = {k: r[k] - r["base"] for k in ("after_form", "after_large", "after_download")}
    print("peak RSS growth (KiB):", growth, "base:", r["base"])
    for step, kib in growth.items():
        assert kib < MAX_GROWTH_KIB, f"{step}: peak RSS grew by {kib / 1024:.1f} MiB for a {BIG / 1e6:.0f} MB file"
    for key in (r["form"]["key"], r["large"]["key"]):
        client.files.delete(key, workspace_id=workspace)
