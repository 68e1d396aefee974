"""`yingshang declare`: a draft export declaration from sample files of a system
the warehouse does not know yet.

The sample files are read with the ingestion's own machinery (`read_grid`, the row
classifier of `rows.py`, the cell normalisation and parsers of `values.py`), so a
draft sees exactly what ingestion will see. Only the header is found differently:
ingestion looks for a known header set, a draft has none, so the header is the
first row after at most five title rows that looks like one (mostly filled, all
text, data below it).

Every inference is made from the values and stated with its evidence: how many
cells fit, and the rows that did not (as a spreadsheet numbers them). Nothing a
draft prints or writes quotes a cell of a column that may name persons: those are
counted, never shown. Columns that may name persons are flagged `personal=True`,
so that the draft is safe to run before anyone reviews it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import keyword
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from assets.declaration import COUNTY_FIELD, MONEY_UNITS, Export
from assets.declaration import Field as DeclField
from assets.ingest.archive import copy_and_hash
from assets.ingest.reading import read_grid
from assets.ingest.recognise import MAX_PREAMBLE_ROWS, NotRecognised, header_key, recognise
from assets.ingest.rows import classify
from assets.ingest.values import blank_to_null, clean, credit_code_is_valid, nfkc, parse

ROOT = Path(__file__).resolve().parent.parent

# A property (a type, "never empty", "unique") holds when at most this many cells
# break it: sample exports carry a few broken rows, which ingestion will
# quarantine. The breaking rows are always listed.
def tolerated(cells: int) -> int:
    return max(1, cells // 50)


# Units a header may carry in brackets: `减免金额（万元）`, `法定办结时限（工作日）`.
UNITS = ("万元", "亿元", "元", "工作日", "日", "天", "小时", "件", "个", "人", "户", "次", "项",
         "份", "家", "笔", "%")
_UNIT = re.compile(r"\(\s*(" + "|".join(map(re.escape, UNITS)) + r")\s*\)$")

# Headers that name natural persons (section 4). `申请人类型` is a type, not a person.
PERSONAL_TERMS = ("姓名", "当事人", "申请人", "被申请人", "申请执行人", "被执行人", "联系人",
                  "执法人员", "检查人员", "执法人", "法定代表人", "负责人", "经办人", "代理人",
                  "委托代理人", "原告", "被告", "第三人", "承办人", "承办法官", "审判员", "书记员")
_NOT_PERSONAL_SUFFIXES = ("类型", "类别", "人数", "数", "电话", "证件类型")

# Common surnames, for values shaped like personal names (2-4 Han characters).
_SURNAMES = set(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋"
    "蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万"
    "段雷钱汤尹黎易常武乔贺赖龚文庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍韦申尤毕聂焦向柳"
    "邢路岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位"
    "覃霍翁隋植甘景薄单包司柏宁柯阮桂闵解强柴华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来"
    "缪苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花艾蓝都巩"
    "稽井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠僧桑荆谌银扬明沙薄伏岑习胥保和蔺"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐")
# Last characters of organisations, places and things, never of a person's name.
_NOT_NAME_ENDINGS = set("局庭院所店司社部厂站馆室处科队会办县市镇乡村区街路税费金款事业罪案件位"
                        "校园行场库组团中心委署厅园吧坊铺城楼")
_PERSON_SPLIT = re.compile(r"[、,，;；/\s]+")

# Headers of things named, never a small vocabulary however few values a sample has.
_TEXT_HINTS = ("名称", "部门", "单位", "机关", "机构", "地址", "项目", "方式", "庭", "政策", "事由",
               "案由", "说明", "备注", "内容")
_ENUM_HINTS = ("类型", "类别", "结果", "状态", "性质", "等级", "级别", "方式类别")
_INTEGER_HINTS = ("序号", "时限", "天数", "年龄", "年度", "年份", "期限", "工作日")
_MONTH_HINTS = ("月份", "统计月", "所属月")
ENUM_MAX_VALUES = 12


class DeclareError(Exception):
    """The draft cannot be made; the message (one line) says why."""


# --------------------------------------------------------------------------------------
# Reading the samples.


@dataclass
class Sheet:
    """One sample file: its header and its data rows, cells normalised as ingestion
    normalises them (NFKC, trimmed, empty markers as None)."""

    path: Path
    title: str | None  # the first title row, if any
    headers: list[str]  # per column, the (combined) header text; '' when none
    row_numbers: list[int]  # data rows as a spreadsheet numbers them
    cells: list[list[str | None]]  # per column, the data rows' cells


def _is_numberish(text: str) -> bool:
    t = re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", text))
    return bool(re.fullmatch(r"[+-]?\d+(\.\d+)?%?", t)) or bool(
        re.fullmatch(r"\d{4}[-/.年]\d{1,2}([-/.月]\d{1,2}日?)?(\s.*)?", t)
    )


def _texty(row: Sequence[str | None]) -> list[str]:
    return [c for c in row if c is not None and str(c).strip()]


def _looks_like_header(row: Sequence[str | None], width: int) -> bool:
    filled = _texty(row)
    if len(filled) < max(2, (width + 1) // 2):
        return False
    if any(_is_numberish(c) for c in filled):
        return False
    return len({header_key(c) for c in filled}) == len(filled)


def _is_sub_header(top: Sequence[str | None], sub: Sequence[str | None], width: int) -> bool:
    """A second header row: a merged group cell above sub-columns (the group's other
    cells empty in the top row), the other header cells merged down (empty below)."""
    filled = _texty(sub)
    if not filled or any(_is_numberish(c) for c in filled):
        return False
    top = list(top) + [None] * (width - len(top))
    sub = list(sub) + [None] * (width - len(sub))
    under_group = any(not (top[j] or "").strip() and (sub[j] or "").strip() for j in range(width))
    merged_down = any((top[j] or "").strip() and not (sub[j] or "").strip() for j in range(width))
    unit_only = all(_UNIT.search(header_key(c)) and len(header_key(c)) <= 6 for c in filled)
    return merged_down and (under_group or unit_only)


def _combine(upper: str | None, lower: str | None) -> str:
    """One header from a two-row header's cells, as recognise.py reads them: the
    lower cell names the column, joined to the upper one when it is only a unit."""
    upper, lower = (upper or "").strip(), (lower or "").strip()
    if upper and lower:
        return upper + lower if _UNIT.fullmatch(header_key(lower)) else lower
    return lower or upper


def find_header(head: Sequence[Sequence[str | None]], width: int) -> tuple[int, int, list[str]]:
    """(row index, height 1 or 2, header per column) of the first row after at most
    five title rows that looks like a header and has data below it."""
    for i in range(min(len(head), MAX_PREAMBLE_ROWS + 1)):
        if not _looks_like_header(head[i], width):
            continue
        top = list(head[i]) + [None] * (width - len(head[i]))
        if i + 2 < len(head) and _is_sub_header(top, head[i + 1], width):
            sub = list(head[i + 1]) + [None] * (width - len(head[i + 1]))
            return i, 2, [_combine(top[j], sub[j]) for j in range(width)]
        if i + 1 < len(head) and len(_texty(head[i + 1])) >= 2:
            return i, 1, [(c or "").strip() for c in top]
    raise DeclareError("no header row: none of the first rows after at most 5 title rows is "
                       "mostly filled with text and followed by data")


def read_sample(path: Path) -> Sheet:
    path = Path(path)
    if not path.is_file():
        raise DeclareError(f"{path}: no such file")
    _, copied = copy_and_hash(path, None)
    try:
        grid = read_grid(path, copied)
        row, height, headers = find_header(grid.head, grid.width)
    except DeclareError as e:
        raise DeclareError(f"{path.name}: {e}") from e
    except Exception as e:  # Unreadable and the readers' own errors: the file's fault
        raise DeclareError(f"{path.name}: {str(e).splitlines()[0]}") from e
    titles = [_texty(r) for r in grid.head[:row]]
    title = next((t[0].strip() for t in titles if len(t) == 1), None)
    names = [f"c{j}" for j in range(grid.width)]
    frames = []
    for raw in grid.batches(row + height):
        frames.append(
            classify(raw.lazy(), grid.width)
            .filter(pl.col("_class") == "data")
            .select(pl.col("_row").cast(pl.Int64), *[blank_to_null(nfkc(pl.col(n))).alias(n) for n in names])
            .collect()
        )
    data = pl.concat(frames) if frames else pl.DataFrame(schema={"_row": pl.Int64, **dict.fromkeys(names, pl.String)})
    if data.is_empty():
        raise DeclareError(f"{path.name}: no data rows below the header")
    return Sheet(path, title, headers, data["_row"].to_list(), [data[n].to_list() for n in names])


# --------------------------------------------------------------------------------------
# Columns across files.


def split_unit(header: str) -> tuple[str, str | None]:
    """`减免金额(万元)` -> (`减免金额`, `万元`); headers compare after NFKC."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", header))
    m = _UNIT.search(text)
    return (text[: m.start()], m.group(1)) if m else (text, None)


