"""Region queries and headers of indexed genomic files (``client.files.query`` / ``.header``).

The server reads only the byte ranges the file's index names; these helpers stream its answer.
"""

from __future__ import annotations

import codecs
import json
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, TypedDict, Union, cast

from .models import json_object

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

_CHUNK = 64 * 1024


class Contig(TypedDict):
    name: str
    #: ``None`` where the file does not declare it (tabix-indexed text).
    length: Optional[int]


class FileHeader(TypedDict):
    format: str
    header: str
    contigs: List[Contig]
    samples: List[str]


def query_lines(
    client: Client,
    key: str,
    *,
    workspace_id: str,
    region: Union[str, Sequence[str]],
    fmt: str,
    limit: Optional[int],
    header: bool,
    reference_key: Optional[str],
) -> Iterator[str]:
    """The answer's lines without their newlines, decoded as UTF-8 as they arrive."""
    regions = [region] if isinstance(region, str) else list(region)
    params: Dict[str, Any] = {
        "workspace_id": workspace_id,
        "key": key,
        "region": regions,
        "format": fmt,
        "limit": limit,
        "header": header or None,
        "reference_key": reference_key,
    }
    resp = client.request("GET", "/v1/files/query", params=params, stream=True)
    decoder = codecs.getincrementaldecoder("utf-8")()
    rest = ""
    try:
        for block in client.transport.iter_body(resp, client.url("/v1/files/query"), _CHUNK):
            parts = (rest + decoder.decode(block)).split("\n")
            rest = parts.pop()
            yield from parts
        rest += decoder.decode(b"", final=True)
        if rest:
            yield rest
    finally:
        resp.close()


def query_records(lines: Iterator[str]) -> Iterator[Dict[str, Any]]:
    """Each NDJSON line as a dict."""
    for line in lines:
        yield json_object(json.loads(line))


def file_header(client: Client, key: str, *, workspace_id: str) -> FileHeader:
    params = {"workspace_id": workspace_id, "key": key}
    return cast(FileHeader, json_object(client.request_json("GET", "/v1/files/header", params=params)))
