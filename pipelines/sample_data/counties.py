"""The sample exports as other counties' (a province's test and benchmark data).

The bundled county's files are written and only their 行政区划代码 cells are
changed to the new code, digit by digit in the same width: every county has the
same records and files identical to the bundled ones but for that column, hence
the reference figures, and a province of N counties N times them.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
import unicodedata
from pathlib import Path

import openpyxl

from pipelines.sample_data import write_sample_exports
from pipelines.sample_data.files import COUNTY_COLUMN

BUNDLED = "610528"
HEADERS = (COUNTY_COLUMN.header, COUNTY_COLUMN.field)  # Chinese, or the canonical name


def write_county_exports(landing: Path, code: str) -> list[Path]:
    """The bundled sample exports, as county `code`'s, into `landing`."""
    with tempfile.TemporaryDirectory() as tmp:
        write_sample_exports(Path(tmp), BUNDLED)
        return recode_exports(Path(tmp), landing, code)


def recode_exports(source: Path, landing: Path, code: str) -> list[Path]:
    """The bundled county's exports in `source` as county `code`'s, into `landing`,
    with their modification times (the ingestion order)."""
    landing.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.iterdir(), key=lambda p: (p.stat().st_mtime_ns, p.name)):
        if path.name.startswith("."):
            continue
        target = landing / path.name
        if code == BUNDLED:
            shutil.copyfile(path, target)
        elif path.suffix == ".xlsx":
            _xlsx(path, target, code)
        else:
            _csv(path, target, code)
        stat = path.stat()
        os.utime(target, ns=(stat.st_mtime_ns, stat.st_mtime_ns))
        written.append(target)
    return written


def _recode(cell, code: str):
    """The cell with the bundled county's code replaced by `code`, in the same
    characters' width (full-width digits stay full-width); anything else as it is."""
    if isinstance(cell, int) and str(cell) == BUNDLED:
        return int(code)
    if not isinstance(cell, str):
        return cell
    digits = [i for i, ch in enumerate(cell) if unicodedata.normalize("NFKC", ch).isdigit()]
    if "".join(unicodedata.normalize("NFKC", cell[i]) for i in digits) != BUNDLED:
        return cell
    out = list(cell)
    for i, new in zip(digits, code, strict=True):
        out[i] = chr(ord(new) - ord("0") + 0xFF10) if cell[i] != unicodedata.normalize("NFKC", cell[i]) else new
    return "".join(out)


def _xlsx(source: Path, target: Path, code: str) -> None:
    wb = openpyxl.load_workbook(source)
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_row=1, max_row=8):
        columns = [c.column for c in row if c.value in HEADERS]
        if columns:
            for r in range(row[0].row + 1, ws.max_row + 1):
                cell = ws.cell(r, columns[0])
                cell.value = _recode(cell.value, code)
            break
    wb.save(target)


def _csv(source: Path, target: Path, code: str) -> None:
    data = source.read_bytes()
    encodings = ("utf-8-sig",) if data.startswith(b"\xef\xbb\xbf") else ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    header_line = next((ln for ln in text.splitlines() if any(h in ln for h in HEADERS)), None)
    if header_line is None:
        shutil.copyfile(source, target)
        return
    delimiter = max(",\t;|", key=header_line.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    at = next(i for i, r in enumerate(rows) if any(c.strip() in HEADERS for c in r))
    column = next(j for j, c in enumerate(rows[at]) if c.strip() in HEADERS)
    for r in rows[at + 1:]:
        if column < len(r):
            r[column] = _recode(r[column], code)
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    target.write_bytes(out.getvalue().encode(encoding))