def _is_identifier(text: str) -> bool:
    return bool(re.fullmatch(r"[a-z][a-z0-9_]*", text))


@dataclass
class Cell:
    file: int  # index of the sheet
    row: int  # row number as a spreadsheet shows it
    text: str | None


@dataclass
class Column:
    headers: list[str] = field(default_factory=list)  # every header text seen, first first
    units: set[str] = field(default_factory=set)  # header units (money: 元 and 万元 may mix)
    files: set[int] = field(default_factory=set)
    cells: list[Cell] = field(default_factory=list)
    scales: dict[int, int] = field(default_factory=dict)  # file -> yuan per unit
    position: int = 0  # its place in the first file that has it

    @property
    def base(self) -> str:
        return split_unit(self.headers[0])[0]

    def values(self) -> list[str]:
        return [c.text for c in self.cells if c.text is not None]


def _quick_type(values: list[str]) -> str:
    """A cheap guess used only to align columns of files whose headers differ."""
    if not values:
        return "empty"
    if all(re.fullmatch(r"[+-]?[\d,]+(\.\d+)?", v) for v in values):
        return "number"
    date = r"\d{4}([-/.年]\d{1,2}([-/.月]\d{1,2}日?)?|\d{4})(\s.*)?"
    if sum(bool(re.fullmatch(date, v)) for v in values) >= 0.8 * len(values):
        return "date"
    if sum(len(v) == 18 and v.isalnum() for v in values) >= 0.8 * len(values):
        return "credit"
    if len(set(values)) <= ENUM_MAX_VALUES and len(values) >= 3 * len(set(values)):
        return "few"
    return "text"


