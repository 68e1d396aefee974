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
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.ingest.archive import Copied

SUPPORTED = (".csv", ".xlsx")
HEAD_ROWS = 12  # enough for 5 preamble rows, a two-row header and some data
CSV_CHUNK_BYTES = 8 << 20  # bytes of CSV per batch: bounds memory whatever the file size
BATCH_ROWS = 250_000  # rows per batch of an xlsx sheet


class Unreadable(Exception):
    """The file cannot be read as what its extension says; the message says why.
    A fault of the file only: a fault of the machine is never turned into this."""


@dataclass
class Grid:
    """A file as rows of text cells."""

    encoding: str
    head: list[list[str | None]]  # the first rows, cells as text or None
    width: int
    # rows from a 0-based row index on, in batches, as _row + c0…cN (all text)
    batches: Callable[[int], Iterator[pl.DataFrame]]
    # CSV: a cell past the header's last column means a row has more cells than
    # the header (an unquoted delimiter in a cell shifts the cells after it).
    delimited: bool = False


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
    elif copied.utf8_error is not None:
        raise Unreadable(_bad_text(path, "utf-8", copied.utf8_error, _cut_short(path, copied)))
    else:
        encoding = "gb18030"

    first = next(_utf8_chunks(path, encoding, 64 * 1024), _Chunk(b"", 1, 0)).data.decode("utf-8")
    delimiter, head = _head_rows(first)
    width = max((len(r) for r in head), default=0)
    # One column more than the head shows: a data row reaching into it has more
    # cells than the header (rows.py quarantines it).
    names = [f"c{i}" for i in range(width + 1)]

    def batches(first_row: int) -> Iterator[pl.DataFrame]:
        done = first_row  # records before the next chunk's first one
        for n, chunk in enumerate(_utf8_chunks(path, encoding, CSV_CHUNK_BYTES)):
            skip = first_row if n == 0 else 0
            try:
                frame = pl.read_csv(
                    chunk.data,
                    has_header=False,
                    separator=delimiter,
                    skip_rows=skip,
                    infer_schema=False,
                    schema=dict.fromkeys(names, pl.String),
                    truncate_ragged_lines=True,
                    missing_columns="insert",  # a short first row is not an error
                    raise_if_empty=False,
                )
            except pl.exceptions.PolarsError:
                # polars refuses some text a spreadsheet reads (a quote inside an
                # unquoted cell); Python's parser decides, and names the row if the
                # text really is malformed.
                frame = _parse_strictly(chunk, delimiter, names, skip, done - skip)
            yield frame.with_row_index("_row", offset=done + 1)
            done += frame.height

    return Grid(encoding, head, width, batches, delimited=True)


def _cut_short(path: Path, copied: Copied) -> bool:
    """Whether the UTF-8 error is an incomplete last character: the file was cut."""
    if copied.utf8_error is None or copied.utf8_error < copied.size - 3:
        return False
    with path.open("rb") as f:
        f.seek(copied.utf8_error)
        tail = f.read()
    try:
        tail.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.reason == "unexpected end of data"
    return False


@dataclass(frozen=True)
class _Chunk:
    data: bytes  # UTF-8, whole CSV records
    line: int  # the file's line number of its first line
    offset: int | None  # the file's byte offset of its first byte (UTF-8 files only)


def _parse_strictly(chunk: _Chunk, delimiter: str, names: list[str], skip: int, before: int) -> pl.DataFrame:
    """The chunk parsed by Python's csv module in strict mode, as the columns
    `names` (cells past the last name folded into it). Malformed text (an unclosed
    quote, a quote closing a cell in the middle) rejects the file, naming the row,
    its line and, in a UTF-8 file, its byte offset. `before`: records before the chunk."""
    reader = csv.reader(io.StringIO(chunk.data.decode("utf-8"), newline=""), delimiter=delimiter, strict=True)
    rows, records, next_line = [], 0, 1
    width = len(names)
    try:
        for record in reader:
            records += 1
            next_line = reader.line_num + 1
            if records <= skip:
                continue
            cells = [c if c != "" else None for c in record[: width - 1]]
            extra = [c for c in record[width - 1:] if c.strip()]
            rows.append(cells + [None] * (width - 1 - len(cells)) + ["\x1f".join(extra) or None])
    except csv.Error as e:
        line = chunk.line + next_line - 1
        where = f"row {before + records + 1} (line {line}"
        if chunk.offset is not None:
            where += f", byte {chunk.offset + _line_start(chunk.data, next_line)}"
        what = (
            "a quoted cell starting there is never closed, so the rest of the file cannot be read"
            if "end of data" in str(e)
            else f"a quote ends a cell in the middle ({e}): quotes inside a cell must be doubled"
        )
        raise Unreadable(f"malformed CSV at {where}): {what}") from None
    return pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")


def _line_start(data: bytes, line: int) -> int:
    """Byte offset in `data` of its 1-based line `line`."""
    at = 0
    for _ in range(line - 1):
        at = data.index(b"\n", at) + 1
    return at


