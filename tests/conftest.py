"""Fixture builders: small exports written the way county systems write them."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path

import duckdb
import openpyxl
import pytest

from assets.ingest.files import ingest_folder
from assets.ingest.values import CREDIT_ALPHABET, CREDIT_WEIGHTS

COUNTY = "610528"

TAX_HEADER = [
    "凭证序号", "纳税人识别号", "纳税人名称", "收入类别", "征收项目", "减免性质代码",
    "减免政策名称", "减免金额（元）", "所属期起", "所属期止", "减免日期",
]
COURT_HEADER = [
    "案号", "案件类型", "立案日期", "结案日期", "结案方式", "是否涉企", "标的金额（元）", "当事人", "承办部门",
]
INSPECTION_HEADER = [
    "任务编号", "任务名称", "发起部门", "检查对象名称", "统一社会信用代码", "抽取日期",
    "检查完成日期", "检查结果", "执法人员",
]
PERMIT_HEADER = [
    "统计月份", "序号", "实施部门", "事项名称", "直接取消审批", "审批改为备案", "实行告知承诺", "优化审批服务", "合计",
]


def credit_code(seed: int) -> str:
    """A valid unified social credit code (GB 32100-2015)."""
    body = f"91610528MA{seed:07d}"[:17]
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS, strict=True))
    return body + CREDIT_ALPHABET[(31 - total % 31) % 31]


def _cells(header: list[str], row: dict, over: dict) -> list:
    """The row in header order; an override must name a real header, or the test
    would silently check the default value instead of the one it meant."""
    unknown = set(over) - set(header)
    if unknown:
        raise KeyError(f"not headers of this export: {sorted(unknown)}")
    row.update(over)
    return [row[h] for h in header]


def tax_row(voucher: str, yuan: str = "100.00", **over) -> list[str]:
    row = {
        "凭证序号": voucher, "纳税人识别号": credit_code(1), "纳税人名称": "富平县某某有限公司",
        "收入类别": "税收收入", "征收项目": "增值税", "减免性质代码": "0001011608",
        "减免政策名称": "小微企业免征增值税", "减免金额（元）": yuan, "所属期起": "2023-01-01",
        "所属期止": "2023-01-31", "减免日期": "2023-02-15",
    }
    return _cells(TAX_HEADER, row, over)


def court_row(no: int, **over) -> list[str]:
    row = {
        "案号": f"（2023）陕0528民初{no}号", "案件类型": "民事", "立案日期": "2023-01-05",
        "结案日期": "2023-03-01", "结案方式": "调解", "是否涉企": "是", "标的金额（元）": "10,000",
        "当事人": "张三、李四", "承办部门": "民一庭",
    }
    return _cells(COURT_HEADER, row, over)


def inspection_row(task: str, entity: int, **over) -> list[str]:
    row = {
        "任务编号": task, "任务名称": "2023年食品经营者抽查", "发起部门": "县市场监管局",
        "检查对象名称": f"某某商店{entity}", "统一社会信用代码": credit_code(entity),
        "抽取日期": "2023-03-01", "检查完成日期": "2023-03-20", "检查结果": "未发现问题", "执法人员": "王五、赵六",
    }
    return _cells(INSPECTION_HEADER, row, over)


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], merges: Sequence[str] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def touch_in_order(*paths: Path) -> None:
    """Give files increasing modification times, the ingestion order."""
    for i, p in enumerate(paths):
        os.utime(p, (1_700_000_000 + i * 60, 1_700_000_000 + i * 60))


class Warehouse:
    def __init__(self, root: Path):
        self.root = root
        self.landing = root / "landing"
        self.landing.mkdir(parents=True, exist_ok=True)
        self.archive = root / "archive"
        self.conn = duckdb.connect(str(root / "test.duckdb"))

    def ingest(self):
        return ingest_folder(self.conn, self.landing, self.archive, COUNTY)

    def rows(self, sql: str) -> list[tuple]:
        return self.conn.execute(sql).fetchall()

    def one(self, sql: str):
        return self.conn.execute(sql).fetchone()[0]

    def log(self, file_name: str) -> dict:
        cur = self.conn.execute(
            "SELECT * FROM meta.ingest_log WHERE file_name = ? ORDER BY ingest_id DESC", [file_name]
        )
        return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))

    def reasons(self, file_name: str) -> dict[int, list[str]]:
        return dict(self.rows(
            f"SELECT row_number, reasons FROM quarantine.rows WHERE file_name = '{file_name}' ORDER BY row_number"
        ))


@pytest.fixture(autouse=True)
def no_county_from_the_environment(monkeypatch):
    """There is no default county: every test that runs the pipeline names it
    (`--county`, `county_code=`), whatever the developer's shell exports."""
    monkeypatch.delenv("YINGSHANG_COUNTY", raising=False)


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    w = Warehouse(tmp_path)
    yield w
    w.conn.close()


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """The published warehouse of `yingshang demo`, shared by the tests that only
    read it (each that writes takes its own copy or its own demo)."""
    from pipelines.cli import main

    root = tmp_path_factory.mktemp("demo")
    wh = root / "yingshang.duckdb"
    assert main(["demo", "--landing", str(root / "landing"), "--warehouse", str(wh)]) == 0
    return wh
