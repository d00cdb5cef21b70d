"""Every ``client.files`` method against the live server."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import List

import pytest
import requests

from granary import ApiError, Client, FileList

FILEINFO_FIELDS = {
    "id",
    "workspace_id",
    "key",
    "name",
    "size",
    "content_type",
    "description",
    "sha256",
    "created_at",
    "updated_at",
}


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_upload_returns_file_info_and_lists(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    data = b"##fileformat=VCFv4.2\n" + os.urandom(5000)
    src = write(tmp_path / "sample.vcf", data)
    info = client.files.upload(src, workspace_id=workspace, path=prefix, description="first run")
    assert FILEINFO_FIELDS <= set(info)
    assert info["key"] == prefix + "sample.vcf"
    assert info["name"] == "sample.vcf"
    assert info["workspace_id"] == workspace
    assert info["size"] == len(data)
    assert info["sha256"] == hashlib.sha256(data).hexdigest()
    assert info["description"] == "first run"

    page = client.files.list(workspace_id=workspace, prefix=prefix)
    assert isinstance(page, FileList) and isinstance(page, list)
    assert page.next_cursor is None
    assert [f["key"] for f in page] == [info["key"]]
    assert page[0]["id"] == info["id"] and page[0]["size"] == len(data)


def test_upload_path_without_slash_and_no_path(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    src = write(tmp_path / "a.txt", b"a")
    info = client.files.upload(src, workspace_id=workspace, path=prefix.rstrip("/"))
    assert info["key"] == prefix + "a.txt"
    top = write(tmp_path / f"{prefix.rstrip('/')}-top.txt", b"top")
    info = client.files.upload(top, workspace_id=workspace)
    assert info["key"] == top.name and info["description"] is None
    client.files.delete(top.name, workspace_id=workspace)


def test_upload_non_ascii_name(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    src = write(tmp_path / "échantillon 1 (β).vcf", b"x" * 10)
    info = client.files.upload(src, workspace_id=workspace, path=prefix + "données/")
    assert info["key"] == prefix + "données/échantillon 1 (β).vcf"
    assert info["name"] == "échantillon 1 (β).vcf"
    out = client.files.download(info["key"], workspace_id=workspace, dest=str(tmp_path / "dl") + "/")
    assert Path(out).name == "échantillon 1 (β).vcf"
    assert Path(out).read_bytes() == b"x" * 10


def test_overwrite_and_create_only(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    src = write(tmp_path / "r.txt", b"one")
    first = client.files.upload(src, workspace_id=workspace, path=prefix)
    write(src, b"second version")
    with pytest.raises(ApiError) as ei:
        client.files.upload(src, workspace_id=workspace, path=prefix, overwrite=False)
    assert (ei.value.status, ei.value.code) == (409, "file_exists")
    second = client.files.upload(src, workspace_id=workspace, path=prefix)
    assert second["id"] == first["id"]  # stable across replacements
    assert second["size"] == len(b"second version")
    got = client.files.download(second["key"], workspace_id=workspace, dest=tmp_path / "got.txt")
    assert Path(got).read_bytes() == b"second version"


def test_list_pagination_limit_and_list_all(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    names = [f"f{i}.txt" for i in range(5)]
    for n in names:
        client.files.upload(write(tmp_path / n, n.encode()), workspace_id=workspace, path=prefix)
    keys: List[str] = []
    cursor = None
    pages = 0
    while True:
        page = client.files.list(workspace_id=workspace, prefix=prefix, limit=2, cursor=cursor)
        assert len(page) <= 2
        keys += [f["key"] for f in page]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert keys == [prefix + n for n in names]
    assert pages == 3
    all_keys = [f["key"] for f in client.files.list_all(workspace_id=workspace, prefix=prefix, page_size=2)]
    assert all_keys == keys
    assert [f["key"] for f in client.files.list(workspace_id=workspace, prefix=prefix + "f3")] == [prefix + "f3.txt"]


def test_list_folder_view(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    for sub in ("", "raw/", "raw/deep/", "results/"):
        client.files.upload(write(tmp_path / "x.txt", b"x"), workspace_id=workspace, path=prefix + sub)
    page = client.files.list(workspace_id=workspace, prefix=prefix, delimiter="/")
    assert [f["key"] for f in page] == [prefix + "x.txt"]
    assert page.folders == [prefix + "raw/", prefix + "results/"]
    flat = client.files.list(workspace_id=workspace, prefix=prefix)
    assert flat.folders == []
    assert len(flat) == 4


def test_download_destinations(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    info = client.files.upload(write(tmp_path / "src" / "reads.fq", data), workspace_id=workspace, path=prefix)
    key = info["key"]
    # A folder given with a trailing slash, created if missing.
    p1 = client.files.download(key, workspace_id=workspace, dest=str(tmp_path / "new" / "dir") + "/")
    assert isinstance(p1, str) and Path(p1) == tmp_path / "new" / "dir" / "reads.fq"
    # An existing folder without the slash.
    (tmp_path / "exists").mkdir()
    p2 = client.files.download(key, workspace_id=workspace, dest=tmp_path / "exists")
    assert Path(p2) == tmp_path / "exists" / "reads.fq"
    # A file path.
    p3 = client.files.download(key, workspace_id=workspace, dest=tmp_path / "renamed.bin")
    assert Path(p3) == tmp_path / "renamed.bin"
    seen: List[int] = []
    p4 = client.files.download(key, workspace_id=workspace, dest=str(tmp_path / "p") + "/", progress=seen.append)
    assert sum(seen) == len(data)
    for p in (p1, p2, p3, p4):
        assert Path(p).read_bytes() == data
    assert sorted(os.listdir(tmp_path / "exists")) == ["reads.fq"]
    # Default dest is the current folder.
    old = os.getcwd()
    os.chdir(tmp_path / "exists")
    try:
        p5 = client.files.download(key, workspace_id=workspace)
        assert Path(p5).resolve() == (tmp_path / "exists" / "reads.fq").resolve()
    finally:
        os.chdir(old)


def test_download_missing_leaves_nothing(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    with pytest.raises(ApiError) as ei:
        client.files.download(prefix + "missing.vcf", workspace_id=workspace, dest=str(dest) + "/")
    assert (ei.value.status, ei.value.code) == (404, "file_not_found")
    assert not dest.exists() or os.listdir(dest) == []


def test_download_url_options_and_range(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    data = bytes(range(256)) * 40
    info = client.files.upload(write(tmp_path / "page.txt", data), workspace_id=workspace, path=prefix)
    link = client.files.download_url(info["key"], workspace_id=workspace, expires_in=60, disposition="inline")
    assert set(link) >= {"url", "expires_at"}
    assert link["url"].startswith("http")
    r = requests.get(link["url"], timeout=10)
    assert r.status_code == 200 and r.content == data
    assert r.headers["Content-Disposition"].startswith("inline")
    r = requests.get(link["url"], headers={"Range": "bytes=10-19"}, timeout=10)
    assert r.status_code == 206 and r.content == data[10:20]
    attach = client.files.download_url(info["key"], workspace_id=workspace)
    r = requests.get(attach["url"], timeout=10)
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert "page.txt" in r.headers["Content-Disposition"]
    # Active content never renders on Granary's origin, even when inline is asked.
    html = client.files.upload(write(tmp_path / "page.html", data), workspace_id=workspace, path=prefix)
    html_link = client.files.download_url(html["key"], workspace_id=workspace, disposition="inline")
    assert requests.get(html_link["url"], timeout=10).headers["Content-Disposition"].startswith("attachment")
    # A tampered URL is refused.
    r = requests.get(tampered(attach["url"]), timeout=10)
    assert r.status_code == 403


def tampered(url: str) -> str:
    """The URL with its signature changed: in the query (direct URLs) or a Granary link's path."""
    if "signature=" in url:
        return url.replace("signature=", "signature=0")
    head, sep, rest = url.partition("/v1/links/")
    token, slash, key = rest.partition("/")
    return f"{head}{sep}{token[:-1]}{'B' if token.endswith('A') else 'A'}{slash}{key}"