def _overlap(a: Iterable[str], b: Iterable[str]) -> float:
    a, b = set(a), set(b)
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _similar(header: str, others: Iterable[str]) -> float:
    """How alike two Chinese headers are: 1 when one contains the other (`取消审批`,
    `直接取消审批`), else the share of characters they have in common."""
    a = set(split_unit(header)[0])
    best = 0.0
    for other in others:
        b_text, a_text = split_unit(other)[0], split_unit(header)[0]
        if a_text and b_text and (a_text in b_text or b_text in a_text):
            return 1.0
        b = set(b_text)
        if a | b:
            best = max(best, len(a & b) / len(a | b))
    return best


def merge_columns(sheets: Sequence[Sheet], skip: Iterable[str] = ()) -> list[Column]:
    """One column per distinct header (unit aside) across the files. A file whose
    headers differ (`统一社会信用代码` for `纳税人识别号`, or canonical English headers)
    is aligned by values: a column of the same kind sharing values with one that file
    lacks; an English-header file, by the order of its columns of each kind."""
    skip = set(skip)
    merged: list[Column] = []
    by_key: dict[str, Column] = {}
    for n, sheet in enumerate(sheets):
        present: dict[int, Column] = {}
        unmatched = []
        for j, header in enumerate(sheet.headers):
            if not header or header_key(header) in skip:
                continue
            base, _ = split_unit(header)
            col = by_key.get(header_key(base))
            if col is not None and col not in present.values():
                present[j] = col
            else:
                unmatched.append(j)
        absent = [c for c in merged if c not in present.values()]
        english = all(_is_identifier(header_key(sheet.headers[j])) for j in unmatched) and unmatched
        guesses = {j: _quick_type([v for v in sheet.cells[j] if v is not None]) for j in unmatched}
        absent_types = {id(c): _quick_type(c.values()) for c in absent}
        pairs = sorted(
            ((_similar(sheet.headers[j], c.headers), _overlap([v for v in sheet.cells[j] if v is not None], c.values()), j, c)
             for j in unmatched for c in absent if guesses[j] == absent_types[id(c)]),
            key=lambda p: (-p[0], -p[1]),
        )
        for similar, overlap, j, c in pairs:
            # Small numbers and dates are shared by unrelated columns: only their
            # headers can tell them apart.
            by_values = overlap >= 0.3 and guesses[j] not in ("number", "date")
            if (similar >= 0.5 or by_values) and j not in present and c not in present.values():
                present[j] = c
        if english:  # a newer system's canonical English export: the same columns in their place
            for j in unmatched:
                targets = [c for c in absent if c not in present.values() and absent_types[id(c)] == guesses[j]]
                if j not in present and targets:
                    present[j] = min(targets, key=lambda c: abs(c.position - j))
        for j in unmatched:
            if j not in present:
                col = Column(position=j)
                merged.append(col)
                present[j] = col
        for j, col in present.items():
            header = re.sub(r"\s+", "", unicodedata.normalize("NFKC", sheet.headers[j]))
            base, unit = split_unit(header)
            if header not in col.headers:
                col.headers.append(header)
            by_key.setdefault(header_key(base), col)
            if unit:
                col.units.add(unit)
            col.scales[n] = MONEY_UNITS.get(unit, 1) if unit else 1
            col.files.add(n)
            col.cells += [Cell(n, r, v) for r, v in zip(sheet.row_numbers, sheet.cells[j], strict=True)]
    return merged


# --------------------------------------------------------------------------------------
# What one column is.


@dataclass
class Inferred:
    header: str  # the Chinese header (money: without its unit)
    aliases: list[str]
    name: str
    type: str
    unit: str | None
    required: bool
    key: bool
    personal: bool
    column: str  # required | optional | ignored
    vocabulary: dict[str, int] | None  # enum: source value -> rows
    canonical: dict[str, str] | None  # enum: source value -> canonical placeholder
    fit: int  # cells that fit the type
    cells: int  # non-empty cells
    empty: int
    misfits: list[str]  # 'file row N 'text'' (never for personal columns)
    pattern: str | None = None
    min_value: int | None = None
    evidence: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "header": self.header, "name": self.name, "type": self.type, "unit": self.unit,
            "required": self.required, "key": self.key, "personal": self.personal,
            "vocabulary": self.vocabulary, "fit": {"cells": self.cells, "fit": self.fit,
                                                   "empty": self.empty, "misfits": self.misfits},
        }


def _probe_field(type_: str, vocabulary: Mapping[str, str] | None = None) -> DeclField:
    return DeclField("probe", "probe", type_, "", vocabulary=vocabulary)


