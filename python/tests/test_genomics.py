"""``client.files.query`` and ``client.files.header`` against a real server (#15): text lines
are what bcftools prints for the same regions, JSON records are dicts, errors are ApiErrors."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import List

import pytest

from granary import ApiError, Client

TOOLS = ("bcftools", "bgzip", "tabix")
SAMPLES = ["S1", "S2", "S3"]


@pytest.fixture(scope="module")
def vcf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"htslib tools missing: {missing} (apt-get install bcftools tabix)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("vcf")
    rand = random.Random(15)
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=chr1,length=100000>",
        "##contig=<ID=chr2,length=50000>",
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *SAMPLES]),
    ]
    for chrom, length in (("chr1", 100000), ("chr2", 50000)):
        for pos in sorted(rand.sample(range(1, length), 400)):
            gts = [rand.choice(["0/0", "0/1", "1/1"]) for _ in SAMPLES]
            lines.append(
                "\t".join(
                    [chrom, str(pos), ".", "A", "G", str(rand.randint(1, 99)), "PASS", f"DP={pos % 50}", "GT", *gts]
                )
            )
    plain = folder / "calls.vcf"
    plain.write_text("\n".join(lines) + "\n")
    subprocess.run(["bgzip", str(plain)], check=True)
    subprocess.run(["tabix", "-p", "vcf", str(folder / "calls.vcf.gz")], check=True)
    return folder / "calls.vcf.gz"


def _bcftools(vcf: Path, regions: List[str]) -> str:
    out = subprocess.run(["bcftools", "view", "-H", "-r", ",".join(regions), str(vcf)], check=True, capture_output=True)
    return out.stdout.decode()


def _upload(client: Client, vcf: Path, workspace: str, prefix: str) -> str:
    for path in (vcf, vcf.with_name(vcf.name + ".tbi")):
        client.files.upload(str(path), workspace_id=workspace, path=prefix)
    return prefix + vcf.name


def test_text_lines_are_what_bcftools_prints(client: Client, vcf: Path, workspace: str, prefix: str) -> None:
    key = _upload(client, vcf, workspace, prefix)
    regions = ["chr1:10000-30000", "chr2:1-5000"]
    got = list(client.files.query(key, workspace_id=workspace, region=regions, format="text"))
    assert "".join(line + "\n" for line in got) == _bcftools(vcf, regions)


def test_json_records_and_header(client: Client, vcf: Path, workspace: str, prefix: str) -> None:
    key = _upload(client, vcf, workspace, prefix)
    records = list(client.files.query(key, workspace_id=workspace, region="chr1:1000-20000", limit=10))
    expected = _bcftools(vcf, ["chr1:1000-20000"]).splitlines()[:10]
    assert [(r["chrom"], r["pos"]) for r in records] == [(f.split("\t")[0], int(f.split("\t")[1])) for f in expected]
    assert sorted(records[0]["samples"]) == SAMPLES
    header = client.files.header(key, workspace_id=workspace)
    assert header["format"] == "vcf"
    assert header["contigs"] == [{"name": "chr1", "length": 100000}, {"name": "chr2", "length": 50000}]
    assert header["samples"] == SAMPLES


def test_errors_are_api_errors(client: Client, vcf: Path, workspace: str, prefix: str) -> None:
    key = _upload(client, vcf, workspace, prefix)
    with pytest.raises(ApiError) as bad:
        next(client.files.query(key, workspace_id=workspace, region="chrQ:1-10"))
    assert (bad.value.status, bad.value.code) == (400, "invalid_region")
    client.files.upload(str(vcf), workspace_id=workspace, path=prefix + "bare/")
    with pytest.raises(ApiError) as missing:
        next(client.files.query(prefix + "bare/calls.vcf.gz", workspace_id=workspace, region="chr1"))
    assert (missing.value.status, missing.value.code) == (422, "index_missing")
