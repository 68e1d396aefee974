"""Reading a landed file as a grid of text cells, without holding it whole.

A CSV is cut into chunks at record ends and each chunk parsed by polars, so memory
stays bounded whatever the file's size; GB18030 is decoded to UTF-8 on the way
(DuckDB and polars read only UTF-8 here). An xlsx is read by
fastexcel (calamine), whose first sheet is small enough to hold. Either way the
result is a `Grid`: its first rows, for header recognition, and batches of every
row as text columns `c0…cN` plus `_row`, the row number a spreadsheet program
shows.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

SUPPORTED = (".csv", ".xlsx")
HEAD_ROWS = 12  # enough for 5 preamble rows, a two-row header and some data
CHUNK = 1 << 20  # bytes per read when archiving
CSV_CHUNK_BYTES = 12 << 20  # bytes of CSV per batch: bounds memory whatever the file size
BATCH_ROWS = 250_000  # rows per batch of an xlsx sheet


class Unreadable(Exception):
    """The file cannot be read as what its extension says; the message says why."""


@dataclass(frozen=True)
class Copied:
    """What one pass over a landed file learnt while archiving it."""

    sha256: str
    size: int
    utf8: bool  # the whole file decodes as UTF-8 (with or without BOM)


def copy_and_hash(source: Path, archive: Path | None) -> tuple[Path, Copied]:
    """Copy `source` into the content-addressed `archive`, hashing it and checking
    whether it is UTF-8 in the same pass. Returns the archived path. With no
    archive (the file is an archived one already) it only hashes and checks."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, size = True, 0
    if archive is not None:
        archive.mkdir(parents=True, exist_ok=True)
        tmp = archive / f".incoming-{source.name}.part"
    with source.open("rb") as src, (tmp.open("wb") if archive else contextlib.nullcontext()) as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if dst is not None:
                dst.write(chunk)
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    sha = digest.hexdigest()
    if archive is None:
        return source, Copied(sha, size, utf8)
    final = archive_path(archive, sha, source.suffix)
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        tmp.unlink()
    else:
        tmp.replace(final)
    return final, Copied(sha, size, utf8)


def archive_path(archive: Path, sha256: str, suffix: str) -> Path:
    return archive / sha256[:2] / f"{sha256}{suffix.lower()}"


@dataclass
class Grid:
    """A file as rows of text cells."""

    encoding: str
    head: list[list[str | None]]  # the first rows, cells as text or None
    width: int
    # rows from a 0-based row index on, in batches, as _row + c0…cN (all text)
    batches: Callable[[int], Iterator[pl.DataFrame]]


def read_grid(path: Path, copied: Copied) -> Grid:
    suffix = path.suffix.lower()
    if copied.size == 0:
        raise Unreadable("the file is empty (0 bytes)")
    if suffix == ".csv":
        return _read_csv(path, copied)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise Unreadable(
        f"unsupported file type '{suffix or '(none)'}': exports must be .csv or .xlsx"
        + (" (save the .xls as .xlsx)" if suffix == ".xls" else "")
    )


def _read_csv(path: Path, copied: Copied) -> Grid:
    with path.open("rb") as f:
        start = f.read(4096)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # Excel's "Unicode text": not in the contract, but unambiguous
    elif b"\x00" in start:
        raise Unreadable("not a CSV text file (it contains NUL bytes)")
    elif copied.utf8:
        encoding = "utf-8-sig" if start.startswith(codecs.BOM_UTF8) else "utf-8"
    else:
        encoding = "gb18030"

    first = next(_utf8_chunks(path, encoding, 64 * 1024), b"").decode("utf-8")
    delimiter, head = _head_rows(first)
    width = max((len(r) for r in head), default=0)
    names = [f"c{i}" for i in range(width)]

    def batches(first_row: int) -> Iterator[pl.DataFrame]:
        done = first_row  # records before the next chunk's first one
        for n, chunk in enumerate(_utf8_chunks(path, encoding, CSV_CHUNK_BYTES)):
            skip = first_row if n == 0 else 0
            frame = pl.read_csv(
                chunk,
                has_header=False,
                separator=delimiter,
                skip_rows=skip,
                infer_schema=False,
                schema=dict.fromkeys(names, pl.String),
                truncate_ragged_lines=True,
                raise_if_empty=False,
            )
            yield frame.with_row_index("_row", offset=done + 1)
            done += frame.height

    return Grid(encoding, head, width, batches)


def _utf8_chunks(path: Path, encoding: str, size: int) -> Iterator[bytes]:
    """The file as UTF-8 bytes in chunks of about `size`, each ending at the end of
    a CSV record, so that each can be parsed alone and the file is never held
    whole. UTF-8 passes through; GB18030 and UTF-16 are decoded on the way."""
    decoder = None if encoding in ("utf-8", "utf-8-sig") else codecs.getincrementaldecoder(encoding)()
    pending = b""
    with path.open("rb") as f:
        if encoding == "utf-8-sig":
            f.read(len(codecs.BOM_UTF8))
        while True:
            block = f.read(size)
            if decoder is not None:
                try:
                    block = decoder.decode(block, final=not block).encode("utf-8")
                except UnicodeDecodeError as e:
                    raise Unreadable(f"neither UTF-8 nor GB18030 text (bad byte near offset {f.tell() - size + e.start})") from e
            if not block:
                break
            pending += block
            cut = _record_end(pending)
            if cut:
                yield pending[:cut]
                pending = pending[cut:]
    if pending:
        yield pending


def _record_end(data: bytes) -> int:
    """The length of the longest prefix of `data` that ends a CSV record: after a
    newline outside quotes (an even number of quote characters before it)."""
    cut = data.rfind(b"\n")
    while cut >= 0:
        if data.count(b'"', 0, cut) % 2 == 0:
            return cut + 1
        cut = data.rfind(b"\n", 0, cut)
    return 0


DELIMITERS = (",", "\t", ";", "|")


def _head_rows(text: str) -> tuple[str, list[list[str | None]]]:
    """The first rows, split by the delimiter that gives the widest row (commas
    first on a tie): a header row has several cells, a title row one."""
    best = None
    for delimiter in DELIMITERS:
        rows = [
            [c if c.strip() else None for c in row]
            for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ][:HEAD_ROWS]
        widest = max((sum(c is not None for c in r) for r in rows), default=0)
        if best is None or widest > best[0]:
            best = (widest, delimiter, rows)
    return best[1], best[2]


def _read_xlsx(path: Path) -> Grid:
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
        sheet = reader.load_sheet(0, header_row=None, dtypes="string", skip_rows=0)
        frame = sheet.to_polars()
    except Exception as e:  # fastexcel raises its own error types for corrupt files
        raise Unreadable(f"cannot read as .xlsx: {str(e).splitlines()[0]}") from e
    names = [f"c{i}" for i in range(frame.width)]
    frame = frame.rename(dict(zip(frame.columns, names, strict=True))).with_row_index(
        "_row", offset=1
    )
    head = [[r.get(n) for n in names] for r in frame.head(HEAD_ROWS).iter_rows(named=True)]

    def batches(first_row: int) -> Iterator[pl.DataFrame]:
        rows = frame.slice(first_row).select("_row", *names)
        yield from rows.iter_slices(BATCH_ROWS)

    return Grid("xlsx", head, len(names), batches)
