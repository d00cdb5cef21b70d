"""The seed page's Python snippets, run verbatim against the live server.

``seed_snippets/*.py`` are exact copies of the snippets in ``../shared/seed/files-api.txt`` (each
file is the snippet's text plus a final newline). They run in seed order in ONE namespace (they
share ``result``), with ``client`` bound, in a temp folder holding ``sample.vcf`` and
``large_genome.bam``. Running one snippet alone first runs the ones before it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from conftest import REPO
from granary import ApiError, Client

SNIPPETS_DIR = Path(__file__).resolve().parent / "seed_snippets"
SNIPPETS = sorted(SNIPPETS_DIR.glob("*.py"))
SEED_PAGE = REPO.parent / "shared" / "seed" / "files-api.txt"

VCF = (
    "##fileformat=VCFv4.2\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    + "".join(f"chr1\t{1000 + i}\t.\tA\tG\t50\tPASS\tDP={i}\n" for i in range(2000))
)
BAM_SIZE = 12 * 1024 * 1024 + 123


def snippet_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n"), f"{path.name}: one final newline"
    return text[:-1]


def test_snippet_copies_exist() -> None:
    assert [p.name for p in SNIPPETS] == [
        "01_list_files.py",
        "02_upload.py",
        "03_download.py",
        "04_delete.py",
        "05_large_file_upload.py",
    ]


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.stem)
def test_snippet_copy_is_verbatim_in_seed_page(path: Path) -> None:
    if not SEED_PAGE.exists():
        pytest.skip(f"{SEED_PAGE} not present beside this checkout")
    assert snippet_text(path) in SEED_PAGE.read_text(encoding="utf-8")


class SeedRun:
    def __init__(self, workdir: Path, client: Client) -> None:
        self.workdir = workdir
        self.namespace: Dict[str, Any] = {"client": client, "__name__": "__seed__"}
        self.done = 0
        self.outputs: Dict[str, str] = {}


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory: pytest.TempPathFactory, client: Client) -> Iterator[SeedRun]:
    workdir = tmp_path_factory.mktemp("seed")
    (workdir / "sample.vcf").write_text(VCF)
    with open(workdir / "large_genome.bam", "wb") as fh:
        block = hashlib.sha256(b"bam").digest() * 32768  # 1 MiB, not all zeros
        left = BAM_SIZE
        while left:
            fh.write(block[:left])
            left -= min(left, len(block))
    # The seed's keys start absent so the snippets' effects are observable.
    for key in ("raw/sample.vcf", "bam/large_genome.bam"):
        try:
            client.files.delete(key, workspace_id="ws_abc123")
        except ApiError as e:
            assert e.code == "file_not_found"
    yield SeedRun(workdir, client)


def run_through(run: SeedRun, index: int, capsys: pytest.CaptureFixture[str]) -> str:
    """Run snippets up to and including ``index`` (0-based) that have not run yet; return the
    output of the one at ``index``."""
    old = os.getcwd()
    os.chdir(run.workdir)
    try:
        while run.done <= index:
            path = SNIPPETS[run.done]
            code = compile(snippet_text(path), str(path), "exec")
            capsys.readouterr()
            exec(code, run.namespace)
            run.outputs[path.stem] = capsys.readouterr().out
            run.done += 1
    finally:
        os.chdir(old)
    return run.outputs[SNIPPETS[index].stem]


def test_seed_01_list_files(seed_run: SeedRun, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_through(seed_run, 0, capsys)
    files = seed_run.namespace["files"]
    assert isinstance(files, list)
    assert len(out.splitlines()) == len(files)
    for f, line in zip(files, out.splitlines()):
        assert line == f"{f['name']} — {f['size'] / 1024:.1f} KB  key={f['key']}"


def test_seed_02_upload(seed_run: SeedRun, capsys: pytest.CaptureFixture[str], client: Client) -> None:
    run_through(seed_run, 1, capsys)
    ns = seed_run.namespace
    assert ns["file_key"] == "raw/sample.vcf"
    assert ns["result"]["size"] == len(VCF.encode())
    assert ns["result"]["sha256"] == hashlib.sha256(VCF.encode()).hexdigest()
    listed = client.files.list(workspace_id="ws_abc123", prefix="raw/")
    assert "raw/sample.vcf" in [f["key"] for f in listed]
    # The listing snippet now shows the file too.
    out = _rerun_first(seed_run, capsys)
    assert f"sample.vcf — {len(VCF.encode()) / 1024:.1f} KB  key=raw/sample.vcf" in out


def _rerun_first(run: SeedRun, capsys: pytest.CaptureFixture[str]) -> str:
    ns = dict(run.namespace)
    capsys.readouterr()
    exec(compile(snippet_text(SNIPPETS[0]), str(SNIPPETS[0]), "exec"), ns)
    return capsys.readouterr().out


def test_seed_03_download(seed_run: SeedRun, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_through(seed_run, 2, capsys)
    local_path = seed_run.namespace["local_path"]
    assert out == f"Saved to {local_path}\n"
    assert os.path.normpath(local_path) == os.path.join("output", "sample.vcf")
    assert (seed_run.workdir / "output" / "sample.vcf").read_text() == VCF
    assert os.listdir(seed_run.workdir / "output") == ["sample.vcf"]


def test_seed_04_delete(seed_run: SeedRun, capsys: pytest.CaptureFixture[str], client: Client) -> None:
    run_through(seed_run, 3, capsys)
    keys = [f["key"] for f in client.files.list_all(workspace_id="ws_abc123", prefix="raw/")]
    assert "raw/sample.vcf" not in keys
    with pytest.raises(ApiError) as ei:
        client.files.download_url("raw/sample.vcf", workspace_id="ws_abc123")
    assert (ei.value.status, ei.value.code) == (404, "file_not_found")


def test_seed_05_large_file_upload(seed_run: SeedRun, capsys: pytest.CaptureFixture[str], client: Client) -> None:
    out = run_through(seed_run, 4, capsys)
    assert out == "bam/large_genome.bam\n"
    result = seed_run.namespace["result"]
    assert result["key"] == "bam/large_genome.bam"
    assert result["size"] == BAM_SIZE
    digest = hashlib.sha256((seed_run.workdir / "large_genome.bam").read_bytes()).hexdigest()
    assert result["sha256"] == digest
    listed = {f["key"]: f for f in client.files.list(workspace_id="ws_abc123", prefix="bam/")}
    assert listed["bam/large_genome.bam"]["size"] == BAM_SIZE