def _fits(cells: list[Cell], type_: str, scales: Mapping[int, int]) -> list[bool]:
    """Whether each non-empty cell parses as `type_`, with values.py's parsers."""
    texts = [c for c in cells if c.text is not None]
    if not texts:
        return []
    frame = pl.DataFrame({"t": [c.text for c in texts], "s": [scales.get(c.file, 1) for c in texts]},
                         schema={"t": pl.String, "s": pl.Int64})
    f = _probe_field(type_)
    out = pl.Series([False] * frame.height)
    for scale in frame["s"].unique().to_list():
        cleaned = clean(f, pl.col("t"), scale)
        if type_ == "credit_code":
            ok = credit_code_is_valid(cleaned)
        else:
            ok = parse(f, pl.col("t"), cleaned, scale).is_not_null()
        part = frame.select(ok.fill_null(False).alias("ok"), (pl.col("s") == scale).alias("m"))
        out = out | (part["ok"] & part["m"])
    return out.to_list()


def _describe_misfits(cells: list[Cell], fits: list[bool], names: Sequence[str]) -> list[str]:
    bad = [c for c, ok in zip([c for c in cells if c.text is not None], fits, strict=True) if not ok]
    where = (lambda c: f"{names[c.file]} row {c.row}") if len(names) > 1 else (lambda c: f"row {c.row}")
    return [f"{where(c)} {c.text!r}" for c in bad]


def _shape(text: str) -> str:
    """A code's shape: digits as 9, Latin letters as A, runs kept by length."""
    return re.sub(r"[A-Za-z]", "A", re.sub(r"\d", "9", text))


def _pattern(values: list[str]) -> str | None:
    """A regex every value (but the tolerated few) matches, when the values share
    one shape of digits and letters: `\\d{10}`, `SJ\\d{14}`."""
    shapes = Counter(_shape(v) for v in values)
    shape, n = shapes.most_common(1)[0]
    if len(values) - n > tolerated(len(values)) or not re.fullmatch(r"[9A\-_./]+", shape):
        return None
    same = [v for v in values if _shape(v) == shape]
    prefix = re.match(r"[^\d]*", os.path.commonprefix(same)).group(0)  # letters every value starts with
    body = shape[len(prefix):]
    parts = []
    for char, run in itertools.groupby(body):
        k = len(list(run))
        token = {"9": r"\d", "A": "[A-Z]"}.get(char, re.escape(char))
        parts.append(token + (f"{{{k}}}" if k > 1 else ""))
    return re.escape(prefix) + "".join(parts)


def name_shaped(part: str) -> bool:
    """A part of a cell shaped like a Chinese personal name."""
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", part) or part[-1] in _NOT_NAME_ENDINGS:
        return False
    return part[0] in _SURNAMES or part.startswith(_COMPOUND_SURNAMES)


def _name_cells(values: list[str]) -> int:
    return sum(any(name_shaped(p) for p in _PERSON_SPLIT.split(v) if p) for v in values)


def personal_header(header: str) -> bool:
    base = split_unit(header)[0]
    if base.endswith(_NOT_PERSONAL_SUFFIXES):
        return False
    return any(base == t or base.endswith(t) for t in PERSONAL_TERMS)


def slug(text: str) -> str:
    """A readable identifier for a Chinese text: its pinyin."""
    from pypinyin import lazy_pinyin

    words = lazy_pinyin(unicodedata.normalize("NFKC", text))
    s = "_".join(w for w in (re.sub(r"[^a-z0-9]+", "_", w.lower()).strip("_") for w in words) if w)
    s = re.sub(r"_+", "_", s).strip("_") or "column"
    if s[0].isdigit() or keyword.iskeyword(s):
        s = "f_" + s
    return s


def known_terms(exports: Iterable[Export]) -> dict[str, str]:
    """Header (unit aside) -> canonical name, from the declarations the warehouse has."""
    terms: dict[str, str] = {}
    exports = list(exports)
    for main in (True, False):  # a header declared as a field's own wins over an alias
        for export in exports:
            for f in export.fields:
                for text in (f.zh,) if main else f.aliases:
                    terms.setdefault(header_key(split_unit(text)[0]), f.name)
    return terms


