"""税费减免明细: tax and fee relief vouchers, January to June; January to April add
up to section 5 exactly. Four files: GB18030 CSV, a desktop xlsx, a CSV in 万元 and
a newer system's English export."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from pipelines.sample_data.county import County
from pipelines.sample_data.draws import split_total, weekday_in, year_to_date
from pipelines.sample_data.files import (
    COUNTY_COLUMN,
    Col,
    File,
    Row,
    Style,
    english,
    export_stamp,
    insert_identical_duplicate,
    insert_inside,
    renamed,
)
from pipelines.sample_data.firms import Firms, with_wrong_check_char
from pipelines.sample_data.world import World

KIND = "tax_relief"
DRAW_ORDER = 1
FIELDS = ("voucher_id", "taxpayer_id", "taxpayer_name", "revenue_class", "levy",
          "relief_code", "relief_policy", "relief_yuan", "period_start",
          "period_end", "relief_date")
KEY = ("voucher_id",)

# Its figures in the county's half-year summary (EXPORTS.md section 5):
# (indicator, period_end, value), year to date at period_end as marts.indicators gives it.
REFERENCE_FIGURES = [
    ("tax_relief_wan", "2023-04-30", Decimal("16815")),
    ("non_tax_relief_wan", "2023-04-30", Decimal("1036")),
]
_TARGET = {name: value for name, _, value in REFERENCE_FIGURES}  # what simulate() must hit


@dataclass(frozen=True)
class _Levy:
    revenue_class: str
    name: str
    voucher_share: float  # of the vouchers of its revenue class
    relief_scale: float  # relative size of one relief
    reliefs: tuple[tuple[str, str], ...]  # (减免性质代码, 减免政策名称)


_LEVIES = (
    _Levy("tax", "增值税", 38, 3.0, (
        ("0001011608", "增值税小规模纳税人月销售额10万元以下免征增值税"),
        ("0001011813", "小规模纳税人适用3%征收率的应税销售收入减按1%征收增值税"),
        ("0001092301", "农业生产者销售的自产农产品免征增值税"),
        ("0001129924", "退役士兵创业就业扣减增值税"))),
    _Levy("tax", "企业所得税", 14, 6.0, (
        ("0004021501", "小型微利企业减免企业所得税"),
        ("0004021201", "国家需要重点扶持的高新技术企业减按15%的税率征收企业所得税"),
        ("0004011803", "从事农、林、牧、渔业项目的所得减免征收企业所得税"))),
    _Levy("tax", "个人所得税", 6, 0.4, (
        ("0005129901", "个体工商户年应纳税所得额不超过100万元部分减半征收个人所得税"),)),
    _Levy("tax", "城镇土地使用税", 9, 1.0, (
        ("0010049901", "增值税小规模纳税人、小型微利企业和个体工商户减半征收城镇土地使用税"),)),
    _Levy("tax", "房产税", 9, 1.0, (
        ("0008049901", "增值税小规模纳税人、小型微利企业和个体工商户减半征收房产税"),)),
    _Levy("tax", "印花税", 8, 0.15, (
        ("0009049901", "增值税小规模纳税人、小型微利企业和个体工商户减半征收印花税"),
        ("0009129906", "金融机构与小型微型企业签订借款合同免征印花税"))),
    _Levy("tax", "城市维护建设税", 10, 0.5, (
        ("0007049901", "增值税小规模纳税人、小型微利企业和个体工商户减半征收城市维护建设税"),)),
    _Levy("tax", "资源税", 2, 1.2, (
        ("0006049901", "增值税小规模纳税人、小型微利企业和个体工商户减半征收资源税"),)),
    _Levy("tax", "耕地占用税", 1, 2.5, (
        ("0012049901", "增值税小规模纳税人、小型微利企业和个体工商户减半征收耕地占用税"),)),
    _Levy("tax", "车船税", 3, 0.1, (
        ("0011049901", "节约能源车船减半征收车船税"),)),
    _Levy("non_tax", "教育费附加", 35, 1.0, (
        ("0061049901", "增值税小规模纳税人、小型微利企业和个体工商户减半征收教育费附加"),
        ("0061042802", "月销售额不超过10万元的缴纳义务人免征教育费附加"))),
    _Levy("non_tax", "地方教育附加", 30, 0.7, (
        ("0099049901", "增值税小规模纳税人、小型微利企业和个体工商户减半征收地方教育附加"),
        ("0099042802", "月销售额不超过10万元的缴纳义务人免征地方教育附加"))),
    _Levy("non_tax", "残疾人就业保障金", 30, 2.0, (
        ("0070129901", "在职职工人数在30人（含）以下的企业暂免征收残疾人就业保障金"),
        ("0070129902", "用人单位残疾人就业保障金分档减缴"))),
    _Levy("non_tax", "文化事业建设费", 5, 0.5, (
        ("0063129901", "未达起征点的缴纳义务人免征文化事业建设费"),)),
)
_REVENUE_LABELS = {"tax": "税收收入", "non_tax": "非税收入"}
_TAX_OFFICES = ("第一税务分局", "第二税务分局", "城关税务所", "庄里税务所", "美原税务所", "流曲税务所")

_COLUMNS = [
    Col("凭证序号", "voucher_id", "code"), Col("纳税人识别号", "taxpayer_id", "credit"),
    Col("纳税人名称", "taxpayer_name"), Col("收入类别", "revenue_class", "enum", labels=_REVENUE_LABELS),
    Col("征收项目", "levy"), Col("减免性质代码", "relief_code", "code"), Col("减免政策名称", "relief_policy"),
    Col("减免金额（元）", "relief_yuan", "money"), Col("所属期起", "period_start", "date"),
    Col("所属期止", "period_end", "date"), Col("减免日期", "relief_date", "date"),
]


def _tax_period(rng: random.Random, levy: str, relief_date: date) -> tuple[date, date]:
    """所属期: the previous month, the previous quarter (filed in January and April),
    or the previous year (enterprise income tax settlement, January to June)."""
    m = relief_date.month
    if levy == "企业所得税" and (m not in (1, 4) or rng.random() < 0.3):
        return date(relief_date.year - 1, 1, 1), date(relief_date.year - 1, 12, 31)
    if m in (1, 4, 7, 10) and (levy in ("企业所得税", "房产税", "城镇土地使用税") or rng.random() < 0.35):
        end = relief_date.replace(day=1) - timedelta(1)
        return date(end.year, end.month - 2, 1), end
    end = relief_date.replace(day=1) - timedelta(1)
    return end.replace(day=1), end


class _VoucherNumbers:
    """电子税票号码-like voucher numbers: 3 + county + yymm + 9 digits, increasing with
    the relief date inside a month."""

    def __init__(self, rng: random.Random, county: County):
        self.rng, self.county, self.next_seq = rng, county, {}

    def take(self, d: date) -> str:
        month = (d.year, d.month)
        seq = self.next_seq.get(month, self.rng.randint(1000, 60000))
        self.next_seq[month] = seq + self.rng.randint(1, 37)
        return f"3{self.county.code[2:]}{d:%y%m}{seq:09d}"


def _taxpayers(firms: Firms) -> list[tuple[str, str]]:
    return (firms.pool("general", 130) + firms.pool("food", 30) + firms.pool("restaurant", 25)
            + firms.pool("pharma", 12) + firms.pool("construction", 15) + firms.pool("industry", 18))


def _voucher(rng: random.Random, taxpayers: list, levy: _Levy, relief_date: date,
             fen: int) -> dict:
    name, code = rng.choice(taxpayers)
    relief_code, policy = rng.choice(levy.reliefs)
    start, end = _tax_period(rng, levy.name, relief_date)
    return {
        "voucher_id": None,  # numbered once the month is complete
        "taxpayer_id": code,
        "taxpayer_name": name,
        "revenue_class": levy.revenue_class,
        "levy": levy.name,
        "relief_code": relief_code,
        "relief_policy": None if rng.random() < 0.15 else policy,
        "relief_yuan": Decimal(fen) / 100,
        "period_start": start,
        "period_end": end,
        "relief_date": relief_date,
    }


def simulate(world: World) -> tuple[list[dict], tuple[list[dict], _VoucherNumbers]]:
    rng = world.rng
    numbers = _VoucherNumbers(rng, world.county)
    taxpayers = _taxpayers(world.firms)
    targets = {  # fen, January to April
        "tax": int(_TARGET["tax_relief_wan"] * 10000 * 100),
        "non_tax": int(_TARGET["non_tax_relief_wan"] * 10000 * 100),
    }
    vouchers = []
    for revenue_class, target in targets.items():
        levies = [lv for lv in _LEVIES if lv.revenue_class == revenue_class]
        # January and February are quieter (Spring Festival), April has quarterly filings.
        month_weights = [w * rng.uniform(0.85, 1.15) for w in (1.0, 0.75, 0.95, 1.2)]
        month_fen = split_total(rng, target, month_weights, minimum=1)
        month_fen += [int(target / 4 * rng.uniform(0.7, 1.1)) for _ in range(2)]  # May, June
        for month, fen in zip(range(1, 7), month_fen, strict=True):
            n = rng.randint(48, 70) if revenue_class == "tax" else rng.randint(22, 34)
            chosen = rng.choices(levies, weights=[lv.voucher_share for lv in levies], k=n)
            weights = [lv.relief_scale * rng.lognormvariate(0, 1.3) for lv in chosen]
            amounts = split_total(rng, fen, weights, round_share=0.35)
            for levy, amount in zip(chosen, amounts, strict=True):
                vouchers.append(_voucher(rng, taxpayers, levy, weekday_in(rng, 2023, month), amount))
    vouchers.sort(key=lambda v: (v["relief_date"], v["revenue_class"], v["levy"], v["taxpayer_id"]))
    for v in vouchers:
        v["voucher_id"] = numbers.take(v["relief_date"])
    return vouchers, (vouchers, numbers)


def indicators(records: list[dict], end: date) -> dict[str, Decimal]:
    def wan(revenue_class: str) -> Decimal:
        yuan = sum((r["relief_yuan"] for r in records
                    if r["revenue_class"] == revenue_class and year_to_date(r["relief_date"], end)),
                   Decimal(0))
        return yuan / 10000

    return {"tax_relief_wan": wan("tax"), "non_tax_relief_wan": wan("non_tax")}


def export_files(world: World, state: tuple[list[dict], _VoucherNumbers]) -> list[File]:
    rng, county = world.rng, world.county
    vouchers, numbers = state
    taxpayers = _taxpayers(world.firms)

    def extra_voucher(revenue_class: str, d: date, fen: int) -> dict:
        levy = next(lv for lv in _LEVIES if lv.revenue_class == revenue_class)
        v = _voucher(rng, taxpayers, levy, d, fen)
        v["voucher_id"] = numbers.take(d)
        return v

    def rows_of(pred) -> list[Row]:
        return [Row(dict(v)) for v in vouchers if pred(v["relief_date"])]

    files = []

    # T1: January-February, GB18030, Excel-padded, totals and footer.
    rows = rows_of(lambda d: d.month <= 2)
    bad = extra_voucher("tax", date(2023, 2, 14), 864000)
    bad["taxpayer_id"] = with_wrong_check_char(bad["taxpayer_id"])
    insert_inside(rng, rows, Row(bad, "taxpayer_id: credit code check character is wrong"))
    bad = extra_voucher("non_tax", date(2023, 2, 20), 31250)
    insert_inside(rng, rows, Row(bad, "relief_date: '2023-02-29' is not a date",
                                 raw_cells={"relief_date": "2023-02-29"}))
    twin = extra_voucher("tax", date(2023, 1, 16), 360000)
    insert_inside(rng, rows, Row(twin, "voucher_id: same key twice in the file with different values"))
    insert_inside(rng, rows, Row({**twin, "relief_yuan": Decimal("36000.00")},
                                 "voucher_id: same key twice in the file with different values"))
    insert_identical_duplicate(rng, rows)
    files.append(File(
        "税费减免明细_2023年1-2月.csv", KIND, datetime(2023, 3, 6, 9, 12, 33), "csv", "gb18030",
        list(_COLUMNS), rows,
        Style(date_forms={"*": (("iso", 6), ("slash", 2)),
                          "relief_date": (("iso_time", 3), ("iso", 2), ("slash", 1))},
              money_form="thousands", null_forms=("", "-", "无"), padded_share=0.08),
        "GB18030 CSV, Excel-padded lines; 4 title rows; money with thousands separators (元); "
        "dates 2023-01-05, 2023/1/5 and date-times; spaces around names; empty policy as ''/-/无; "
        "合计 row; footer 注/制表人",
        preamble=[f"{county.name}2023年1-2月税费减免明细统计表", f"填报单位：国家税务总局{county.name}税务局",
                  export_stamp(datetime(2023, 3, 6, 9, 12, 33)), "金额单位：元"],
        footer=["", "注：本表由金税三期税收管理系统导出，减免金额单位为元。", "制表人：李某　　审核人：王某"],
        totals_label="合计", totals_fields=("relief_yuan",), excel_padded=True))

    # T2: March, xlsx saved from the desktop, alternate headers, shuffled, extra column.
    rows = rows_of(lambda d: d.month == 3)
    for r in rows:
        r.values["county_code"] = county.code
        r.values["x_office"] = rng.choice(_TAX_OFFICES)
    bad = extra_voucher("tax", date(2023, 3, 17), 125000)
    bad.update(county_code=county.code, x_office=_TAX_OFFICES[0])
    insert_inside(rng, rows, Row(bad, "relief_yuan: must be >= 0", raw_cells={"relief_yuan": -1250}))
    bad = extra_voucher("non_tax", date(2023, 3, 9), 88800)
    bad.update(county_code=county.code, x_office=_TAX_OFFICES[2],
               period_start=date(2023, 3, 1), period_end=date(2023, 2, 28))
    insert_inside(rng, rows, Row(bad, "period_end before period_start"))
    columns = renamed(_COLUMNS, taxpayer_id="统一社会信用代码", levy="税费种类")
    columns += [COUNTY_COLUMN, Col("主管税务所（科、分局）", "x_office")]
    rng.shuffle(columns)
    files.append(File(
        "新建 Microsoft Excel 工作表.xlsx", KIND, datetime(2023, 4, 3, 15, 40, 12), "xlsx", None,
        columns, rows,
        Style(date_forms={"*": (("xl_date", 1),), "relief_date": (("xl_date", 2), ("xl_datetime", 1))},
              money_form="number", null_forms=(None, "")),
        "xlsx, no title rows; headers 统一社会信用代码 and 税费种类, shuffled column order, extra column "
        "主管税务所（科、分局）, 行政区划代码 present; real Excel date and date-time cells; money as numbers",
    ))

    # T3: 1-19 April in 万元, UTF-8 with BOM, full-width and lower-case values.
    rows = rows_of(lambda d: d.month == 4 and d.day < 20)
    bad = extra_voucher("tax", date(2023, 4, 11), 452300)
    bad["relief_code"] = bad["relief_code"][:8]
    insert_inside(rng, rows, Row(bad, "relief_code: must be 10 digits"))
    bad = extra_voucher("non_tax", date(2023, 4, 13), 99900)
    insert_inside(rng, rows, Row(bad, "revenue_class: '基金收入' is not in the vocabulary",
                                 raw_cells={"revenue_class": "基金收入"}))
    files.append(File(
        "减免税费明细（万元）.csv", KIND, datetime(2023, 4, 20, 11, 2, 41), "csv", "utf-8-sig",
        [*_COLUMNS[:7], Col("减免金额（万元）", "relief_yuan", "money", yuan_per_unit=10000), *_COLUMNS[8:]],
        rows,
        Style(date_forms={"*": (("cn", 2), ("dot", 1)),
                          "relief_date": (("cn", 1), ("compact", 1), ("dot", 1))},
              null_forms=("", "/", "NULL"), fullwidth_share=0.25, lowercase_share=0.3),
        "UTF-8 CSV with BOM; 1 title row; 减免金额（万元） with up to 6 decimals; full-width digits and "
        "letters; lower-case credit codes; dates 2023年4月5日, 2023.4.5, 20230405; 总计 row in 万元",
        preamble=[f"{county.name}2023年4月上旬税费减免明细（金额单位：万元）"],
        footer=["制表人：王某", ""], totals_label="总计", totals_fields=("relief_yuan",)))

    # T4: 20 April - June, a newer system's export with canonical English headers and values.
    rows = rows_of(lambda d: (d.month == 4 and d.day >= 20) or d.month >= 5)
    bad = extra_voucher("tax", date(2023, 4, 24), 1520000)
    bad["taxpayer_name"] = None
    insert_inside(rng, rows, Row(bad, "taxpayer_name: required value missing"))
    files.append(File(
        "tax_relief_export_20230704.csv", KIND, datetime(2023, 7, 4, 16, 45, 3), "csv", "utf-8",
        english(_COLUMNS), rows,
        Style(date_forms={"*": (("iso", 3), ("compact", 1))}, null_forms=("NULL", ""), english_values=True),
        "UTF-8 CSV without BOM; canonical English headers and values (tax, non_tax); no title, totals "
        "or footer; NULL for empty; dates 2023-04-20 and 20230420",
    ))
    return files
