"""WARC files: the raw exchanges, byte for byte, readable by standard web-archive tools.

warcio's ``capture_http`` patches ``http.client`` and cannot see httpx, so records
are written with ``WARCWriter`` directly: for each exchange a ``request`` record and
a ``response`` record (HTTP headers and the body as received, still content-encoded)
with block and payload digests. One gzipped WARC file per run.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from factcheck._version import __version__
from factcheck.web.fetcher import Exchange

__all__ = ["WarcArchive"]


class WarcArchive:
    """Appends exchanges to ``folder/factcheck-<UTC time>-<pid>.warc.gz``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path: Path | None = None
        self._file: BinaryIO | None = None
        self._writer: WARCWriter | None = None

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
            self.path = self.folder / f"factcheck-{stamp}-{os.getpid()}.warc.gz"
            self._file = open(self.path, "ab")  # noqa: SIM115 - closed in close()
            self._writer = WARCWriter(self._file, gzip=True)
            self._writer.write_record(self._writer.create_warcinfo_record(
                self.path.name, {"software": f"factcheck/{__version__}",
                                 "format": "WARC File Format 1.1"}))
        return self._writer

    def write(self, exchange: Exchange) -> tuple[str, int]:
        """Write one exchange; return the file name and the response record's offset."""
        writer = self._open()
        assert self._file is not None and self.path is not None
        date = exchange.at.strftime("%Y-%m-%dT%H:%M:%SZ")
        protocol = {"HTTP/1.0": "HTTP/1.0", "HTTP/2": "HTTP/2"}.get(
            exchange.http_version, "HTTP/1.1")
        target = exchange.url.split("://", 1)[1].partition("/")
        request_line = f"GET /{target[2]}"
        request = writer.create_warc_record(
            exchange.url, "request", payload=io.BytesIO(b""), length=0,
            http_headers=StatusAndHeaders(request_line, list(exchange.request_headers),
                                          protocol=protocol, is_http_request=True),
            warc_headers_dict={"WARC-Date": date})
        offset = self._file.tell()
        response = writer.create_warc_record(
            # With the length given, warcio digests the bytes in place instead of
            # spooling a temporary copy of every body.
            exchange.url, "response", payload=io.BytesIO(exchange.raw), length=len(exchange.raw),
            http_headers=StatusAndHeaders(f"{exchange.status} {exchange.reason}".strip(),
                                          list(exchange.headers), protocol=protocol),
            warc_headers_dict={"WARC-Date": date})
        writer.write_record(response)
        request.rec_headers.replace_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(request)
        self._file.flush()
        return self.path.name, offset

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None
