"""Deterministic court-case exports (EXPORTS.md section 2.3) for the benchmark.

Every row is valid per the contract, so a run loads every row it reads. The UTF-8
CSV is written by DuckDB (fast even at 10M rows); the GB18030 copy is the UTF-8
file transcoded in chunks; the xlsx is the UTF-8 file written by openpyxl in
write-only mode. Files are cached in the workdir under their row count.

    python bench/generate.py 1000 /tmp/x   # writes /tmp/x/court-utf8-1000/…
"""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

import duckdb

HEADER = "案号,案件类型,立案日期,结案日期,结案方式,是否涉企,标的金额（元）,当事人,承办部门"

# One row per i: pseudo-random but deterministic choices from digits of hash(i).
_SQL = """
WITH r AS (
    SELECT i,
           ['民事', '刑事', '行政', '执行', '商事'][1 + h % 5] AS case_type,
           DATE '2023-01-01' + (h // 5 % 365)::INT AS filed,
           h // 1861 % 100 < 15 AS pending,
           (h // 186101 % 240)::INT AS days_open, h
    FROM (SELECT i, (hash(i) >> 2)::BIGINT AS h FROM range({start}, {start} + {n}) t(i))
), c AS (
    SELECT *, CASE WHEN pending THEN NULL
                   ELSE least(filed + days_open, DATE '2023-12-31') END AS closed
    FROM r
)
SELECT
    '（2023）陕0528' || CASE case_type WHEN '刑事' THEN '刑初' WHEN '行政' THEN '行初'
                                      WHEN '执行' THEN '执' ELSE '民初' END
        || (i + 1) || '号' AS "案号",
    case_type AS "案件类型",
    filed AS "立案日期",
    closed AS "结案日期",
    CASE WHEN closed IS NULL THEN NULL
         WHEN case_type = '执行' THEN ['执行完毕', '终结本次执行'][1 + h // 37 % 2]
         ELSE ['判决', '调解', '撤诉', '驳回'][1 + h // 41 % 4] END AS "结案方式",
    CASE WHEN h // 43 % 3 = 0 THEN '是' ELSE '否' END AS "是否涉企",
    CASE WHEN h // 47 % 20 = 0 THEN NULL
         ELSE printf('%.2f', (h // 53 % 100000000) / 100) END AS "标的金额（元）",
    ['张', '王', '李', '赵', '刘', '陈'][1 + h // 11 % 6] || ['伟', '芳', '娜', '强', '磊', '静'][1 + h // 13 % 6]
        || CASE WHEN h // 17 % 3 > 0 THEN '、' || ['杨', '黄', '周', '吴'][1 + h // 19 % 4]
                || ['军', '洋', '勇', '敏'][1 + h // 23 % 4] ELSE '' END
        || CASE WHEN h // 29 % 4 = 0 THEN '、陕西某某建材有限公司' ELSE '' END AS "当事人",
    CASE case_type WHEN '刑事' THEN '刑事审判庭' WHEN '行政' THEN '行政审判庭' WHEN '执行' THEN '执行局'
                   ELSE ['民一庭', '民二庭'][1 + h // 31 % 2] END AS "承办部门"
FROM c ORDER BY i
"""


def write_csv(path: Path, n: int, start: int = 0) -> Path:
    """UTF-8 CSV of `n` cases numbered from `start` + 1 (numbers are unique per row)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with duckdb.connect() as c:
        c.execute(
            f"COPY ({_SQL.format(start=start, n=n)}) TO '{tmp}' (FORMAT csv, HEADER, DELIMITER ',')"
        )
    with tmp.open(encoding="utf-8") as f:
        assert f.readline().rstrip("\n") == HEADER, "unexpected header"
    tmp.replace(path)
    return path


def transcode_gb18030(source: Path, path: Path) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with source.open(encoding="utf-8", newline="") as src, tmp.open(
        "w", encoding="gb18030", newline=""
    ) as dst:
        while chunk := src.read(1 << 24):
            dst.write(chunk)
    tmp.replace(path)
    return path


def write_xlsx(source: Path, path: Path) -> Path:
    """The CSV as a spreadsheet: dates as date cells, amounts as numbers."""
    if path.exists():
        return path
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("案件")
    with source.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        ws.append(next(rows))
        for no, typ, filed, closed, method, ent, amount, parties, division in rows:
            ws.append([
                no, typ, date.fromisoformat(filed), date.fromisoformat(closed) if closed else None,
                method or None, ent, float(amount) if amount else None, parties, division,
            ])
    tmp = path.with_suffix(".part")
    wb.save(tmp)
    tmp.replace(path)
    return path


def dataset(workdir: Path, rows: int, form: str) -> Path:
    """The landing folder holding one export of `rows` cases in `form` (utf8, gb18030,
    xlsx), generated on first use. Each folder holds exactly one file."""
    utf8 = write_csv(workdir / f"court-utf8-{rows}" / f"审判执行案件-{rows}.csv", rows)
    if form == "gb18030":
        transcode_gb18030(utf8, workdir / f"court-gb18030-{rows}" / f"审判执行案件-{rows}-gbk.csv")
    elif form == "xlsx":
        write_xlsx(utf8, workdir / f"court-xlsx-{rows}" / f"审判执行案件-{rows}.xlsx")
    return workdir / f"court-{form}-{rows}"


if __name__ == "__main__":
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    for form in ("utf8", "gb18030", "xlsx"):
        print(dataset(out, n, form))