def infer_column(col: Column, file_names: Sequence[str], n_files: int, terms: Mapping[str, str]) -> Inferred:
    header_cn = next((h for h in col.headers if not _is_identifier(header_key(h))), col.headers[0])
    english = next((header_key(h) for h in col.headers if _is_identifier(header_key(h))), None)
    base, unit = split_unit(header_cn)
    values = col.values()
    cells = len(values)
    empty = len(col.cells) - cells
    distinct = Counter(values)
    ev: list[str] = []

    personal = personal_header(header_cn)
    shaped = _name_cells(values)
    if personal:
        ev.append(f"header {base} names persons")
    elif cells and shaped >= 0.5 * cells:
        personal = True
        ev.append(f"{shaped}/{cells} cells hold values shaped like personal names")

    type_, fit, misfits, pattern, min_value, vocabulary = "text", cells, [], None, None, None
    money_unit = next((u for u in ("万元", "元") if u in col.units), None)
    if personal:
        parts = [len([p for p in _PERSON_SPLIT.split(v) if p]) for v in values]
        ev.append(f"{cells} cells name {min(parts, default=0)}–{max(parts, default=0)} each; values not shown")
    elif cells:
        tried = {}

        def fits_of(t: str) -> list[bool]:
            if t not in tried:
                tried[t] = _fits(col.cells, t, col.scales)
            return tried[t]

        def good(t: str) -> bool:
            return cells - sum(fits_of(t)) <= tolerated(cells)

        plain_digits = sum(bool(re.fullmatch(r"\d{5}(\.\d+)?", v)) for v in values)
        integers = [v for v in values if re.fullmatch(r"[+-]?\d+", re.sub(r"[\s,]", "", v))]
        lowered = {v.lower() for v in values}
        if (base.startswith("是否") or lowered - {"1", "0"}) and good("bool") and len(lowered) <= 8:
            type_ = "bool"
        elif good("date") and plain_digits <= cells // 2 and not any(h in base for h in _MONTH_HINTS):
            type_ = "date"
        elif good("month"):
            type_ = "month"
        elif good("credit_code"):
            type_ = "credit_code"
        elif money_unit and good("money"):
            type_, unit = "money", "元"
        elif good("integer") and not (
            len(integers) >= cells - tolerated(cells)
            and (any(v.startswith("0") and len(v) > 1 for v in integers)
                 or (len({len(v) for v in integers}) == 1 and len(integers[0]) >= 6))
        ):
            type_ = "integer" if (any(h in header_cn for h in _INTEGER_HINTS) or unit in ("工作日", "日", "天", "小时")) else "count"
        elif _code_like(values) is not None:
            type_ = "code"
            pattern = _code_like(values)
        elif _enum_like(base, distinct, cells):
            type_ = "enum"
            # A value seen once among many is more likely a clerk's slip than a term:
            # left out (so its row is quarantined) but shown.
            rare = [v for v, k in distinct.items() if k == 1 and cells >= 50]
            vocabulary = {v: k for v, k in distinct.most_common() if v not in rare}
            misfits = [m for m in _describe_misfits(col.cells, [c.text not in rare for c in col.cells if c.text is not None], file_names)]
            if rare:
                ev.append(f"left out of the vocabulary, seen once: {', '.join(rare)} (add if valid)")
        if type_ == "enum":
            fit = cells - len(misfits)
        elif type_ in tried:
            fit = sum(tried[type_])
            misfits = _describe_misfits(col.cells, tried[type_], file_names)
        elif type_ == "code" and pattern:
            ok = [bool(re.fullmatch(pattern, re.sub(r"\s+", "", v))) for v in values]
            fit = sum(ok)
            misfits = _describe_misfits(col.cells, ok, file_names)
        if type_ in ("count", "integer", "money"):
            numbers = _numbers(values)
            if numbers and sum(x < 0 for x in numbers) <= tolerated(cells):
                min_value = 0
        if type_ == "money":
            ev.append(f"money in {'/'.join(sorted(col.units))} (stored in 元)")
        if type_ == "enum":
            ev.append(f"{len(distinct)} distinct values: " + ", ".join(f"{v} ×{k}" for v, k in distinct.most_common()))
        elif type_ == "text" and len(distinct) <= ENUM_MAX_VALUES and cells >= 3 * len(distinct):
            ev.append(f"only {len(distinct)} distinct values, but its header names things: text")

    required = cells > 0 and empty <= tolerated(len(col.cells))
    if empty and required:
        rows = [c for c in col.cells if c.text is None]
        where = ", ".join(f"{file_names[c.file]} row {c.row}" if n_files > 1 else f"row {c.row}" for c in rows)
        ev.append(f"empty in {where} (would be quarantined)")
    name = english or terms.get(header_key(base)) or slug(base)
    if type_ == "money" and not english and header_key(base) not in terms:
        name += "_yuan"
    if english:
        ev.append(f"canonical name from the English header {english}")
    elif header_key(base) in terms:
        ev.append(f"name {name} reused from a declared header {base}")
    canonical = None
    if vocabulary:
        canonical = {v: (v if _is_identifier(v) else slug(v)) for v in vocabulary}
        english_values = [v for v in vocabulary if _is_identifier(v)]
        chinese_values = [v for v in vocabulary if not _is_identifier(v)]
        if english_values and len(english_values) == len(chinese_values):
            # Files with canonical English values beside files with Chinese ones: the
            # same terms occur in about the same shares, so pair them by rank.
            canonical.update(zip(chinese_values, english_values, strict=True))
            ev.append("canonical values paired by share: " + ", ".join(
                f"{c} -> {e}" for c, e in zip(chinese_values, english_values, strict=True)))
    column = "required" if len(col.files) == n_files else "optional"
    if base == "序号":
        column = "ignored"
    if personal:
        type_, unit, vocabulary, canonical, pattern, min_value = "text", "人", None, None, None, None
        fit, misfits = cells, []
    zh = base if type_ == "money" else header_cn
    aliases = []
    for h in col.headers:
        b = split_unit(h)[0] if type_ == "money" else h
        if b != zh and header_key(b) != name and b not in aliases:
            aliases.append(b)
    if type_ != "money" and unit is None:
        unit = None
    return Inferred(zh, aliases, name, type_, unit, required and not personal, False, personal, column,
                    vocabulary, canonical, fit, cells, empty, misfits, pattern, min_value, ev)


def _numbers(values: list[str]) -> list[float]:
    out = []
    for v in values:
        with contextlib.suppress(ValueError):
            out.append(float(re.sub(r"[\s,]", "", v)))
    return out


