"""WARC files: the raw exchanges, byte for byte, readable by standard web-archive tools.

warcio's ``capture_http`` patches ``http.client`` and cannot see httpx, so records
are written with ``WARCWriter`` directly: for each exchange a ``request`` record and
a ``response`` record (HTTP headers and the body as received, still content-encoded)
with block and payload digests. One gzipped WARC file per run.
"""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from factcheck._version import __version__
from factcheck.errors import DamagedRecord
from factcheck.web.fetcher import Exchange

if TYPE_CHECKING:
    from warcio.warcwriter import WARCWriter

# warcio is imported where a record is written or read: a run answered by 304s writes
# none, and most commands read none.

__all__ = ["WarcArchive", "copy_exchange", "read_response"]


class WarcArchive:
    """Appends exchanges to ``folder/factcheck-<UTC time>-<pid>.warc.gz``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path: Path | None = None
        self._file: BinaryIO | None = None
        self._writer: WARCWriter | None = None

    def _open(self) -> WARCWriter:
        if self._writer is None:
            from warcio.warcwriter import WARCWriter

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
        from warcio.statusandheaders import StatusAndHeaders

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


def _open_at(folder: str | Path, name: str) -> Path:
    path = (Path(folder) / name).resolve()
    if path.parent != Path(folder).resolve() or not path.is_file():
        raise FileNotFoundError(2, "no such WARC file in the archive folder", str(path))
    return path


def _damaged(name: str, offset: int, exc: BaseException) -> DamagedRecord:
    return DamagedRecord(f"{name} at offset {offset}: the WARC record cannot be read "
                         f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]}); the "
                         "file is truncated or damaged")


def _checked(name: str, offset: int, body: bytes, expect_sha256: str | None) -> bytes:
    if expect_sha256 and hashlib.sha256(body).hexdigest() != expect_sha256:
        raise DamagedRecord(f"{name} at offset {offset}: the body is not the bytes whose "
                            f"SHA-256 ({expect_sha256[:16]}...) was recorded when they were "
                            "fetched; the file was truncated or altered")
    return body


def read_response(folder: str | Path, name: str, offset: int,
                  expect_sha256: str | None = None) -> tuple[str, bytes]:
    """The response record at ``offset`` of WARC file ``name`` in ``folder``: its target
    URI and its body as the server sent it, decoded of chunking and compression. Checked
    against ``expect_sha256`` (the body's hash recorded at fetch time) when given; a
    truncated, damaged or altered record is :class:`DamagedRecord`, naming the file."""
    from warcio.archiveiterator import ArchiveIterator

    with open(_open_at(folder, name), "rb") as f:
        f.seek(offset)
        try:
            for record in ArchiveIterator(f):
                if record.rec_type != "response":
                    raise ValueError(f"{name}#{offset} is a {record.rec_type} record, "
                                     "not a response")
                return (record.rec_headers.get_header("WARC-Target-URI") or "",
                        _checked(name, offset, record.content_stream().read(),
                                 expect_sha256))
        except DamagedRecord:
            raise
        except Exception as exc:  # warcio, gzip or zlib on a cut or garbled file
            raise _damaged(name, offset, exc) from None
    raise _damaged(name, offset, EOFError("no record there"))


def copy_exchange(folder: str | Path, name: str, offset: int, out: BinaryIO,
                  expect_sha256: str | None = None) -> dict[str, str]:
    """Copy the response record at ``offset`` and its request record, byte for byte (each
    record is a gzip member of its own, so digests and offsets stay true), to ``out``;
    return the response's WARC headers. The body is checked as :func:`read_response`
    checks it, before anything is written."""
    from warcio.archiveiterator import ArchiveIterator

    path = _open_at(folder, name)
    with open(path, "rb") as f:
        f.seek(offset)
        try:
            iterator = ArchiveIterator(f)
            response = next(iter(iterator), None)
            if response is None or response.rec_type != "response":
                raise ValueError(f"{name}#{offset} is not a response record")
            headers = dict(response.rec_headers.headers)
            _checked(name, offset, response.content_stream().read(), expect_sha256)
            iterator.read_to_end()
            length = iterator.get_record_length()
            request = next(iter(iterator), None)
            request_length = 0
            if request is not None and request.rec_type == "request" and request.rec_headers.\
                    get_header("WARC-Concurrent-To") == headers.get("WARC-Record-ID"):
                request.content_stream().read()
                iterator.read_to_end()
                request_length = iterator.get_record_length()
        except DamagedRecord:
            raise
        except Exception as exc:  # warcio, gzip or zlib on a cut or garbled file
            raise _damaged(name, offset, exc) from None
        f.seek(offset)
        out.write(f.read(length + request_length))
    return headers
