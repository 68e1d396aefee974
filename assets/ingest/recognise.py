"""Which export a file is, from its header row(s) alone.

File names mean nothing (`导出.csv`), so the kind is recognised from the header:
the first row, after up to five title rows, whose cells name every required column
of one declared export. A two-row header (a merged group cell over its
sub-columns) is read as one: each column is named by its lower cell, by the two
cells joined (`减免金额` over `(万元)`), or by its upper cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assets.declaration import Export, Field

MAX_PREAMBLE_ROWS = 5


def header_key(text: str | None) -> str:
    """Header cells compare after NFKC, without any white space, case-insensitively."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


@dataclass(frozen=True)
class Column:
    field: Field
    index: int  # position in the file's rows
    header: str  # the header text as the file shows it
    scale: int  # money: yuan per unit of the column


@dataclass(frozen=True)
class Recognised:
    export: Export
    header_row: int  # 0-based index of the (first) header row
    header_height: int  # 1, or 2 for a two-row header
    columns: tuple[Column, ...]
    header_width: int = 0  # cells up to the header's last non-empty one

    @property
    def first_data_row(self) -> int:
        return self.header_row + self.header_height

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.field.name == name), None)


class NotRecognised(Exception):
    """No known header; the message names the headers seen."""


def _variants(export: Export) -> dict[str, tuple[Field, int]]:
    return {
        header_key(text): (f, scale)
        for f in export.all_fields
        for text, scale in f.header_variants().items()
    }


def _match(export: Export, cells: Sequence[Sequence[str | None]]) -> tuple[Column, ...]:
    """Map columns to fields; `cells[i]` are the candidate names of column i."""
    variants = _variants(export)
    found: dict[str, Column] = {}
    for index, names in enumerate(cells):
        for name in names:
            hit = variants.get(header_key(name))
            if hit and hit[0].name not in found:
                found[hit[0].name] = Column(hit[0], index, name, hit[1])
                break
    return tuple(found.values())


def _missing(export: Export, columns: Iterable[Column]) -> list[Field]:
    have = {c.field.name for c in columns}
    return [f for f in export.all_fields if f.column == "required" and f.name not in have]


def _is_header(export: Export, row: Sequence[str | None]) -> bool:
    return not _missing(export, _match(export, [[c] if c else [] for c in row]))


def _candidates(head: Sequence[Sequence[str | None]], i: int):
    top = list(head[i])
    yield 1, [[c] if c else [] for c in top]
    if i + 1 < len(head):
        sub = list(head[i + 1]) + [None] * max(0, len(top) - len(head[i + 1]))
        combined = []
        for j, lower in enumerate(sub):
            upper = top[j] if j < len(top) else None
            names = [n for n in (lower, f"{upper}{lower}" if upper and lower else None, upper) if n]
            combined.append(names)
        yield 2, combined


def recognise(head: Sequence[Sequence[str | None]], exports: Iterable[Export]) -> Recognised:
    exports = list(exports)
    best_miss: tuple[int, Export, list[Field]] | None = None
    for i in range(min(len(head), MAX_PREAMBLE_ROWS + 1)):
        matches = []
        for height, cells in _candidates(head, i):
            for export in exports:
                columns = _match(export, cells)
                missing = _missing(export, columns)
                if not missing and height == 2 and _is_header(export, head[i + 1]):
                    continue  # row i is a title above a one-row header: take that row next
                if not missing:
                    matches.append((len(columns), -height, export, height, columns))
                elif columns and (best_miss is None or len(missing) < len(best_miss[2])):
                    best_miss = (i, export, missing)
        if matches:
            _, _, export, height, columns = max(matches, key=lambda m: (m[0], m[1]))
            width = max(_width(row) for row in head[i : i + height])
            return Recognised(export, i, height, columns, width)
    raise NotRecognised(_explain(head, exports, best_miss))


def _width(row: Sequence[str | None]) -> int:
    return max((j + 1 for j, c in enumerate(row) if c is not None and str(c).strip()), default=0)


def _explain(head, exports, best_miss) -> str:
    """Why no header was found. Only cells that are declared headers are quoted: any
    other cell may be a person's name (section 4), so it is only counted."""
    rows = [(n, [c for c in row if c is not None and str(c).strip()]) for n, row in enumerate(head, 1)]
    rows = [(n, cells) for n, cells in rows if cells]
    if not rows:
        return "no header row: the file has no non-empty cells in its first rows"
    known = {key for e in exports for f in e.all_fields for key in map(header_key, f.header_variants())}
    # The row with the most known headers, else the first non-empty one.
    n, cells = max(rows, key=lambda r: sum(header_key(c) in known for c in r[1]))
    quoted = [c for c in cells if header_key(c) in known]
    others = len(cells) - len(quoted)
    text = f"header not recognised; row {n} has "
    if quoted:
        text += f"known headers [{', '.join(quoted)}]"
        text += f" and {others} other cell{'s' * (others != 1)}" if others else ""
    else:
        text += f"{others} cell{'s' * (others != 1)}, none a known header"
    if best_miss:
        _, export, missing = best_miss
        names = ", ".join(
            f.zh + ("(元|万元)" if f.type == "money" else "") for f in missing
        )
        text += f"; closest export {export.kind} ({export.title_zh}) lacks: {names}"
    return text
