"""Writing a simulated file the way county systems and clerks do: cells in many date,
money and yes/no forms, full-width digits, spaces around names, title rows, merged
two-row headers, totals rows, footers; then GB18030/UTF-8 CSV or xlsx bytes that are
the same on every run."""

from __future__ import annotations

import csv
import io
import random
import re
import unicodedata
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import openpyxl

from pipelines.sample_data.draws import month_end
from pipelines.sample_data.files import Col, File, Row, Style

_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}
_FULLWIDTH[" "] = "\u3000"


def _fullwidth(text: str) -> str:
    return "".join(_FULLWIDTH.get(c, c) for c in text)


def _date_cell(d: date, form: str, rng: random.Random) -> object:
    h, m, s = rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)
    if form == "iso":
        return f"{d:%Y-%m-%d}"
    if form == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if form == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if form == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if form == "compact":
        return f"{d:%Y%m%d}"
    if form == "iso_time":
        return f"{d:%Y-%m-%d} {h:02d}:{m:02d}:{s:02d}"
    if form == "slash_time":
        return f"{d.year}/{d.month}/{d.day} {h}:{m:02d}"
    if form == "xl_date":
        return datetime(d.year, d.month, d.day)
    if form == "xl_datetime":
        return datetime(d.year, d.month, d.day, h, m, s)
    if form == "xl_serial":
        return (d - date(1899, 12, 30)).days
    raise ValueError(form)


def _month_cell(d: date, form: str) -> object:
    if form == "dash":
        return f"{d:%Y-%m}"
    if form == "cn":
        return f"{d.year}年{d.month}月"
    if form == "compact":
        return f"{d:%Y%m}"
    if form == "xl_date":
        return datetime.combine(month_end(d), datetime.min.time())
    raise ValueError(form)


def _money_cell(yuan: Decimal, yuan_per_unit: int, style: Style, rng: random.Random) -> object:
    if yuan_per_unit != 1:  # 万元: exact to the fen with at most 6 decimals
        return format((yuan / yuan_per_unit).quantize(Decimal("0.000001")), "f").rstrip("0").rstrip(".")
    if style.money_form == "number":
        return int(yuan) if yuan == yuan.to_integral_value() else float(yuan)
    if style.money_form == "thousands":
        return format(yuan, ",.2f")
    if yuan == yuan.to_integral_value() and rng.random() < 0.5:
        return str(int(yuan))
    return format(yuan, ".2f")


def _cell(f: File, col: Col, row: Row, rng: random.Random) -> object:
    if col.field in row.raw_cells:
        return row.raw_cells[col.field]
    s = f.style
    value = row.values.get(col.field)
    if value is None:
        return rng.choice(s.null_forms)
    cell: object
    may_be_fullwidth = False
    if col.type == "date":
        forms = s.date_forms.get(col.field) or s.date_forms["*"]
        cell = _date_cell(value, rng.choices([form for form, _ in forms], [w for _, w in forms])[0], rng)
        may_be_fullwidth = True
    elif col.type == "month":
        cell = _month_cell(value, s.month_form)
    elif col.type == "money":
        cell, may_be_fullwidth = _money_cell(value, col.yuan_per_unit, s, rng), True
    elif col.type == "count":
        cell, may_be_fullwidth = (value if f.fmt == "xlsx" and s.numeric_cells else str(value)), True
    elif col.type == "county":
        cell = int(value) if f.fmt == "xlsx" and s.numeric_cells else value
    elif col.type == "bool":
        yes, no = rng.choice(s.yes_no)
        cell = yes if value else no
    elif col.type == "enum":
        if s.english_values:
            cell = value
        elif col.labels is None:
            cell = row.values[f"x_{col.field}_label"]
        else:
            label = col.labels[value]
            cell = label if isinstance(label, str) else rng.choice(label)
    elif col.type == "credit":
        cell = value.lower() if rng.random() < s.lowercase_share else value
        may_be_fullwidth = True
    elif col.type == "case_no":
        cell = value.replace("(", "（").replace(")", "）") if s.case_no_brackets == "full" else value
        may_be_fullwidth = True
    elif col.type == "code":
        cell, may_be_fullwidth = value, True
    elif col.type == "text":
        cell = value
        if rng.random() < s.padded_share:
            cell = rng.choice((" {} ", "{} ", " {}", "\u3000{}")).format(cell)
    else:
        raise ValueError(f"{f.name}: column {col.field} has an unknown type {col.type!r}")
    if may_be_fullwidth and isinstance(cell, str) and rng.random() < s.fullwidth_share:
        cell = _fullwidth(cell)
    return cell


