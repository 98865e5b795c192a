"""The evidence as it was when judged, as a WACZ package that ReplayWeb.page or pywb
replays: exactly the WARC records that a document's current verdicts rest on.

The records are copied byte for byte out of our WARC files (see
:func:`factcheck.web.archive.copy_exchange`), then packaged by Webrecorder's ``wacz``
tool (``pip install 'factcheck-tracker[wacz]'``): the CDXJ index, ``pages/pages.jsonl`` and a
``datapackage.json`` whose SHA-256 digests verify.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from factcheck.errors import ConfigError, NotFound
from factcheck.store import Database
from factcheck.web.archive import copy_exchange

__all__ = ["WaczExport", "export_wacz"]


@dataclass(frozen=True)
class WaczExport:
    path: Path
    #: (URL, WARC file, offset) of each exchange packed, once each.
    records: tuple[tuple[str, str, int], ...]
    #: Evidence links whose verdict rests on no stored capture (recorded before any
    #: fetch, or the WARC file is gone): named, not packed.
    missing: tuple[str, ...]


def export_wacz(store: Database, output: str | Path, archive_dir: str | Path, *,
                document: str | None = None) -> WaczExport:
    """Write ``output`` (a .wacz) with the records the current verdicts of ``document``
    (every document, when None) rest on."""
    try:
        from wacz.main import main as wacz_main
    except ImportError as exc:
        raise ConfigError("exporting WACZ needs Webrecorder's wacz package: "
                          "pip install 'factcheck-tracker[wacz]'") from exc
    wanted: dict[tuple[str, int], tuple[str, str, str | None]] = {}
    missing: list[str] = []
    for claim in store.claims(document):
        if claim.verdict is None:
            continue
        for rested in claim.verdict.rested_on:
            if rested.get("warc_file") and rested.get("warc_offset") is not None:
                wanted.setdefault((rested["warc_file"], int(rested["warc_offset"])),
                                  (rested["url"], rested.get("fetched_at") or "",
                                   rested.get("content_sha256")))
            else:
                missing.append(f"{claim.ref}: {rested['url']}")
    if not wanted:
        raise NotFound("no verdict rests on a stored capture yet: record verdicts after "
                       "a fetch (factcheck verdict), then export")
    output = Path(output)
    with tempfile.TemporaryDirectory(prefix="factcheck-wacz-") as tmp:
        warc = Path(tmp) / "evidence.warc.gz"
        pages = Path(tmp) / "pages.jsonl"
        records = []
        with open(warc, "wb") as out, open(pages, "w", encoding="utf-8") as index:
            index.write(json.dumps({"format": "json-pages-1.0", "id": "pages",
                                    "title": "The evidence behind the verdicts"}) + "\n")
            for (name, offset), (url, fetched_at, digest) in sorted(wanted.items()):
                headers = copy_exchange(archive_dir, name, offset, out, expect_sha256=digest)
                target = headers.get("WARC-Target-URI", url)
                index.write(json.dumps({"url": target, "ts": headers.get("WARC-Date",
                                                                         fetched_at),
                                        "title": target}) + "\n")
                records.append((target, name, offset))
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            code = wacz_main(["create", str(warc), "-o", str(output), "-p", str(pages),
                              "--hash-type", "sha256",
                              "--title", f"factcheck evidence: {document or 'all documents'}"])
        if code != 0:
            raise ConfigError(f"wacz could not package the records: {said.getvalue()[-500:]}")
    return WaczExport(output, tuple(records), tuple(missing))