def _code_like(values: list[str]) -> str | None:
    """A code: no inner spaces, a digit in (nearly) every value, Han characters only
    in short runs (`（2023）陕0528民初123号`), and not long. Returns its regex when all
    share one shape, '' when they do not."""
    bad = sum(
        bool(re.search(r"\s", v)) or not re.search(r"\d", v) or len(v) > 40
        or bool(re.search(r"[\u4e00-\u9fff]{5,}", v))
        for v in values
    )
    if bad > tolerated(len(values)):
        return None
    return _pattern([re.sub(r"\s+", "", v) for v in values]) or ""


def _enum_like(base: str, distinct: Counter, cells: int) -> bool:
    if len(distinct) > ENUM_MAX_VALUES or cells < 3 * len(distinct) or any(len(v) > 20 for v in distinct):
        return False
    if any(h in base for h in _TEXT_HINTS):
        return False
    return any(h in base for h in _ENUM_HINTS) or len(distinct) <= 6


# --------------------------------------------------------------------------------------
# Keys.


def key_candidates(columns: Sequence[Inferred], merged: Sequence[Column], limit: int = 3) -> list[tuple[int, ...]]:
    """Columns (one, two or three) whose values are never empty and unique within
    each file, rows identical in every column counted once (a re-export repeats keys
    across files: the later file wins). The tolerated few exceptions are quarantined
    rows of the samples."""
    eligible = [i for i, c in enumerate(columns)
                if not c.personal and c.column == "required" and c.required
                and c.type in ("code", "credit_code", "text", "enum", "date", "month")]
    rank = {"code": 0, "credit_code": 1, "text": 2, "enum": 3, "month": 4, "date": 5}
    eligible.sort(key=lambda i: (rank[columns[i].type], i))
    rows = _rows_by_file(merged)
    total = sum(len(r) for r in rows.values())
    # A count report (most columns are counts or amounts, no code identifies a row)
    # is keyed by its grain: every descriptive column together.
    used = [c for c in columns if c.column != "ignored" and not c.personal]
    measures = [c for c in used if c.type in ("count", "integer", "money")]
    if (len(measures) * 2 >= len(used) and not any(columns[i].type in ("code", "credit_code") for i in eligible)
            and 1 < len(eligible) <= 4 and _violations(rows, eligible) <= tolerated(total)):
        return [tuple(sorted(eligible))]
    found: list[tuple[int, ...]] = []
    for size in (1, 2, 3):
        for combo in itertools.combinations(eligible, size):
            if any(set(f) <= set(combo) for f in found):
                continue
            if _violations(rows, combo) <= tolerated(total):
                found.append(tuple(sorted(combo)))
        if found:
            return found[:limit]
    return []


def _rows_by_file(merged: Sequence[Column]) -> dict[int, list[tuple]]:
    by_row: dict[tuple[int, int], list] = {}
    for j, col in enumerate(merged):
        for c in col.cells:
            by_row.setdefault((c.file, c.row), [None] * len(merged))[j] = c.text
    out: dict[int, list[tuple]] = {}
    for (file, _), values in by_row.items():
        out.setdefault(file, []).append(tuple(values))
    return out


def _violations(rows: Mapping[int, list[tuple]], combo: Sequence[int]) -> int:
    bad = 0
    for file_rows in rows.values():
        seen: dict[tuple, set] = {}
        for r in set(file_rows):  # identical rows are one record
            k = tuple(r[i] for i in combo)
            if all(v is not None for v in k):  # empties are judged by `required`
                seen.setdefault(k, set()).add(r)
        bad += sum(len(v) for v in seen.values() if len(v) > 1)
    return bad


# --------------------------------------------------------------------------------------
# The draft.


@dataclass
class Draft:
    kind: str
    title: str
    files: list[str]
    columns: list[Inferred]
    key_options: list[list[str]]
    month_candidates: list[str]
    notes: list[str]
    module: str = ""
    sql: str = ""
    mart_declaration: str = ""
    test: str = ""

    @property
    def mart(self) -> str:
        return f"{self.kind}_monthly" if self.month_candidates else f"{self.kind}_summary"


def draft(paths: Sequence[Path], kind: str, exports: Iterable[Export]) -> Draft:
    exports = list(exports)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", kind) or keyword.iskeyword(kind):
        raise DeclareError(f"--kind {kind!r}: use lower-case letters, digits and _ (a table name)")
    if any(e.kind == kind for e in exports):
        raise DeclareError(f"--kind {kind}: an export of that kind is declared already")
    sheets = [read_sample(Path(p)) for p in paths]
    names = [s.path.name for s in sheets]
    county = {header_key(h) for h in COUNTY_FIELD.header_variants()}
    merged = merge_columns(sheets, county)
    terms = known_terms(exports)
    notes = []
    if any(header_key(h) in county for s in sheets for h in s.headers):
        notes.append(f"{COUNTY_FIELD.zh}: the county code every export may carry (declared once for all)")
    columns = [infer_column(c, names, len(sheets), terms) for c in merged]
    _unique_names(columns)

    options = key_candidates(columns, merged)
    if options:
        for i in options[0]:
            columns[i].key = True
    else:
        notes.append("no column or pair is unique and never empty: key = every required column (review)")
        for c in columns:
            if c.required and not c.personal and c.column != "ignored":
                c.key = True
        if not any(c.key for c in columns):
            raise DeclareError("no key candidate and no required column: cannot draft a declaration")
    for c in columns:
        if c.key:
            c.evidence.append("key" + (" (with " + ", ".join(
                columns[i].name for i in options[0] if columns[i] is not c) + ")" if options and len(options[0]) > 1 else "")
                + ": unique and never empty within each file")
    months = [c.name for c in columns if c.type in ("date", "month")]
    d = Draft(kind, _title(sheets, kind), names, columns,
              [[columns[i].name for i in o] for o in options], months, notes)
    d.module = render_module(d)
    d.sql = render_sql(d)
    d.mart_declaration = render_mart(d)
    d.test = render_test(d, sheets)
    _check_module(d, sheets)
    return d