def test_link_with_index_serves_the_index_beside_it(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    bam = client.files.upload(write(tmp_path / "x.bam", b"BAM-DATA"), workspace_id=workspace, path=prefix)
    client.files.upload(write(tmp_path / "x.bam.bai", b"BAI-DATA"), workspace_id=workspace, path=prefix)
    link = client.files.download_url(bam["key"], workspace_id=workspace, link="granary", with_index=True)
    assert link["url"].endswith("/x.bam") and "?" not in link["url"]
    assert link.get("index_key") == prefix + "x.bam.bai"
    assert requests.get(link["index_url"], timeout=10).content == b"BAI-DATA"
    # htslib appends the index extension to the data link: the same link serves it.
    assert requests.get(link["url"] + ".bai", timeout=10).content == b"BAI-DATA"
    assert requests.get(link["url"] + ".csi", timeout=10).status_code == 404
    plain = client.files.download_url(bam["key"], workspace_id=workspace)
    assert "index_url" not in plain


def test_delete(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    info = client.files.upload(write(tmp_path / "d.txt", b"d"), workspace_id=workspace, path=prefix)
    assert client.files.delete(info["key"], workspace_id=workspace) is None
    assert client.files.list(workspace_id=workspace, prefix=prefix) == []
    with pytest.raises(ApiError) as ei:
        client.files.delete(info["key"], workspace_id=workspace)
    assert (ei.value.status, ei.value.code) == (404, "file_not_found")


def test_upload_large_put_confirm(client: Client, workspace: str, prefix: str, tmp_path: Path) -> None:
    data = os.urandom(2 * 1024 * 1024 + 3)
    digest = hashlib.sha256(data).hexdigest()
    info = client.files.upload_large(
        filename="big.bam",
        workspace_id=workspace,
        content_type="application/octet-stream",
        size=len(data),
        path=prefix + "bam/",
        description="large",
    )
    assert {"uploadUrl", "fileKey", "uploadId", "headers"} <= set(info)
    assert info["fileKey"] == prefix + "bam/big.bam"
    # Nothing listed before confirm; confirming before the PUT is refused.
    assert client.files.list(workspace_id=workspace, prefix=prefix) == []
    with pytest.raises(ApiError) as ei:
        client.files.upload_confirm(file_key=info["fileKey"], workspace_id=workspace, size=len(data), upload_id=info["uploadId"])
    assert (ei.value.status, ei.value.code) == (409, "upload_not_received")

    r = requests.put(info["uploadUrl"], data=data, headers=info["headers"], timeout=30)
    assert r.status_code < 300, r.text
    r2 = requests.put(info["uploadUrl"], data=data, headers=info["headers"], timeout=30)
    assert r2.status_code in (403, 409), r2.text  # single-use
    if r2.status_code == 409:
        assert r2.json()["error"]["code"] == "upload_already_received"

    with pytest.raises(ApiError) as ei:
        client.files.upload_confirm(file_key=info["fileKey"], workspace_id=workspace, size=len(data) + 1, upload_id=info["uploadId"])
    assert (ei.value.status, ei.value.code) == (422, "size_mismatch")

    result = client.files.upload_confirm(
        file_key=info["fileKey"],
        workspace_id=workspace,
        filename="big.bam",
        size=len(data),
        upload_id=info["uploadId"],
        sha256=digest,
    )
    assert result["key"] == info["fileKey"] and result["size"] == len(data) and result["sha256"] == digest
    assert result["description"] == "large"
    again = client.files.upload_confirm(file_key=info["fileKey"], workspace_id=workspace, size=len(data), upload_id=info["uploadId"])
    assert again["id"] == result["id"] and again["sha256"] == digest
    got = client.files.download(result["key"], workspace_id=workspace, dest=str(tmp_path / "o") + "/")
    assert Path(got).read_bytes() == data


def test_upload_confirm_checksum_mismatch(client: Client, workspace: str, prefix: str) -> None:
    data = b"abc" * 1000
    info = client.files.upload_large(filename="c.bin", workspace_id=workspace, size=len(data), path=prefix)
    r = requests.put(info["uploadUrl"], data=data, headers=info["headers"], timeout=30)
    assert r.status_code < 300, r.text
    with pytest.raises(ApiError) as ei:
        client.files.upload_confirm(
            file_key=info["fileKey"], workspace_id=workspace, size=len(data), upload_id=info["uploadId"], sha256="0" * 64
        )
    assert (ei.value.status, ei.value.code) == (422, "checksum_mismatch")
    assert client.files.list(workspace_id=workspace, prefix=prefix) == []


def test_upload_put_wrong_size(client: Client, workspace: str, prefix: str) -> None:
    info = client.files.upload_large(filename="s.bin", workspace_id=workspace, size=100, path=prefix)
    r = requests.put(info["uploadUrl"], data=b"x" * 101, headers=info["headers"], timeout=30)
    assert r.status_code == 413 and r.json()["error"]["code"] == "upload_too_large", r.text
    info = client.files.upload_large(filename="s2.bin", workspace_id=workspace, size=100, path=prefix)
    r = requests.put(info["uploadUrl"], data=b"x" * 99, headers=info["headers"], timeout=30)
    assert r.status_code == 400 and r.json()["error"]["code"] == "upload_incomplete", r.text


@pytest.mark.parametrize("size,threshold", [(300_000, 1024 * 1024), (3 * 1024 * 1024 + 1, 1024 * 1024)], ids=["form", "large"])
def test_upload_file_picks_flow(client: Client, workspace: str, prefix: str, tmp_path: Path, size: int, threshold: int) -> None:
    data = os.urandom(size)
    src = write(tmp_path / "reads.bam", data)
    seen: List[int] = []
    info = client.files.upload_file(
        src, workspace_id=workspace, path=prefix, description="d", progress=seen.append, large_threshold=threshold
    )
    assert sum(seen) == size
    assert info["key"] == prefix + "reads.bam"
    assert info["size"] == size and info["sha256"] == hashlib.sha256(data).hexdigest()
    assert info["description"] == "d"
    got = client.files.download(info["key"], workspace_id=workspace, dest=str(tmp_path / "out") + "/")
    assert Path(got).read_bytes() == data


def test_request_escape_hatch(client: Client, workspace: str) -> None:
    resp = client.request("GET", "/v1/files", params={"workspace_id": workspace, "limit": 1})
    body = resp.json()
    assert "files" in body and "next_cursor" in body
    assert resp.headers.get("x-request-id")
    json.dumps(body)


@pytest.mark.parametrize("name", ["reads.fq", "table.json", "notes.txt", "calls.vcf"])
def test_large_flow_any_content_type(client: Client, workspace: str, prefix: str, tmp_path: Path, name: str) -> None:
    """The signed PUT must take any Content-Type the server itself put in ``headers`` (text/plain
    for FASTQ, application/json, ...), small or bigger than the server's JSON body limit."""
    for size in (40, 2 * 1024 * 1024 + 1):
        data = os.urandom(size)
        src = write(tmp_path / name, data)
        info = client.files.upload_file(src, workspace_id=workspace, path=prefix + str(size), large_threshold=1)
        assert info["size"] == size and info["sha256"] == hashlib.sha256(data).hexdigest()