def _number(cell: object) -> Decimal | None:
    """A numeric cell as a reader would parse it (NFKC, no spaces or separators)."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, (int, float)):
        return Decimal(str(cell))
    text = re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", str(cell)))
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _totals_row(f: File, data: list[list]) -> list:
    """合计/总计/小计: the label first, then the sums over every data row of the file."""
    out: list = [None] * len(f.columns)
    out[0] = f.totals_label
    for j, col in enumerate(f.columns):
        if col.field not in f.totals_fields:
            continue
        total = sum((n for n in (_number(r[j]) for r in data) if n is not None), Decimal(0))
        if col.type == "money" and col.yuan_per_unit != 1:
            out[j] = format(total, "f")
        elif col.type == "money":
            out[j] = float(total) if f.fmt == "xlsx" else format(total, ",.2f")
        else:
            out[j] = int(total) if f.fmt == "xlsx" else str(int(total))
    return out


def _header_rows(f: File) -> list[list]:
    if not any(c.merged_header for c in f.columns):
        return [[c.header for c in f.columns]]
    top, bottom, previous = [], [], None
    for c in f.columns:
        if c.merged_header:
            top.append(c.merged_header if c.merged_header != previous else None)
            bottom.append(c.header)
        else:
            top.append(c.header)
            bottom.append(None)
        previous = c.merged_header
    return [top, bottom]


def _grid(f: File, rng: random.Random) -> tuple[list[list], int, int]:
    """All the rows of the sheet, the 1-based row number of the (first) header row and
    the number of header rows."""
    width = len(f.columns)

    def line(text: str) -> list:
        return [text] + [None] * (width - 1) if f.excel_padded or f.fmt == "xlsx" else [text]

    grid = [line(t) for t in f.preamble]
    header_at = len(grid) + 1
    headers = _header_rows(f)
    grid += headers
    data: list[list] = []
    for row in f.rows:
        if row.repeat_previous:
            data.append(list(data[-1]))
        else:
            data.append([_cell(f, c, row, rng) for c in f.columns])
    grid += data
    if f.totals_label:
        grid.append(_totals_row(f, data))
    grid += [line(t) if t else ([None] * width if f.excel_padded else []) for t in f.footer]
    return grid, header_at, len(headers)


def file_bytes(f: File, rng: random.Random) -> bytes:
    """The file's content; every cell's random choice is drawn from `rng`, in order."""
    grid, header_at, header_rows = _grid(f, rng)
    if f.fmt == "csv":
        return _csv_bytes(grid, f.encoding)
    return _xlsx_bytes(f, grid, header_at, header_rows)


def _csv_bytes(grid: list[list], encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(
        [["" if c is None else c for c in row] for row in grid])
    return buf.getvalue().encode(encoding)


def _xlsx_bytes(f: File, grid: list[list], header_at: int, header_rows: int) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in grid:
        ws.append(row)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, datetime):
                if f.columns[cell.column - 1].type == "month":
                    cell.number_format = 'yyyy"年"m"月"'
                elif cell.value.time() == datetime.min.time():
                    cell.number_format = "yyyy-mm-dd"
                else:
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
    width = len(f.columns)
    last = openpyxl.utils.get_column_letter(width)
    for r in range(1, len(f.preamble) + 1):  # title rows span the table, as clerks format them
        ws.merge_cells(f"A{r}:{last}{r}")
    if header_rows == 2:
        top, bottom = header_at, header_at + 1
        j = 0
        while j < width:
            col = f.columns[j]
            letter = openpyxl.utils.get_column_letter(j + 1)
            if col.merged_header:
                k = j
                while k + 1 < width and f.columns[k + 1].merged_header == col.merged_header:
                    k += 1
                ws.merge_cells(f"{letter}{top}:{openpyxl.utils.get_column_letter(k + 1)}{top}")
                j = k + 1
            else:
                ws.merge_cells(f"{letter}{top}:{letter}{bottom}")
                j += 1
    for j, col in enumerate(f.columns, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width = max(10, 2.2 * len(col.header))
    wb.properties.creator = "Administrator"
    wb.properties.lastModifiedBy = "Administrator"
    wb.properties.created = f.exported
    wb.properties.modified = f.exported
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_zip(buf.getvalue(), f.exported)


def _deterministic_zip(data: bytes, when: datetime) -> bytes:
    """openpyxl stamps the save time into docProps/core.xml and every zip entry; put
    the export time there instead so that two runs give the same bytes."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    return out.getvalue()