def _title(sheets: Sequence[Sheet], kind: str) -> str:
    """The export's Chinese title from the files' title rows, without the period
    (`富平县2023年1-3月…统计表` -> `富平县…统计表`); the kind when there is none."""
    for s in sheets:
        if s.title:
            t = re.sub(r"\d{4}年(度)?(\d{1,2}(-\d{1,2})?月)?(上旬|中旬|下旬|上半年|下半年)?", "", s.title)
            return re.sub(r"[“”\"]", "", t).strip() or kind
    return kind


def _unique_names(columns: list[Inferred]) -> None:
    seen: Counter = Counter()
    for c in columns:
        seen[c.name] += 1
        if seen[c.name] > 1 or c.name in ("county_code",):
            c.name = f"{c.name}_{seen[c.name]}"


def _py(value) -> str:
    return repr(value)


def render_module(d: Draft) -> str:
    lines = [
        f'"""{d.title} — DRAFT by `yingshang declare` from {len(d.files)} sample file(s).',
        "",
        "Review before relying on it: descriptions, the enum vocabularies' canonical values,",
        "the key, the month fields and the rules relating fields of one row are the engineer's.",
        "Columns that may name persons are flagged personal=True (only a count is stored).",
        '"""',
        "",
        "from assets.declaration import Export, Field",
        "",
    ]
    for c in d.columns:
        if c.type == "enum":
            lines.append(f"{c.name.upper()} = {{  # rows per source value in the samples; canonical values: TODO")
            for v, n in c.vocabulary.items():
                lines.append(f"    {_py(v)}: {_py(c.canonical[v])},  # {n}")
            lines.append("}")
            lines.append("")
    month_fields = tuple(d.month_candidates)
    lines += [
        "EXPORT = Export(",
        f"    kind={_py(d.kind)},",
        f"    title_zh={_py(d.title)},",
        '    source="TODO: the system that exports it",',
        f"    description={_py(f'{d.title}（草稿） / draft from sample files: ' + ', '.join(d.files))},",
        f"    month_fields={_py(month_fields)},  # TODO keep the one that decides the month",
        # A source with dated rows is taken as monthly until the engineer says otherwise:
        # a month without rows is then reported as a gap, never silently short.
        f"    monthly={bool(month_fields)},  # TODO does the source produce data every month?",
        "    fields=(",
    ]
    for c in d.columns:
        args = [_py(c.name), _py(c.header), _py(c.type), _py(f"{c.header} / {c.name.replace('_', ' ')} (draft)")]
        kw = []
        if c.aliases:
            kw.append(f"aliases={_py(tuple(c.aliases))}")
        if c.required:
            kw.append("required=True")
        if c.key:
            kw.append("key=True")
        if c.column != "required":
            kw.append(f"column={_py(c.column)}")
        if c.type == "enum":
            kw.append(f"vocabulary={c.name.upper()}")
        if c.min_value is not None:
            kw.append(f"min_value={c.min_value}")
        if c.pattern:
            kw.append(f"pattern={_py(c.pattern)}")
        if c.personal:
            kw.append("personal=True")
        if c.unit:
            kw.append(f"unit={_py(c.unit)}")
        fit = f"{c.fit}/{c.cells} cells fit" if c.cells else "always empty"
        lines.append(f"        # {c.header}: {c.type}, {fit}")
        lines.append(f"        Field({', '.join(args + kw)}),")
    lines += ["    ),", ")", ""]
    return "\n".join(lines)


def _mart_columns(d: Draft) -> list[tuple[str, str, str]]:
    """(name, 中文, English) of the draft mart's columns."""
    cols = [("county_code", "行政区划代码", "county code (GB/T 2260)")]
    if d.month_candidates:
        month = d.month_candidates[0]
        cols.append(("month", f"{month} 所在月份（月初）", f"month of {month} (first day)"))
    return cols + [("records", "记录数", "records")]


def render_sql(d: Draft) -> str:
    if d.month_candidates:
        month = d.month_candidates[0]
        select = (
            f"SELECT\n    county_code,\n    date_trunc('month', {month})::DATE AS month,\n"
            f"    count(*)::BIGINT AS records\nFROM staging.{d.kind}\nGROUP BY ALL\nORDER BY ALL;\n"
        )
    else:
        select = f"SELECT\n    county_code,\n    count(*)::BIGINT AS records\nFROM staging.{d.kind}\nGROUP BY ALL\nORDER BY ALL;\n"
    lines = [
        f"-- {d.title}（草稿） / DRAFT mart of {d.kind} by `yingshang declare`: records per county"
        + (" and month" if d.month_candidates else "") + ".",
        f"-- TODO: the grain and the measures analysts need (declared in {d.mart}.py).",
        select,
    ]
    return "\n".join(lines)