def _bad_text(path: Path, encoding: str, at: int, cut: bool) -> str:
    """Why a file does not decode, naming the byte offset, the row and line it is on."""
    with path.open("rb") as f:
        prefix = f.read(at)
        bad = f.read(1)
    text = prefix.decode(encoding, errors="replace")
    line = text.count("\n") + 1
    # The row a spreadsheet would show: records ended before the bad byte, plus one.
    rows = 0
    with contextlib.suppress(csv.Error):
        for _ in csv.reader(io.StringIO(text + "x", newline="")):
            rows += 1
    where = f"byte offset {at} (row {rows}, line {line})"
    if cut:
        return f"the file is cut short: it ends in the middle of a character at {where}"
    label = "UTF-8" if encoding.startswith("utf-8") else "neither UTF-8 nor GB18030"
    return f"{label} text with an invalid byte 0x{bad.hex()} at {where}"


def _utf8_chunks(path: Path, encoding: str, size: int) -> Iterator[_Chunk]:
    """The file as UTF-8 bytes in chunks of about `size`, each ending at the end of
    a CSV record, so that each can be parsed alone and the file is never held
    whole. UTF-8 passes through; GB18030 and UTF-16 are decoded on the way."""
    decoder = None if encoding in ("utf-8", "utf-8-sig") else codecs.getincrementaldecoder(encoding)()
    pending, line, offset = b"", 1, 0
    with path.open("rb") as f:
        if encoding == "utf-8-sig":
            offset = len(f.read(len(codecs.BOM_UTF8)))
        while True:
            raw = f.read(size)
            block = raw
            if decoder is not None:
                buffered = len(decoder.getstate()[0])
                try:
                    block = decoder.decode(raw, final=not raw).encode("utf-8")
                except UnicodeDecodeError as e:
                    at = f.tell() - len(raw) - buffered + e.start
                    raise Unreadable(_bad_text(path, encoding, at, cut=not raw)) from e
            if not block:
                break
            pending += block
            cut = _record_end(pending)
            if cut:
                yield _Chunk(pending[:cut], line, None if decoder else offset)
                line += pending.count(b"\n", 0, cut)
                offset += cut
                pending = pending[cut:]
    if pending:
        yield _Chunk(pending, line, None if decoder else offset)


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
        rows = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        with contextlib.suppress(csv.Error):  # malformed text: the batches will say where
            for row in reader:
                rows.append([c if c.strip() else None for c in row])
                if len(rows) == HEAD_ROWS:
                    break
        widest = max((sum(c is not None for c in r) for r in rows), default=0)
        if best is None or widest > best[0]:
            best = (widest, delimiter, rows)
    return best[1], best[2]


# A number cell is a binary double, and calamine writes it out in full: 9115076.05
# saved by a program that summed it comes back as 9115076.050000001, which the money
# rule would take for a fraction of a fen. Excel shows (and keeps in its own
# arithmetic) 15 significant digits; a decimal with more than that is rounded to
# them. Text cells of digits only (ID numbers) have no point and are left alone.
EXCEL_DIGITS = 15


def _as_excel_shows(cell: pl.Expr) -> pl.Expr:
    digits = cell.str.replace_all(r"[-.]", "").str.strip_chars_start("0").str.len_chars()
    rounded = (
        cell.cast(pl.Float64, strict=False).round_sig_figs(EXCEL_DIGITS).cast(pl.String).str.replace(r"\.0$", "")
    )
    noisy = cell.str.contains(r"^-?\d+\.\d+$") & (digits > EXCEL_DIGITS)
    return pl.when(noisy).then(rounded).otherwise(cell).name.keep()


def _read_xlsx(path: Path) -> Grid:
    import fastexcel  # a missing library is a fault of the installation: not caught

    try:
        reader = fastexcel.read_excel(path)
        sheet = reader.load_sheet(0, header_row=None, dtypes="string", skip_rows=0)
        frame = sheet.to_polars()
    except fastexcel.FastExcelError as e:
        message = str(e).splitlines()[0]
        if "I/O error" in str(e):  # calamine wraps a failed read: the machine's fault
            raise OSError(f"reading {path}: {message}") from e
        raise Unreadable(f"cannot read as .xlsx: {message}") from e
    names = [f"c{i}" for i in range(frame.width)]
    frame = frame.select(_as_excel_shows(pl.col(c)) for c in frame.columns)
    frame = frame.rename(dict(zip(frame.columns, names, strict=True))).with_row_index(
        "_row", offset=1
    )
    head = [[r.get(n) for n in names] for r in frame.head(HEAD_ROWS).iter_rows(named=True)]

    def batches(first_row: int) -> Iterator[pl.DataFrame]:
        rows = frame.slice(first_row).select("_row", *names)
        yield from rows.iter_slices(BATCH_ROWS)

    return Grid("xlsx", head, len(names), batches)
