"""Reading a landed file as a grid of text cells, without holding it whole.

A CSV is read by polars' streaming scanner; GB18030 is first transcoded to UTF-8
chunk by chunk (DuckDB and polars read only UTF-8 here). An xlsx is read by
fastexcel (calamine), whose first sheet is small enough to hold. Either way the
result is a `Grid`: its first rows, for header recognition, and a lazy frame of
every row as text columns `c0…cN` plus `_row`, the row number a spreadsheet
program shows.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

SUPPORTED = (".csv", ".xlsx")
HEAD_ROWS = 12  # enough for 5 preamble rows, a two-row header and some data
CHUNK = 1 << 20


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
    scan: Callable[[int], pl.LazyFrame]  # rows from a 0-based row index on, as c0…cN + _row


def read_grid(path: Path, copied: Copied, workdir: Path) -> Grid:
    suffix = path.suffix.lower()
    if copied.size == 0:
        raise Unreadable("the file is empty (0 bytes)")
    if suffix == ".csv":
        return _read_csv(path, copied, workdir)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise Unreadable(
        f"unsupported file type '{suffix or '(none)'}': exports must be .csv or .xlsx"
        + (" (save the .xls as .xlsx)" if suffix == ".xls" else "")
    )


def _read_csv(path: Path, copied: Copied, workdir: Path) -> Grid:
    with path.open("rb") as f:
        start = f.read(4096)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: not in the contract, but unambiguous.
        encoding, utf8_path = "utf-16", workdir / f"{copied.sha256}.utf8.csv"
        _transcode(path, utf8_path, encoding)
    elif b"\x00" in start:
        raise Unreadable("not a CSV text file (it contains NUL bytes)")
    elif copied.utf8:
        encoding = "utf-8-sig" if start.startswith(codecs.BOM_UTF8) else "utf-8"
        utf8_path = path
    else:
        encoding = "gb18030"
        utf8_path = workdir / f"{copied.sha256}.utf8.csv"
        _transcode(path, utf8_path, encoding)

    with utf8_path.open("r", encoding="utf-8-sig", newline="") as f:
        sample = f.read(64 * 1024)
    lines = sample.splitlines(keepends=True)
    if len(sample) == 64 * 1024 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    delimiter, head = _head_rows("".join(lines[: HEAD_ROWS * 4]))
    width = max((len(r) for r in head), default=0)

    def scan(first_row: int) -> pl.LazyFrame:
        names = [f"c{i}" for i in range(width)]
        return pl.scan_csv(
            utf8_path,
            has_header=False,
            separator=delimiter,
            skip_rows=first_row,
            infer_schema=False,
            schema=dict.fromkeys(names, pl.String),
            truncate_ragged_lines=True,
            row_index_name="_row",
            row_index_offset=first_row + 1,
            raise_if_empty=False,
        )

    return Grid(encoding, head, width, scan)


def _transcode(source: Path, target: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with source.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(CHUNK):
                dst.write(decoder.decode(chunk))
            dst.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as e:
        target.unlink(missing_ok=True)
        raise Unreadable(f"neither UTF-8 nor GB18030 text (bad byte at offset {e.start})") from e


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

    def scan(first_row: int) -> pl.LazyFrame:
        return frame.slice(first_row).lazy().select("_row", *names)

    return Grid("xlsx", head, len(names), scan)


def remove_workdir(workdir: Path) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