def render_mart(d: Draft) -> str:
    """The mart declaration beside the draft SQL (assets.declaration.Mart)."""
    cols = _mart_columns(d)
    lines = [
        f'"""marts.{d.mart}: DRAFT by `yingshang declare`, beside {d.mart}.sql. TODO: review."""',
        "",
        "from assets.declaration import Column, Mart",
        "",
        "MART = Mart(",
        f"    name={_py(d.mart)},",
        f"    zh={_py(d.title + '（草稿）')},",
        f"    en={_py(f'draft: records of {d.kind}')},",
        f"    grain={tuple(c[0] for c in cols[:-1])!r},",
    ]
    if d.month_candidates:
        lines.append('    partitioned_by="month",')
    lines.append("    columns=(")
    lines += [f"        Column({_py(n)}, {_py(zh)}, {_py(en)})," for n, zh, en in cols]
    lines += ["    ),", ")", ""]
    return "\n".join(lines)


def render_test(d: Draft, sheets: Sequence[Sheet]) -> str:
    header = [c.header + ("（元）" if c.type == "money" else "") for c in d.columns if c.column == "required"]
    key = [c.name for c in d.columns if c.key]
    return f'''"""{d.kind}: the draft declaration is registered and recognises its header.
DRAFT by `yingshang declare`: add tests of its rules with rows of your own."""

from assets.exports import EXPORTS
from assets.ingest.recognise import recognise


def test_{d.kind}_is_declared():
    assert "{d.kind}" in EXPORTS
    assert EXPORTS["{d.kind}"].key[1:] == {tuple(key)!r}


def test_{d.kind}_header_is_recognised():
    header = {header!r}
    assert recognise([header], EXPORTS.values()).export.kind == "{d.kind}"
'''


def _check_module(d: Draft, sheets: Sequence[Sheet]) -> None:
    """The draft is valid Python that declares an export recognising every sample."""
    namespace: dict = {}
    try:
        exec(compile(d.module, f"{d.kind}.py", "exec"), namespace)
    except Exception as e:
        raise DeclareError(f"the draft does not load ({type(e).__name__}: {e}); this is a bug in declare") from e
    export = namespace["EXPORT"]
    for s in sheets:
        _, copied = copy_and_hash(s.path, None)
        try:
            recognise(read_grid(s.path, copied).head, [export])
        except NotRecognised:
            d.notes.append(f"{s.path.name}: its header is not recognised by the draft (review the columns)")


# --------------------------------------------------------------------------------------
# Output.


def report(d: Draft) -> str:
    out = [f"{d.kind}: draft from {len(d.files)} file(s): {', '.join(d.files)}", ""]
    for c in d.columns:
        flags = [f for f, on in (("required", c.required), ("key", c.key), ("personal", c.personal)) if on]
        if c.column != "required":
            flags.append(f"column {c.column}")
        unit = f" ({c.unit})" if c.unit else ""
        fit = f"{c.fit}/{c.cells} cells" if c.cells else "always empty"
        head = f"{c.header}{unit} -> {c.name}: {c.type}, {fit}"
        if c.misfits:
            head += "; " + "; ".join(c.misfits[:3]) + (f"; … {len(c.misfits) - 3} more" if len(c.misfits) > 3 else "")
        out.append(head + (f" [{', '.join(flags)}]" if flags else ""))
        if c.aliases:
            out.append(f"    aliases: {', '.join(c.aliases)}")
        if c.pattern:
            out.append(f"    pattern: {c.pattern}")
        out += [f"    {e}" for e in c.evidence]
    out.append("")
    out.append("key candidates: " + ("; ".join("(" + ", ".join(k) + ")" for k in d.key_options) or "none"))
    out.append("month candidates: " + (", ".join(d.month_candidates) or "none"))
    personal = [c.name for c in d.columns if c.personal]
    out.append("personal data (stored as a count of persons): " + (", ".join(personal) or "none"))
    out += [f"note: {n}" for n in d.notes]
    return "\n".join(out)


def targets(d: Draft, out: Path | None) -> dict[str, Path]:
    if out is not None:
        return {"module": out / f"{d.kind}.py", "sql": out / f"{d.mart}.sql",
                "mart_declaration": out / f"{d.mart}.py", "test": out / f"test_{d.kind}.py"}
    return {"module": ROOT / "assets" / "exports" / f"{d.kind}.py",
            "sql": ROOT / "sql" / "marts" / f"{d.mart}.sql",
            "mart_declaration": ROOT / "sql" / "marts" / f"{d.mart}.py",
            "test": ROOT / "tests" / f"test_{d.kind}.py"}


def write(d: Draft, out: Path | None) -> list[Path]:
    """Write the four files, or none of them when any exists already."""
    paths = targets(d, out)
    existing = [p for p in paths.values() if p.exists()]
    if existing:
        raise DeclareError(f"{existing[0]} exists already: not overwritten (choose another --kind or --out)")
    for what, path in paths.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(getattr(d, what), encoding="utf-8")
    return list(paths.values())


def as_json(d: Draft) -> str:
    return json.dumps([c.as_json() for c in d.columns], ensure_ascii=False, indent=2)
