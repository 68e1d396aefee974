"""Sample exports: deterministic, messy, and exact.

`write_sample_exports(landing)` writes a landing folder's worth of exports of all
four kinds (税费减免明细, 证照分离改革办件统计, 审判执行案件, 双随机抽查结果) the way
county clerks download them: GB18030 and UTF-8 CSV, xlsx with merged two-row
headers, title rows, totals and footers, full-width digits, every date form of
shared/EXPORTS.md section 1, alternate and English headers, deliberately broken
rows, and later re-exports that update earlier ones.

How it works, and why it can be trusted:

1. The clean records are built first, in Python, in their final state (what the
   warehouse must hold once every file is ingested): `_build()`.
2. `_check_reference()` computes the section 3 indicators from those records and
   asserts they equal REFERENCE_FIGURES (section 5) exactly.
3. The records are split into files (with earlier states for the files that a
   re-export later updates), the bad rows are added, and `_check_files_reproduce()`
   asserts that folding the valid rows of the files in ingestion order ("later file
   wins", identical duplicates kept once) gives back exactly the final records.
4. Only then are the files rendered with their quirks and written. Every random
   choice comes from one `random.Random(seed)`, the files' timestamps are fixed,
   so two runs give byte-identical files.

`expected_ingest_counts()` tells, per file, how many data rows a correct
ingestion reads, loads and quarantines, and why each quarantined row fails.

Only the standard library and openpyxl are used.
"""

from __future__ import annotations

import calendar
import csv
import io
import os
import random
import re
import sys
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import openpyxl

# --------------------------------------------------------------------------------------
# Section 5 of EXPORTS.md: the figures the sample data must reproduce.

REFERENCE_FIGURES: list[tuple[str, str, Decimal]] = [
    ("tax_relief_wan", "2023-04-30", Decimal("16815")),
    ("non_tax_relief_wan", "2023-04-30", Decimal("1036")),
    ("permit_cases", "2023-05-31", Decimal("2649")),
    ("permit_cancelled", "2023-05-31", Decimal("269")),
    ("permit_filing", "2023-05-31", Decimal("352")),
    ("permit_commitment", "2023-05-31", Decimal("706")),
    ("permit_optimized", "2023-05-31", Decimal("1322")),
    ("court_received", "2023-06-30", Decimal("5648")),
    ("court_closed", "2023-06-30", Decimal("4955")),
    ("court_clearance_ratio", "2023-06-30", Decimal("0.8773")),
    ("court_ent_received", "2023-06-30", Decimal("1256")),
    ("court_ent_closed", "2023-06-30", Decimal("1118")),
    ("court_ent_clearance_ratio", "2023-06-30", Decimal("0.8901")),
    ("inspection_tasks", "2023-06-30", Decimal("22")),
    ("inspection_entities", "2023-06-30", Decimal("463")),
    ("inspection_no_issue", "2023-06-30", Decimal("350")),
    ("inspection_corrected", "2023-06-30", Decimal("2")),
    ("inspection_follow_up", "2023-06-30", Decimal("26")),
    ("inspection_in_progress", "2023-06-30", Decimal("85")),
]

_FIG = {name: value for name, _, value in REFERENCE_FIGURES}

PERMIT_MODES = ("cancelled", "filing", "commitment", "optimized")

# Canonical fields of each kind (what the clean records hold) and their keys.
_CANONICAL = {
    "tax_relief": ("voucher_id", "taxpayer_id", "taxpayer_name", "revenue_class", "levy",
                   "relief_code", "relief_policy", "relief_yuan", "period_start",
                   "period_end", "relief_date"),
    "permit_reform": ("month", "department", "item", *PERMIT_MODES),
    "court_cases": ("case_no", "case_type", "filed_on", "closed_on", "closing_method",
                    "enterprise_related", "claim_yuan", "parties", "division"),
    "inspections": ("task_id", "task_name", "department", "entity_name", "entity_id",
                    "drawn_on", "inspected_on", "result", "inspectors"),
}
_KEYS = {
    "tax_relief": ("voucher_id",),
    "permit_reform": ("month", "department", "item"),
    "court_cases": ("case_no",),
    "inspections": ("task_id", "entity_id"),
}

# --------------------------------------------------------------------------------------
# Unified social credit codes (GB 32100-2015), as section 1 describes them.

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 ...


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are given."""
    first17 = first17.upper()
    if len(first17) != 17 or any(c not in CREDIT_ALPHABET for c in first17):
        raise ValueError(f"not the first 17 characters of a credit code: {first17!r}")
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def _break_check_char(code: str) -> str:
    """The same code with a wrong check character (a typo a clerk could make)."""
    wrong = CREDIT_ALPHABET[(CREDIT_ALPHABET.index(code[17]) + 7) % 31]
    return code[:17] + wrong


# --------------------------------------------------------------------------------------
# The county: names used in titles, departments, firm names and case numbers.

# Court case numbers abbreviate the province: （2023）陕0528民初123号.
_PROVINCE_ABBR = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "内", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "黔", "53": "云", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新",
}

# code: (county, city, province, towns)
_KNOWN_COUNTIES = {
    "610528": ("富平县", "渭南市", "陕西", (
        "城关街道", "杜村镇", "庄里镇", "张桥镇", "美原镇", "流曲镇", "淡村镇", "留古镇",
        "老庙镇", "薛镇", "刘集镇", "齐村镇", "宫里镇", "梅家坪镇", "曹村镇")),
}
_GENERIC_COUNTY = ("XX县", "XX市", "XX省", ("城关镇", "新城镇", "东关镇", "西关镇", "南庄镇"))


@dataclass(frozen=True)
class _County:
    code: str
    name: str
    city: str
    province: str
    towns: tuple[str, ...]

    @property
    def court(self) -> str:
        return f"{self.name}人民法院"

    @property
    def case_prefix(self) -> str:
        return _PROVINCE_ABBR.get(self.code[:2], "陕") + self.code[2:]

    @property
    def short(self) -> str:  # 富平县 -> 富平
        return self.name[:-1] if len(self.name) > 2 else self.name

    def dept(self, name: str) -> str:
        return f"{self.name}{name}"


def _county(code: str) -> _County:
    if not re.fullmatch(r"\d{6}", code or ""):
        raise ValueError(f"county_code must be 6 digits (GB/T 2260), got {code!r}")
    name, city, province, towns = _KNOWN_COUNTIES.get(code, _GENERIC_COUNTY)
    return _County(code, name, city, province, towns)


# --------------------------------------------------------------------------------------
# Fake names of persons and firms.

_SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏"
             "卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾"
             "侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
_GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建国", "建华", "志强", "国庆", "红", "文", "华", "鹏",
    "辉", "玲", "丹", "斌", "宁", "欣", "浩", "宇", "晨", "博", "婷", "倩", "雪", "琳", "晓东",
    "海燕", "永刚", "小龙", "俊杰", "子涵", "秀兰", "玉梅", "卫东", "春生", "彦军", "亚妮", "红梅",
    "新民", "宏伟", "立新", "少华", "晓燕", "小军", "建军", "文博", "雨欣",
)
_TRADE_NAMES = (
    "鑫源", "华泰", "金瑞", "宏达", "秦川", "万通", "荣盛", "恒信", "瑞丰", "天成", "德润", "永兴",
    "聚福", "嘉禾", "盛世", "博远", "兴业", "康泰", "顺达", "富源", "锦程", "百川", "和润", "新华",
    "宝鼎", "长盛", "乾元", "泰和", "金穗", "绿野", "丰年", "惠民", "益农", "晨阳", "启航", "明德",
    "众诚", "同心", "佳美", "安泰", "华夏", "骏马", "金秋", "福満", "厚德", "陕富", "关中", "渭北",
)
# The kinds of business an inspection task or a tax voucher concerns, and how their
# names end. Companies end in 公司 (credit code 91…), cooperatives in 合作社 (93…),
# everything else is an individual business (92…).
_SECTOR_SUFFIXES = {
    "general": ("商贸有限公司", "建材有限公司", "农业科技有限公司", "机械制造有限公司", "物流有限公司",
                "建筑工程有限公司", "果业有限公司", "柿饼加工有限公司", "羊乳制品有限公司",
                "汽车服务有限公司", "电子科技有限公司", "环保科技有限公司", "文化传媒有限公司",
                "置业有限公司", "劳务有限公司", "石材有限公司", "包装材料有限公司", "百货商店",
                "五金店", "建材门市部", "奶山羊养殖专业合作社", "柿子专业合作社", "苹果种植专业合作社"),
    "food": ("超市", "便利店", "副食店", "粮油店", "食品店", "商贸有限公司", "果蔬店"),
    "restaurant": ("饭店", "面馆", "餐厅", "小吃店", "火锅店", "餐饮管理有限公司", "羊肉泡馍馆"),
    "pharma": ("大药房", "药店", "医药有限公司", "医疗器械有限公司"),
    "clinic": ("诊所", "口腔诊所", "中医诊所", "卫生室", "医院"),
    "public": ("宾馆", "酒店", "浴池", "理发店", "美容美发店", "酒店管理有限公司"),
    "transport": ("物流有限公司", "运输有限公司", "货运部", "汽车运输有限公司"),
    "hazchem": ("化工有限公司", "加油站", "化工经营部", "石化有限公司"),
    "construction": ("建筑工程有限公司", "建设工程有限公司", "建筑劳务有限公司", "市政工程有限公司"),
    "industry": ("水泥制品有限公司", "石材有限公司", "化工有限公司", "乳业有限公司", "食品有限公司",
                 "机械制造有限公司", "柿饼加工有限公司", "包装材料有限公司"),
    "entertainment": ("量贩式KTV", "歌厅", "游艺厅", "网吧", "文化娱乐有限公司"),
    "cosmetics": ("化妆品店", "美妆店", "日化店", "化妆品有限公司"),
    "agri": ("农资店", "农资有限公司", "种子门市部", "农资经营部", "农机有限公司"),
    "gas": ("燃气有限公司", "液化气站", "天然气有限公司", "燃气经营部"),
}
_ORG_CHARS = CREDIT_ALPHABET


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN_NAMES)


@dataclass
class _Registry:
    """Hands out firms (name, credit code), unique across the whole sample."""

    rng: random.Random
    county: _County
    names: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    pools: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def credit_code(self, kind: str) -> str:
        rng = self.rng
        while True:
            if kind == "91" and rng.random() < 0.2:
                # older companies keep their 9-character organisation code
                org = "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice("0123456789X")
            else:
                org = "MA" + "".join(rng.choice(_ORG_CHARS) for _ in range(7))
            first17 = kind + self.county.code + org
            code = first17 + credit_code_check_char(first17)
            if code not in self.codes:
                return code

    def firm(self, sector: str) -> tuple[str, str]:
        rng, county = self.rng, self.county
        while True:
            suffix = rng.choice(_SECTOR_SUFFIXES[sector])
            trade = rng.choice(_TRADE_NAMES)
            if suffix.endswith("公司"):
                kind = "91"
                name = rng.choice((county.name, county.name, county.province, county.city)) + trade + suffix
            elif suffix.endswith("合作社"):
                kind = "93"
                name = county.name + rng.choice(county.towns) + trade + suffix
            else:
                kind = "92"
                owner = trade if rng.random() < 0.6 else "老" + rng.choice(_SURNAMES)
                town = rng.choice(county.towns) if rng.random() < 0.5 else ""
                name = county.name + town + owner + suffix
            if name not in self.names:
                code = self.credit_code(kind)
                self.names[name] = code
                self.codes[code] = name
                return name, code

    def pool(self, sector: str, size: int) -> list[tuple[str, str]]:
        """The first `size` firms of a sector (created on demand, then reused)."""
        firms = self.pools.setdefault(sector, [])
        while len(firms) < size:
            firms.append(self.firm(sector))
        return firms[:size]


# --------------------------------------------------------------------------------------
# Calendar helpers.

_YEAR_START = date(2023, 1, 1)
_H1_END = date(2023, 6, 30)


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _weekdays(start: date, end: date) -> list[date]:
    days = (end - start).days + 1
    return [start + timedelta(n) for n in range(days) if (start + timedelta(n)).weekday() < 5]


def _weekday_in(rng: random.Random, year: int, month: int, first: int = 1, last: int = 31) -> date:
    start = date(year, month, first)
    end = date(year, month, min(last, calendar.monthrange(year, month)[1]))
    return rng.choice(_weekdays(start, end))


def _workday(d: date, not_before: date, not_after: date) -> date:
    """Move a weekend date to the nearest allowed weekday (courts close on weekdays)."""
    for step in (0, 1, -1, 2, -2, 3, -3):
        c = d + timedelta(step)
        if c.weekday() < 5 and not_before <= c <= not_after:
            return c
    return d


def _split_total(rng: random.Random, total: int, weights: list[float], whole: float = 0.0,
                 unit: int = 100, floor: int = 100) -> list[int]:
    """Integers in proportion to `weights` that add up to `total` exactly. A share
    `whole` of them is rounded down to a multiple of `unit` (whole yuan, in fen); the
    largest part absorbs every difference."""
    s = sum(weights)
    parts = [max(floor, int(total * w / s)) for w in weights]
    for i, p in enumerate(parts):
        if rng.random() < whole and p > unit:
            parts[i] = p - p % unit
    biggest = max(range(len(parts)), key=parts.__getitem__)
    parts[biggest] += total - sum(parts)
    if parts[biggest] <= 0:
        raise AssertionError("split left a non-positive part")
    return parts


def _multinomial(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    counts = Counter(rng.choices(range(len(weights)), weights=weights, k=total))
    return [counts[i] for i in range(len(weights))]


def _weighted_pick(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k items without replacement, each with probability growing with its weight
    (Efraimidis-Spirakis), in their original order."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0]
    chosen = sorted(i for _, i in sorted(keyed, reverse=True)[:k])
    if len(chosen) < k:
        raise AssertionError("not enough items to pick from")
    return [items[i] for i in chosen]


# --------------------------------------------------------------------------------------
# 税费减免明细: vocabulary.


@dataclass(frozen=True)
class _Levy:
    revenue_class: str
    name: str
    share: float  # share of the vouchers of its revenue class
    scale: float  # relative size of one relief
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

    def __init__(self, rng: random.Random, county: _County):
        self.rng, self.county, self.next = rng, county, {}

    def take(self, d: date) -> str:
        month = (d.year, d.month)
        seq = self.next.get(month, self.rng.randint(1000, 60000))
        self.next[month] = seq + self.rng.randint(1, 37)
        return f"3{self.county.code[2:]}{d:%y%m}{seq:09d}"


def _tax_taxpayers(reg: _Registry) -> list[tuple[str, str]]:
    return (reg.pool("general", 130) + reg.pool("food", 30) + reg.pool("restaurant", 25)
            + reg.pool("pharma", 12) + reg.pool("construction", 15) + reg.pool("industry", 18))


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


def _tax_records(rng: random.Random, reg: _Registry, numbers: _VoucherNumbers) -> list[dict]:
    """Vouchers of January to June; January to April add up to section 5 exactly."""
    taxpayers = _tax_taxpayers(reg)
    targets = {  # fen, January to April
        "tax": int(_FIG["tax_relief_wan"] * 10000 * 100),
        "non_tax": int(_FIG["non_tax_relief_wan"] * 10000 * 100),
    }
    vouchers = []
    for revenue_class, target in targets.items():
        levies = [lv for lv in _LEVIES if lv.revenue_class == revenue_class]
        # January and February are quieter (Spring Festival), April has quarterly filings.
        month_weights = [w * rng.uniform(0.85, 1.15) for w in (1.0, 0.75, 0.95, 1.2)]
        month_fen = _split_total(rng, target, month_weights, floor=1)
        month_fen += [int(target / 4 * rng.uniform(0.7, 1.1)) for _ in range(2)]  # May, June
        for month, fen in zip(range(1, 7), month_fen, strict=True):
            n = rng.randint(48, 70) if revenue_class == "tax" else rng.randint(22, 34)
            chosen = rng.choices(levies, weights=[lv.share for lv in levies], k=n)
            weights = [lv.scale * rng.lognormvariate(0, 1.3) for lv in chosen]
            amounts = _split_total(rng, fen, weights, whole=0.35)
            for levy, amount in zip(chosen, amounts, strict=True):
                vouchers.append(_voucher(rng, taxpayers, levy, _weekday_in(rng, 2023, month), amount))
    vouchers.sort(key=lambda v: (v["relief_date"], v["revenue_class"], v["levy"], v["taxpayer_id"]))
    for v in vouchers:
        v["voucher_id"] = numbers.take(v["relief_date"])
    return vouchers


# --------------------------------------------------------------------------------------
# 证照分离改革办件统计: vocabulary. Each licence item was reformed under one mode (one
# under two); (department, item, {mode: popularity}).

_PERMIT_ITEMS = (
    ("发展和改革局", "粮食收购资格认定", {"cancelled": 3}),
    ("文化和旅游局", "电影放映单位设立审批", {"cancelled": 1}),
    ("商务局", "再生资源回收经营者备案", {"cancelled": 2}),
    ("市场监督管理局", "食品经营许可（仅销售预包装食品）", {"filing": 6}),
    ("卫生健康局", "诊所执业许可", {"filing": 2}),
    ("农业农村局", "农作物种子生产经营许可（部分品种）", {"filing": 1}),
    ("卫生健康局", "公共场所卫生许可", {"commitment": 4}),
    ("住房和城乡建设局", "建筑业企业资质（施工总承包三级）", {"commitment": 2}),
    ("公安局", "旅馆业特种行业许可证核发", {"commitment": 1}),
    ("应急管理局", "危险化学品经营许可（不带储存设施）", {"commitment": 1}),
    ("交通运输局", "道路货物运输经营许可", {"commitment": 3, "optimized": 1}),
    ("文化和旅游局", "互联网上网服务营业场所经营许可", {"commitment": 1}),
    ("市场监督管理局", "食品经营许可", {"optimized": 8}),
    ("市场监督管理局", "食品生产许可", {"optimized": 2}),
    ("市场监督管理局", "药品零售企业许可", {"optimized": 2}),
    ("文化和旅游局", "娱乐场所经营活动审批", {"optimized": 1}),
    ("人力资源和社会保障局", "劳务派遣经营许可", {"optimized": 1}),
    ("农业农村局", "农药经营许可", {"optimized": 1.5}),
    ("农业农村局", "兽药经营许可", {"optimized": 1}),
)
# Items that appear only in deliberately bad rows, so their keys never collide with
# a valid row's.
_PERMIT_BAD_ITEMS = (
    ("住房和城乡建设局", "城镇污水排入排水管网许可"),
    ("文化和旅游局", "出版物零售单位设立审批"),
    ("市场监督管理局", "特种设备安装改造维修许可"),
    ("商务局", "报废机动车回收拆解企业资质认定"),
    ("交通运输局", "机动车维修经营备案"),
)


def _permit_records(rng: random.Random, county: _County) -> list[dict]:
    """One row per month and item, January to June; January to May add up to section 5."""
    rows = {(m, dept, item): {"month": date(2023, m, 1), "department": county.dept(dept),
                              "item": item, **dict.fromkeys(PERMIT_MODES, 0)}
            for m in range(1, 7) for dept, item, _ in _PERMIT_ITEMS}
    for mode in PERMIT_MODES:
        items = [(dept, item, modes[mode]) for dept, item, modes in _PERMIT_ITEMS if mode in modes]
        total = int(_FIG[f"permit_{mode}"])
        # Fewer completions around the Spring Festival (January, February).
        month_totals = _split_total(rng, total, [w * rng.uniform(0.85, 1.15)
                                                 for w in (0.85, 0.7, 1.15, 1.1, 1.2)], floor=1)
        month_totals.append(int(total / 5 * rng.uniform(0.85, 1.2)))  # June
        for m, n in zip(range(1, 7), month_totals, strict=True):
            counts = _multinomial(rng, n, [w for _, _, w in items])
            for (dept, item, _), c in zip(items, counts, strict=True):
                rows[(m, dept, item)][mode] += c
    return list(rows.values())


# --------------------------------------------------------------------------------------
# 审判执行案件: vocabulary.


@dataclass(frozen=True)
class _CaseType:
    labels: tuple[str, ...]  # 案件类型 as the system writes it (one is drawn per case)
    canonical: str
    code: str  # the case number's type code: 民初, 执, 刑初, …
    share: float  # share of new filings
    ent: float  # weight of being enterprise-related
    days: int  # mean days to close
    methods: tuple[tuple[str, int], ...]  # 结案方式 with weights
    divisions: tuple[str, ...]
    causes: tuple[str, ...]  # 案由 (an extra column, ignored by the warehouse)
    claim: float  # share of cases with a claim amount
    parties: str  # how the 当事人 cell is made


_CASE_TYPES = (
    _CaseType(("民事", "民事", "民事", "商事", "民商事"), "civil", "民初", 52, 1.0, 45,
              (("判决", 35), ("调解", 30), ("撤诉", 28), ("驳回起诉", 4), ("移送", 3)),
              ("民事审判庭", "民事审判第二庭", "庄里人民法庭", "美原人民法庭", "流曲人民法庭"),
              ("民间借贷纠纷", "买卖合同纠纷", "离婚纠纷", "机动车交通事故责任纠纷", "劳务合同纠纷",
               "金融借款合同纠纷", "物业服务合同纠纷", "房屋租赁合同纠纷", "建设工程施工合同纠纷",
               "追索劳动报酬纠纷"), 0.8, "two_sides"),
    _CaseType(("执行",), "enforcement", "执", 31, 1.2, 80,
              (("执行完毕", 45), ("终结本次执行", 40), ("终结执行", 10), ("销案", 3), ("不予执行", 2)),
              ("执行局",), ("民间借贷纠纷", "金融借款合同纠纷", "买卖合同纠纷", "劳务合同纠纷"),
              1.0, "two_sides"),
    _CaseType(("刑事",), "criminal", "刑初", 7, 0.05, 40,
              (("判决", 90), ("准许撤诉", 6), ("终止审理", 4)), ("刑事审判庭",),
              ("危险驾驶罪", "盗窃罪", "诈骗罪", "故意伤害罪", "帮助信息网络犯罪活动罪", "交通肇事罪",
               "非法吸收公众存款罪"), 0.0, "defendants"),
    _CaseType(("行政",), "administrative", "行初", 2, 0.6, 60,
              (("判决", 40), ("驳回起诉", 25), ("撤诉", 35)), ("行政审判庭",),
              ("行政处罚", "行政强制", "政府信息公开", "行政确认"), 0.0, "against_government"),
    _CaseType(("非诉保全审查",), "other", "财保", 5, 1.5, 4,
              (("准予保全", 85), ("驳回申请", 10), ("撤回申请", 5)), ("立案庭",),
              ("申请诉前财产保全", "申请诉讼财产保全"), 1.0, "two_sides"),
    _CaseType(("司法救助",), "other", "司救", 1, 0.0, 20,
              (("决定救助", 80), ("不予救助", 20)), ("立案庭",), ("司法救助",), 0.0, "one_person"),
    _CaseType(("国家赔偿",), "other", "法赔", 0.3, 0.1, 60,
              (("决定赔偿", 50), ("驳回申请", 50)), ("赔偿委员会办公室",), ("刑事赔偿",), 0.0,
              "against_government"),
    _CaseType(("其他",), "other", "民特", 1.7, 0.3, 15,
              (("确认有效", 70), ("驳回申请", 30)), ("民事审判庭",), ("申请司法确认调解协议",), 0.0,
              "two_sides"),
)
# Offences a firm itself can commit (单位犯罪): the cause of an enterprise-related criminal case.
_UNIT_CRIMES = ("非法吸收公众存款罪", "污染环境罪", "重大责任事故罪", "虚开增值税专用发票罪", "串通投标罪")
_GOVERNMENT = ("人力资源和社会保障局", "自然资源局", "人民政府", "市场监督管理局", "公安局交通警察大队",
               "住房和城乡建设局")


def _case_no(county: _County, year: int, code: str, seq: int) -> str:
    """Canonical (half-width) case number; rendering may write it full-width."""
    return f"({year}){county.case_prefix}{code}{seq}号"


def _banks(county: _County) -> list[str]:
    return [f"中国农业银行股份有限公司{county.name}支行", f"中国邮政储蓄银行股份有限公司{county.name}支行",
            f"{county.province}{county.short}农村商业银行股份有限公司", f"中国建设银行股份有限公司{county.name}支行"]


def _parties(rng: random.Random, ct: _CaseType, ent: bool, county: _County,
             firms: list[tuple[str, str]]) -> str:
    def person() -> str:
        return _person(rng)

    def firm() -> str:
        return rng.choice(_banks(county)) if rng.random() < 0.25 else rng.choice(firms)[0]

    if ct.parties == "defendants":
        names = [person() for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        if ent:
            names.insert(0, rng.choice(firms)[0])  # a unit offence
    elif ct.parties == "against_government":
        names = [firm() if ent else person(), county.dept(rng.choice(_GOVERNMENT))]
    elif ct.parties == "one_person":
        names = [person()]
    else:
        side_a = [firm() if ent and rng.random() < 0.7 else person()]
        side_b = [person() for _ in range(rng.choice((1, 1, 2)))]
        if ent and not any(n.endswith(("公司", "行", "社", "店")) for n in side_a):
            side_b[0] = rng.choice(firms)[0]
        names = side_a + side_b
    return "、".join(names)


def _claim(rng: random.Random, ct: _CaseType, ent: bool) -> Decimal | None:
    if rng.random() >= ct.claim:
        return None
    fen = int(rng.lognormvariate(15.2 if ent else 14.9, 1.3))  # median about 40,000 yuan
    if rng.random() < 0.45:
        fen -= fen % 100
    return Decimal(max(fen, 50000)) / 100


def _new_case(rng: random.Random, county: _County, ct: _CaseType, filed_on: date, ent: bool,
              firms: list) -> dict:
    return {
        "case_no": None,
        "case_type": ct.canonical,
        "filed_on": filed_on,
        "closed_on": None,
        "closing_method": None,
        "enterprise_related": ent,
        "claim_yuan": _claim(rng, ct, ent),
        "parties": _parties(rng, ct, ent, county, firms),
        "division": None if rng.random() < 0.04 else rng.choice(ct.divisions),
        # not canonical: the label the system used, the ignored 案由 column, the type
        "x_type_label": rng.choice(ct.labels),
        "x_cause": rng.choice(_UNIT_CRIMES if ent and ct.canonical == "criminal" else ct.causes),
        "x_ct": ct,
    }


def _close(rng: random.Random, case: dict, on: date) -> None:
    ct = case["x_ct"]
    case["closed_on"] = on
    case["closing_method"] = rng.choices([m for m, _ in ct.methods], [w for _, w in ct.methods])[0]


@dataclass
class _CourtData:
    final: list[dict]  # every case in its final state
    carry: list[dict]  # filed before 2023
    q1: list[dict]  # filed January to March 2023
    q2: list[dict]  # filed April to June 2023
    ent_flipped: list[str]  # case numbers whose 是否涉企 the first export got wrong


def _court_records(rng: random.Random, county: _County, reg: _Registry) -> _CourtData:
    firms = reg.pool("general", 160) + reg.pool("construction", 15) + reg.pool("restaurant", 15)
    types = list(_CASE_TYPES)

    # New filings, January to June 2023, exactly section 5's received figures.
    received = int(_FIG["court_received"])
    per_month = _split_total(rng, received, [w * rng.uniform(0.92, 1.08)
                                             for w in (0.85, 0.88, 1.1, 1.05, 1.02, 1.1)], floor=1)
    new = []
    for month, n in zip(range(1, 7), per_month, strict=True):
        for ct in rng.choices(types, weights=[t.share for t in types], k=n):
            new.append(_new_case(rng, county, ct, _weekday_in(rng, 2023, month), False, firms))
    ent_cases = _weighted_pick(rng, new, [c["x_ct"].ent for c in new], int(_FIG["court_ent_received"]))
    for c in ent_cases:
        c.update(_new_case(rng, county, c["x_ct"], c["filed_on"], True, firms))

    # Older cases still pending on 1 January 2023: most close in the first half-year.
    carry_closed = rng.randint(560, 660)
    carry_ent_closed = rng.randint(115, 150)
    carry = []
    for i in range(carry_closed + rng.randint(25, 45)):
        ent = i < carry_ent_closed or (i >= carry_closed and rng.random() < 0.2)
        # long cases are the ones left over: weight the types by their duration
        ct = rng.choices(types, weights=[t.share * t.days * (t.ent if ent else 1) for t in types])[0]
        filed = (_weekday_in(rng, 2021, rng.randint(9, 12)) if i % 97 == 5
                 else date(2022, 12, 31) - timedelta(int(rng.expovariate(1 / 70))))
        filed = _workday(filed, date(2021, 1, 1), date(2022, 12, 30))
        case = _new_case(rng, county, ct, filed, ent, firms)
        if i < carry_closed:
            on = _YEAR_START + timedelta(2 + int(178 * rng.random() ** 1.5))
            _close(rng, case, _workday(on, date(2023, 1, 3), _H1_END))
        carry.append(case)

    # Which of the new cases are closed by 30 June: those whose natural duration ends
    # first, exactly as many as section 5 needs, separately for enterprise cases.
    closed_total = int(_FIG["court_closed"]) - carry_closed
    closed_ent = int(_FIG["court_ent_closed"]) - carry_ent_closed
    for ent, n_closed in ((True, closed_ent), (False, closed_total - closed_ent)):
        group = [c for c in new if c["enterprise_related"] is ent]
        natural = [(c["filed_on"] + timedelta(int(rng.expovariate(1 / c["x_ct"].days))), i)
                   for i, c in enumerate(group)]
        for when, i in sorted(natural)[:n_closed]:
            c = group[i]
            if when > _H1_END:
                when = c["filed_on"] + timedelta(rng.randint(0, (_H1_END - c["filed_on"]).days))
            _close(rng, c, _workday(when, c["filed_on"], _H1_END))

    # Case numbers: per year and type code, in order of filing.
    seqs: Counter = Counter()
    for c in sorted(new, key=lambda c: c["filed_on"]):
        seqs[c["x_ct"].code] += 1
        c["case_no"] = _case_no(county, 2023, c["x_ct"].code, seqs[c["x_ct"].code])
    used: set[tuple[int, str, int]] = set()
    for c in sorted(carry, key=lambda c: c["filed_on"]):
        year, code = c["filed_on"].year, c["x_ct"].code
        rate = max(40, 2 * seqs[code])  # yearly filings of that type, roughly
        seq = max(1, int(rate * c["filed_on"].timetuple().tm_yday / 366))
        while (year, code, seq) in used:
            seq += 1
        used.add((year, code, seq))
        c["case_no"] = _case_no(county, year, code, seq)

    q1 = [c for c in new if c["filed_on"].month <= 3]
    q2 = [c for c in new if c["filed_on"].month > 3]
    # The first export flagged a few cases wrongly; the re-export corrects them.
    flipped = [c["case_no"] for c in rng.sample([c for c in q1 if c["x_ct"].ent > 0], 6)]
    return _CourtData(carry + new, carry, q1, q2, flipped)


def _case_as_of(case: dict, day: date) -> dict:
    """The case as an export made after `day` shows it."""
    c = dict(case)
    if c["closed_on"] is not None and c["closed_on"] > day:
        c["closed_on"] = c["closing_method"] = None
    return c


# --------------------------------------------------------------------------------------
# 双随机抽查结果: vocabulary. (task name, department, sector of the inspected, month drawn)

_INSPECTION_TASKS = (
    ("企业年度报告公示信息抽查", "市场监督管理局", "general", 1),
    ("食品销售者监督检查", "市场监督管理局", "food", 1),
    ("特种设备使用单位监督检查", "市场监督管理局", "industry", 2),
    ("药品零售企业监督检查", "市场监督管理局", "pharma", 2),
    ("道路运输企业监督检查", "交通运输局", "transport", 2),
    ("价格行为监督检查", "市场监督管理局", "food", 3),
    ("公共场所卫生监督检查", "卫生健康局", "public", 3),
    ("危险化学品经营单位安全检查", "应急管理局", "hazchem", 3),
    ("广告发布行为监督检查", "市场监督管理局", "general", 3),
    ("计量器具使用监督检查", "市场监督管理局", "food", 4),
    ("餐饮服务单位食品安全检查", "市场监督管理局", "restaurant", 4),
    ("建筑施工企业安全生产检查", "住房和城乡建设局", "construction", 4),
    ("排污单位监督检查", "生态环境分局", "industry", 4),
    ("娱乐场所监督检查", "文化和旅游局", "entertainment", 5),
    ("化妆品经营者监督检查", "市场监督管理局", "cosmetics", 5),
    ("医疗器械经营企业监督检查", "市场监督管理局", "pharma", 5),
    ("农资经营单位监督检查", "农业农村局", "agri", 5),
    ("产品质量监督抽查", "市场监督管理局", "industry", 6),
    ("个体工商户登记事项抽查", "市场监督管理局", "food", 6),
    ("校园及周边食品安全检查", "市场监督管理局", "restaurant", 6),
    ("医疗机构依法执业检查", "卫生健康局", "clinic", 6),
    ("燃气经营企业安全检查", "住房和城乡建设局", "gas", 6),
)
_RESULT_LABELS = {"no_issue": "未发现问题", "corrected": "发现问题已责令改正",
                  "follow_up": "发现问题待后续处理", "in_progress": "检查中"}
_FIRST_INSPECTION_EXPORT = date(2023, 5, 5)  # the state the early export (I1) shows


def _department(county: _County, dept: str) -> str:
    if dept == "生态环境分局":  # a city bureau's county branch
        return f"{county.city}生态环境局{county.short}分局"
    return county.dept(dept)


@dataclass
class _InspectionData:
    final: list[dict]
    tasks: list[dict]  # task_id, task_name, department, sector, month, drawn_on


def _inspection_records(rng: random.Random, county: _County, reg: _Registry) -> _InspectionData:
    n_tasks, n_rows = int(_FIG["inspection_tasks"]), int(_FIG["inspection_entities"])
    if n_tasks != len(_INSPECTION_TASKS):
        raise AssertionError("the task table must hold one task per reference task")
    sizes = [8 + c for c in _multinomial(rng, n_rows - 8 * n_tasks, [1.0] * n_tasks)]
    tasks, rows, seq = [], [], rng.randint(10, 40)
    for (name, dept, sector, month), size in zip(_INSPECTION_TASKS, sizes, strict=True):
        seq += rng.randint(1, 6)
        drawn = _weekday_in(rng, 2023, month, last=20)
        task = {"task_id": f"SJ{county.code}2023{seq:04d}", "task_name": f"2023年度{name}（双随机）",
                "department": _department(county, dept), "sector": sector, "drawn_on": drawn}
        tasks.append(task)
        for firm_name, code in rng.sample(reg.pool(sector, max(60, size + 20)), size):
            rows.append({
                "task_id": task["task_id"], "task_name": task["task_name"],
                "department": task["department"], "entity_name": firm_name, "entity_id": code,
                "drawn_on": drawn, "inspected_on": None, "result": None,
                "inspectors": "、".join(_person(rng) for _ in range(rng.choice((2, 2, 2, 3)))),
            })

    # The latest natural completion dates are still open on 30 June: exactly as many
    # as section 5's in_progress.
    natural = sorted(((r["drawn_on"] + timedelta(rng.randint(6, 75)), i) for i, r in enumerate(rows)),
                     reverse=True)
    in_progress = int(_FIG["inspection_in_progress"])
    for k, (when, i) in enumerate(natural):
        r = rows[i]
        if k < in_progress:
            r["result"] = "in_progress"
            continue
        if when > _H1_END:
            when = r["drawn_on"] + timedelta(rng.randint(1, (_H1_END - r["drawn_on"]).days))
        r["inspected_on"] = min(when, _H1_END)
        r["result"] = "no_issue"

    # Findings. The corrected ones were follow-ups in the early export (I1).
    done = [r for r in rows if r["result"] == "no_issue"]
    early = [r for r in done if r["inspected_on"] <= _FIRST_INSPECTION_EXPORT]
    corrected = rng.sample(early, int(_FIG["inspection_corrected"]))
    for r in corrected:
        r["result"] = "corrected"
    for r in rng.sample([r for r in done if r["result"] == "no_issue"], int(_FIG["inspection_follow_up"])):
        r["result"] = "follow_up"
    return _InspectionData(rows, tasks)


def _inspection_as_of(row: dict, day: date) -> dict:
    r = dict(row)
    if r["inspected_on"] is None or r["inspected_on"] > day:
        r["inspected_on"], r["result"] = None, "in_progress"
    elif r["result"] == "corrected":
        r["result"] = "follow_up"  # the follow-up had not been done yet
    return r


# --------------------------------------------------------------------------------------
# Files: rows, columns, quirks.


@dataclass
class _Row:
    values: dict  # canonical field (or x_… extra) -> the value this file reports
    bad: str | None = None  # the rule the row breaks; None for a valid row
    raw: dict = field(default_factory=dict)  # cells written exactly as given (the broken ones)
    repeat_previous: bool = False  # an identical copy of the row above (valid, kept once)


@dataclass(frozen=True)
class _Col:
    header: str
    field: str
    unit: int = 1  # money: 1 for （元）, 10000 for （万元）
    group: str | None = None  # two-row header: the merged cell above this column


@dataclass
class _Style:
    # Date forms drawn per field ('*' for the others), with weights:
    # iso 2023-05-17, slash 2023/5/17, dot 2023.5.17, cn 2023年5月17日, compact 20230517,
    # iso_time / slash_time (a time part), xl_date / xl_datetime (xlsx date cells),
    # xl_serial (an xlsx number cell holding the Excel serial day).
    dates: dict = field(default_factory=lambda: {"*": (("iso", 1),)})
    month: str = "dash"  # permit months: dash 2023-05, cn 2023年5月, compact 202305, xl_date
    money: str = "plain"  # plain 1234.50, thousands 1,234.50, number (xlsx numeric cell)
    empties: tuple = ("",)  # what a null is written as (None: an empty xlsx cell)
    bools: tuple = (("是", "否"),)
    labels: dict = field(default_factory=dict)  # canonical -> labels to draw from
    english: bool = False  # canonical English values (tax, civil, no_issue, …)
    fullwidth: float = 0.0  # share of codes, numbers and dates written full-width
    padded: float = 0.0  # share of text cells with spaces around them
    lowercase: float = 0.0  # share of credit codes written in lower case
    brackets: str = "full"  # case numbers: full （2023） or half (2023)
    numbers: bool = False  # xlsx: counts, 序号 and 行政区划代码 as number cells


@dataclass
class _File:
    name: str
    kind: str
    exported: datetime  # also the file's modification time
    fmt: str  # csv or xlsx
    encoding: str | None
    columns: list[_Col]
    rows: list[_Row]
    style: _Style
    summary: str  # what the file is and which quirks it carries (for the docs)
    preamble: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    totals_label: str | None = None
    totals_fields: tuple[str, ...] = ()
    pad_rows: bool = False  # Excel-style CSV: every line padded to the full width

    @property
    def counts(self) -> dict:
        bad = [r.bad for r in self.rows if r.bad]
        return {"kind": self.kind, "rows_read": len(self.rows), "rows_loaded": len(self.rows) - len(bad),
                "rows_quarantined": len(bad), "quarantined_because": bad}


_FIELD_TYPES = {
    "voucher_id": "code", "taxpayer_id": "credit", "taxpayer_name": "text", "revenue_class": "enum",
    "levy": "text", "relief_code": "code", "relief_policy": "text", "relief_yuan": "money",
    "period_start": "date", "period_end": "date", "relief_date": "date",
    "month": "month", "seq": "count", "department": "text", "item": "text", "cancelled": "count",
    "filing": "count", "commitment": "count", "optimized": "count", "total": "count",
    "case_no": "case_no", "case_type": "enum", "filed_on": "date", "closed_on": "date",
    "closing_method": "text", "enterprise_related": "bool", "claim_yuan": "money",
    "parties": "text", "division": "text",
    "task_id": "code", "task_name": "text", "entity_name": "text", "entity_id": "credit",
    "drawn_on": "date", "inspected_on": "date", "result": "enum", "inspectors": "text",
    "county_code": "county",
}

_TAX_COLUMNS = [
    _Col("凭证序号", "voucher_id"), _Col("纳税人识别号", "taxpayer_id"), _Col("纳税人名称", "taxpayer_name"),
    _Col("收入类别", "revenue_class"), _Col("征收项目", "levy"), _Col("减免性质代码", "relief_code"),
    _Col("减免政策名称", "relief_policy"), _Col("减免金额（元）", "relief_yuan"),
    _Col("所属期起", "period_start"), _Col("所属期止", "period_end"), _Col("减免日期", "relief_date"),
]
_PERMIT_COLUMNS = [
    _Col("序号", "seq"), _Col("统计月份", "month"), _Col("实施部门", "department"), _Col("事项名称", "item"),
    _Col("直接取消审批", "cancelled"), _Col("审批改为备案", "filing"), _Col("实行告知承诺", "commitment"),
    _Col("优化审批服务", "optimized"), _Col("合计", "total"),
]
_COURT_COLUMNS = [
    _Col("案号", "case_no"), _Col("案件类型", "case_type"), _Col("立案日期", "filed_on"),
    _Col("结案日期", "closed_on"), _Col("结案方式", "closing_method"), _Col("是否涉企", "enterprise_related"),
    _Col("标的金额（元）", "claim_yuan"), _Col("当事人", "parties"), _Col("承办部门", "division"),
]
_INSPECTION_COLUMNS = [
    _Col("任务编号", "task_id"), _Col("任务名称", "task_name"), _Col("发起部门", "department"),
    _Col("检查对象名称", "entity_name"), _Col("统一社会信用代码", "entity_id"), _Col("抽取日期", "drawn_on"),
    _Col("检查完成日期", "inspected_on"), _Col("检查结果", "result"), _Col("执法人员", "inspectors"),
]
_COUNTY_COLUMN = _Col("行政区划代码", "county_code")


def _renamed(columns: list[_Col], **headers: str) -> list[_Col]:
    """The same columns with some headers replaced (field -> new header)."""
    return [_Col(headers.get(c.field, c.header), c.field, c.unit, c.group) for c in columns]


def _english(columns: list[_Col]) -> list[_Col]:
    return [_Col(c.field, c.field) for c in columns]


def _insert(rng: random.Random, rows: list[_Row], row: _Row) -> None:
    """Put a row somewhere inside the data (not first, so the header stays obvious)."""
    rows.insert(rng.randint(1, len(rows)), row)


def _insert_identical_duplicate(rng: random.Random, rows: list[_Row]) -> None:
    """Repeat a valid row right below itself (a double export line: kept once)."""
    candidates = [i for i, r in enumerate(rows) if r.bad is None and not r.repeat_previous]
    i = rng.choice(candidates[1:-1])
    rows.insert(i + 1, _Row(rows[i].values, repeat_previous=True))


def _stamp(d: datetime) -> str:
    return f"导出时间：{d:%Y-%m-%d %H:%M:%S}"


# --------------------------------------------------------------------------------------
# The four kinds' files.


def _tax_files(rng: random.Random, county: _County, reg: _Registry, numbers: _VoucherNumbers,
               vouchers: list[dict]) -> list[_File]:
    taxpayers = _tax_taxpayers(reg)

    def extra_voucher(revenue_class: str, d: date, fen: int) -> dict:
        levy = next(lv for lv in _LEVIES if lv.revenue_class == revenue_class)
        v = _voucher(rng, taxpayers, levy, d, fen)
        v["voucher_id"] = numbers.take(d)
        return v

    def rows_of(pred) -> list[_Row]:
        return [_Row(dict(v)) for v in vouchers if pred(v["relief_date"])]

    files = []

    # T1: January-February, GB18030, Excel-padded, totals and footer.
    rows = rows_of(lambda d: d.month <= 2)
    bad = extra_voucher("tax", date(2023, 2, 14), 864000)
    bad["taxpayer_id"] = _break_check_char(bad["taxpayer_id"])
    _insert(rng, rows, _Row(bad, bad="taxpayer_id: credit code check character is wrong"))
    bad = extra_voucher("non_tax", date(2023, 2, 20), 31250)
    _insert(rng, rows, _Row(bad, bad="relief_date: '2023-02-29' is not a date",
                            raw={"relief_date": "2023-02-29"}))
    twin = extra_voucher("tax", date(2023, 1, 16), 360000)
    _insert(rng, rows, _Row(twin, bad="voucher_id: same key twice in the file with different values"))
    _insert(rng, rows, _Row({**twin, "relief_yuan": Decimal("36000.00")},
                            bad="voucher_id: same key twice in the file with different values"))
    _insert_identical_duplicate(rng, rows)
    files.append(_File(
        "税费减免明细_2023年1-2月.csv", "tax_relief", datetime(2023, 3, 6, 9, 12, 33), "csv", "gb18030",
        list(_TAX_COLUMNS), rows,
        _Style(dates={"*": (("iso", 6), ("slash", 2)), "relief_date": (("iso_time", 3), ("iso", 2), ("slash", 1))},
               money="thousands", empties=("", "-", "无"), padded=0.08),
        "GB18030 CSV, Excel-padded lines; 4 title rows; money with thousands separators (元); "
        "dates 2023-01-05, 2023/1/5 and date-times; spaces around names; empty policy as ''/-/无; "
        "合计 row; footer 注/制表人",
        preamble=[f"{county.name}2023年1-2月税费减免明细统计表", f"填报单位：国家税务总局{county.name}税务局",
                  _stamp(datetime(2023, 3, 6, 9, 12, 33)), "金额单位：元"],
        footer=["", "注：本表由金税三期税收管理系统导出，减免金额单位为元。", "制表人：李某　　审核人：王某"],
        totals_label="合计", totals_fields=("relief_yuan",), pad_rows=True))

    # T2: March, xlsx saved from the desktop, alternate headers, shuffled, extra column.
    rows = rows_of(lambda d: d.month == 3)
    for r in rows:
        r.values["county_code"] = county.code
        r.values["x_office"] = rng.choice(_TAX_OFFICES)
    bad = extra_voucher("tax", date(2023, 3, 17), 125000)
    bad.update(county_code=county.code, x_office=_TAX_OFFICES[0])
    _insert(rng, rows, _Row(bad, bad="relief_yuan: must be >= 0", raw={"relief_yuan": -1250}))
    bad = extra_voucher("non_tax", date(2023, 3, 9), 88800)
    bad.update(county_code=county.code, x_office=_TAX_OFFICES[2],
               period_start=date(2023, 3, 1), period_end=date(2023, 2, 28))
    _insert(rng, rows, _Row(bad, bad="period_end before period_start"))
    columns = _renamed(_TAX_COLUMNS, taxpayer_id="统一社会信用代码", levy="税费种类")
    columns += [_COUNTY_COLUMN, _Col("主管税务所（科、分局）", "x_office")]
    rng.shuffle(columns)
    files.append(_File(
        "新建 Microsoft Excel 工作表.xlsx", "tax_relief", datetime(2023, 4, 3, 15, 40, 12), "xlsx", None,
        columns, rows,
        _Style(dates={"*": (("xl_date", 1),), "relief_date": (("xl_date", 2), ("xl_datetime", 1))},
               money="number", empties=(None, "")),
        "xlsx, no title rows; headers 统一社会信用代码 and 税费种类, shuffled column order, extra column "
        "主管税务所（科、分局）, 行政区划代码 present; real Excel date and date-time cells; money as numbers",
    ))

    # T3: 1-19 April in 万元, UTF-8 with BOM, full-width and lower-case values.
    rows = rows_of(lambda d: d.month == 4 and d.day < 20)
    bad = extra_voucher("tax", date(2023, 4, 11), 452300)
    bad["relief_code"] = bad["relief_code"][:8]
    _insert(rng, rows, _Row(bad, bad="relief_code: must be 10 digits"))
    bad = extra_voucher("non_tax", date(2023, 4, 13), 99900)
    _insert(rng, rows, _Row(bad, bad="revenue_class: '基金收入' is not in the vocabulary",
                            raw={"revenue_class": "基金收入"}))
    files.append(_File(
        "减免税费明细（万元）.csv", "tax_relief", datetime(2023, 4, 20, 11, 2, 41), "csv", "utf-8-sig",
        _TAX_COLUMNS[:7] + [_Col("减免金额（万元）", "relief_yuan", unit=10000)] + _TAX_COLUMNS[8:], rows,
        _Style(dates={"*": (("cn", 2), ("dot", 1)), "relief_date": (("cn", 1), ("compact", 1), ("dot", 1))},
               empties=("", "/", "NULL"), fullwidth=0.25, lowercase=0.3),
        "UTF-8 CSV with BOM; 1 title row; 减免金额（万元） with up to 6 decimals; full-width digits and "
        "letters; lower-case credit codes; dates 2023年4月5日, 2023.4.5, 20230405; 总计 row in 万元",
        preamble=[f"{county.name}2023年4月上旬税费减免明细（金额单位：万元）"],
        footer=["制表人：王某", ""], totals_label="总计", totals_fields=("relief_yuan",)))

    # T4: 20 April - June, a newer system's export with canonical English headers and values.
    rows = rows_of(lambda d: (d.month == 4 and d.day >= 20) or d.month >= 5)
    bad = extra_voucher("tax", date(2023, 4, 24), 1520000)
    bad["taxpayer_name"] = None
    _insert(rng, rows, _Row(bad, bad="taxpayer_name: required value missing"))
    files.append(_File(
        "tax_relief_export_20230704.csv", "tax_relief", datetime(2023, 7, 4, 16, 45, 3), "csv", "utf-8",
        _english(_TAX_COLUMNS), rows,
        _Style(dates={"*": (("iso", 3), ("compact", 1))}, empties=("NULL", ""), english=True),
        "UTF-8 CSV without BOM; canonical English headers and values (tax, non_tax); no title, totals "
        "or footer; NULL for empty; dates 2023-04-20 and 20230420",
    ))
    return files


def _permit_rows(records: list[dict], months: tuple[int, ...]) -> list[_Row]:
    return [_Row(dict(r)) for r in records if r["month"].month in months]


def _bad_permit(county: _County, month: int, k: int, **counts: int) -> dict:
    dept, item = _PERMIT_BAD_ITEMS[k]
    values = {"month": date(2023, month, 1), "department": county.dept(dept), "item": item,
              **dict.fromkeys(PERMIT_MODES, 0)}
    values.update(counts)
    return values


def _number_permit_rows(rows: list[_Row]) -> None:
    """序号 and 合计 as the report shows them (合计 = the four modes unless broken)."""
    seq = 0
    for r in rows:
        if r.repeat_previous:
            continue
        seq += 1
        r.values["seq"] = seq
        r.values.setdefault("total", sum(r.values[m] for m in PERMIT_MODES))


def _permit_files(rng: random.Random, county: _County, records: list[dict]) -> list[_File]:
    files = []
    approval = f"{county.name}行政审批服务局"

    # P1: January-March in one workbook with the merged two-row header.
    rows = _permit_rows(records, (1, 2, 3))
    bad = dict(rows[5].values)
    _insert(rng, rows, _Row(bad, bad="month: '2023年13月' is not a month", raw={"month": "2023年13月"}))
    _number_permit_rows(rows)
    columns = [_Col(c.header, c.field, group="改革方式") if c.field in PERMIT_MODES else c
               for c in _PERMIT_COLUMNS]
    files.append(_File(
        "证照分离改革办件统计表（2023年1-3月）.xlsx", "permit_reform", datetime(2023, 4, 3, 10, 5, 47),
        "xlsx", None, columns, rows, _Style(month="cn", numbers=True, empties=(None,)),
        "xlsx; merged title row and 填报单位; two-row header: 改革方式 merged over the four modes, the "
        "other header cells merged down both rows; months 2023年1月 to 2023年3月; counts as numbers; "
        "合计 column; 合计 row; footer 注/制表人",
        preamble=[f"{county.name}2023年1-3月“证照分离”改革办件统计表", f"填报单位：{approval}"],
        footer=["注：本表为当月新办结件数，非累计数。", "制表人：张某"],
        totals_label="合计", totals_fields=(*PERMIT_MODES, "total")))

    # P2: April, plain UTF-8 CSV named 导出.csv, alternate headers, most bad rows.
    rows = _permit_rows(records, (4,))
    _insert(rng, rows, _Row(_bad_permit(county, 4, 0, optimized=5),
                            bad="total: 合计 6 is not the sum of the modes (5)", raw={"total": "6"}))
    _insert(rng, rows, _Row(_bad_permit(county, 4, 1, cancelled=-2, filing=3),
                            bad="cancelled: must be >= 0 (-2; 合计 1 is the modes' sum)"))
    twin = _bad_permit(county, 4, 2, commitment=3)
    _insert(rng, rows, _Row(twin, bad="(month, department, item): same key twice in the file with different values"))
    _insert(rng, rows, _Row({**twin, "commitment": 4},
                            bad="(month, department, item): same key twice in the file with different values"))
    _number_permit_rows(rows)
    _insert_identical_duplicate(rng, rows)
    files.append(_File(
        "导出.csv", "permit_reform", datetime(2023, 5, 5, 8, 58, 20), "csv", "utf-8",
        _renamed(_PERMIT_COLUMNS, cancelled="取消审批", filing="改为备案", commitment="告知承诺",
                 optimized="优化准入服务"), rows,
        _Style(month="compact", fullwidth=0.15),
        "UTF-8 CSV without BOM; headers 取消审批/改为备案/告知承诺/优化准入服务; month 202304; "
        "full-width digits in some counts; no title, totals or footer",
    ))

    # P3: May, xlsx, month as a real date cell, county code as a number, extra 备注.
    rows = _permit_rows(records, (5,))
    for r in rows:
        r.values["county_code"] = county.code
        r.values["x_note"] = rng.choice((None, None, None, "含网上办理件", "含“跨省通办”件"))
    _number_permit_rows(rows)
    files.append(_File(
        "2023年5月证照分离改革统计.xlsx", "permit_reform", datetime(2023, 6, 5, 9, 31, 8), "xlsx", None,
        [_PERMIT_COLUMNS[0], _COUNTY_COLUMN, *_PERMIT_COLUMNS[1:], _Col("备注", "x_note")], rows,
        _Style(month="xl_date", numbers=True, empties=(None,)),
        "xlsx; 1 title row; 行政区划代码 as a number cell; 统计月份 as a date cell (2023-05-31); "
        "extra column 备注; 小计 row",
        preamble=[f"{county.name}2023年5月“证照分离”改革办件统计"],
        totals_label="小计", totals_fields=(*PERMIT_MODES, "total")))

    # P4: June, GB18030, without the optional 合计 column.
    rows = _permit_rows(records, (6,))
    bad = _bad_permit(county, 6, 3, filing=2)
    _insert(rng, rows, _Row(bad, bad="department: required value missing", raw={"department": "—"}))
    _number_permit_rows(rows)
    files.append(_File(
        "证照分离6月.csv", "permit_reform", datetime(2023, 7, 5, 10, 20, 55), "csv", "gb18030",
        _PERMIT_COLUMNS[:-1], rows, _Style(month="dash", fullwidth=0.1),
        "GB18030 CSV, Excel-padded; 3 title rows; month 2023-06; no 合计 column; full-width digits; "
        "总计 row; footer",
        preamble=[f"{county.name}2023年6月证照分离改革办件统计表", f"填报单位：{approval}",
                  _stamp(datetime(2023, 7, 5, 10, 20, 55))],
        footer=["", "制表人：刘某"], totals_label="总计", totals_fields=PERMIT_MODES, pad_rows=True))
    return files


def _court_files(rng: random.Random, county: _County, reg: _Registry, court: _CourtData) -> list[_File]:
    firms = reg.pool("general", 160)
    first_export = date(2023, 3, 31)
    files = []
    bad_seq = Counter()

    def bad_case(ct_index: int, filed_on: date, **changes) -> dict:
        ct = _CASE_TYPES[ct_index]
        case = _new_case(rng, county, ct, filed_on, ct.ent > 0 and rng.random() < 0.3, firms)
        bad_seq[ct.code] += 1
        case["case_no"] = _case_no(county, 2023, ct.code, 8800 + bad_seq[ct.code])
        case.update(changes)
        return case

    # C1: the export of early April: old pending cases and the first quarter's filings,
    # as they stood on 31 March.
    c1_state = {}
    for c in court.carry + court.q1:
        s = _case_as_of(c, first_export)
        if s["case_no"] in court.ent_flipped:
            s["enterprise_related"] = not s["enterprise_related"]
        c1_state[s["case_no"]] = s
    rows = [_Row(s) for s in sorted(c1_state.values(), key=lambda s: (s["filed_on"], s["case_no"]))]
    bad = bad_case(0, date(2023, 2, 13))
    _insert(rng, rows, _Row(bad, bad="case_type: '再审审查' is not in the vocabulary",
                            raw={"case_type": "再审审查"}))
    bad = bad_case(0, date(2023, 1, 9))
    _close(rng, bad, date(2023, 3, 15))
    _insert(rng, rows, _Row(bad, bad="closing_method: required when closed_on is set",
                            raw={"closing_method": ""}))
    final_by_no = {c["case_no"]: c for c in court.final}
    # A row duplicated identically: one whose case does not change later.
    stable = [i for i, r in enumerate(rows) if r.bad is None
              and _canonical(r.values, "court_cases") == _canonical(final_by_no[r.values["case_no"]], "court_cases")]
    i = rng.choice(stable[1:-1])
    rows.insert(i + 1, _Row(rows[i].values, repeat_previous=True))
    c1_columns = list(_COURT_COLUMNS)
    c1_columns.insert(2, _Col("案由", "x_cause"))
    files.append(_File(
        "审判执行案件明细_20230404.csv", "court_cases", datetime(2023, 4, 4, 8, 47, 12), "csv", "gb18030",
        c1_columns, rows,
        _Style(dates={"*": (("iso", 5), ("slash", 2), ("cn", 1))}, money="thousands",
               empties=("", "-", "—", "无"), bools=(("是", "否"),), brackets="full", fullwidth=0.03,
               padded=0.05),
        "GB18030 CSV, Excel-padded; 3 title rows; case numbers with full-width brackets （2023）, a few "
        "entirely full-width; extra column 案由; dates 2023-01-05, 2023/1/5, 2023年1月5日; 是/否; "
        "money with thousands separators (元), a few full-width; pending cases shown with empty markers; "
        "合计 row of 标的金额; footer. Holds old cases still pending on 2023-01-01 and Q1 filings as "
        "of 2023-03-31 (C3 later updates many of them)",
        preamble=[f"{county.court}审判执行案件明细表", "统计口径：2023年新收案件及旧存未结案件（截至3月31日）",
                  _stamp(datetime(2023, 4, 4, 8, 47, 12))],
        footer=["", "注：标的金额单位为元；结案日期为空的为未结案件。", "制表人：赵某"],
        totals_label="合计", totals_fields=("claim_yuan",), pad_rows=True))

    # C2: April-June filings in their final state, xlsx with date cells.
    rows = [_Row({**c, "county_code": county.code})
            for c in sorted(court.q2, key=lambda c: (c["filed_on"], c["case_no"]))]
    bad = bad_case(1, date(2023, 5, 22), county_code=county.code)
    _close(rng, bad, date(2023, 5, 12))
    _insert(rng, rows, _Row(bad, bad="closed_on before filed_on"))
    bad = bad_case(0, date(2023, 4, 28), county_code=county.code)
    _insert(rng, rows, _Row(bad, bad="filed_on: '2023-04-31' is not a date", raw={"filed_on": "2023-04-31"}))
    bad = bad_case(1, date(2023, 6, 6), county_code=county.code)
    _insert(rng, rows, _Row(bad, bad="claim_yuan: must be >= 0", raw={"claim_yuan": -8000}))
    twin = bad_case(0, date(2023, 6, 1), county_code=county.code)
    other = dict(twin)
    _close(rng, other, date(2023, 6, 12))
    _insert(rng, rows, _Row(twin, bad="case_no: same key twice in the file with different values"))
    _insert(rng, rows, _Row(other, bad="case_no: same key twice in the file with different values"))
    files.append(_File(
        "审判执行案件（2023年4-6月立案）.xlsx", "court_cases", datetime(2023, 7, 3, 9, 10, 26), "xlsx", None,
        [_COUNTY_COLUMN, *_COURT_COLUMNS], rows,
        _Style(dates={"*": (("xl_date", 8), ("xl_datetime", 2))}, money="number",
               empties=(None, "-", "NULL"), bools=(("Y", "N"), ("1", "0")), brackets="half"),
        "xlsx; 2 title rows; 行政区划代码 column; half-width brackets (2023); real Excel date and "
        "date-time cells; 是否涉企 as Y/N and 1/0; money as numbers; Q2 filings in their final state",
        preamble=[f"{county.court}2023年4-6月新收案件明细", _stamp(datetime(2023, 7, 3, 9, 10, 26))]))

    # C3: re-export of the C1 cases that changed since (closed in Q2, or 是否涉企 corrected).
    changed = [c for c in court.final if c["case_no"] in c1_state
               and _canonical(c, "court_cases") != _canonical(c1_state[c["case_no"]], "court_cases")]
    changed.sort(key=lambda c: (c["closed_on"] or _H1_END, c["case_no"]))
    files.append(_File(
        "案件信息导出(1).csv", "court_cases", datetime(2023, 7, 3, 9, 25, 40), "csv", "utf-8-sig",
        _COURT_COLUMNS[:6] + [_Col("标的金额（万元）", "claim_yuan", unit=10000)]
        + _COURT_COLUMNS[7:], [_Row(dict(c)) for c in changed],
        _Style(dates={"*": (("dot", 3), ("slash_time", 2), ("cn", 2), ("compact", 1))},
               empties=("", "NULL", "/"), bools=(("true", "false"),), brackets="half"),
        "UTF-8 CSV with BOM; a re-export that updates cases of C1: pending then, closed now, and a few "
        "是否涉企 corrections (later file wins); half-width brackets where C1 had full-width; "
        "标的金额（万元）; dates 2023.5.17, 2023/5/17 14:03, 2023年5月17日, 20230517; true/false",
    ))
    return files


def _canonical(values: dict, kind: str) -> tuple:
    return tuple(values.get(f) for f in _CANONICAL[kind])


def _inspection_files(rng: random.Random, county: _County, reg: _Registry,
                      data: _InspectionData) -> list[_File]:
    files = []
    tasks = {t["task_id"]: t for t in data.tasks}
    by_task: dict[str, list[dict]] = {}
    for r in data.final:
        by_task.setdefault(r["task_id"], []).append(r)
    early_tasks = [t for t in data.tasks if t["drawn_on"].month <= 4]
    i1_state = {tid: [_inspection_as_of(r, _FIRST_INSPECTION_EXPORT) for r in by_task[tid]]
                for tid in (t["task_id"] for t in early_tasks)}
    reexported = [tid for tid, rows in i1_state.items()
                  if [_canonical(r, "inspections") for r in rows]
                  != [_canonical(r, "inspections") for r in by_task[tid]]]
    health = next(t["task_id"] for t in reversed(data.tasks) if "卫生健康局" in t["department"])

    def bad_row(task_id: str, **changes) -> dict:
        t = tasks[task_id]
        name, code = reg.firm(t["sector"])  # a firm inspected nowhere else
        row = {"task_id": task_id, "task_name": t["task_name"], "department": t["department"],
               "entity_name": name, "entity_id": code, "drawn_on": t["drawn_on"],
               "inspected_on": t["drawn_on"] + timedelta(12), "result": "no_issue",
               "inspectors": f"{_person(rng)}、{_person(rng)}"}
        row.update(changes)
        return row

    # I1: the early May export of January-April tasks, xlsx with date and serial cells.
    quiet = [tid for tid in i1_state if tid not in reexported]
    rows = [_Row(r) for tid in i1_state for r in i1_state[tid]]
    bad = bad_row(quiet[0])
    bad["entity_id"] = _break_check_char(bad["entity_id"])
    _insert(rng, rows, _Row(bad, bad="entity_id: credit code check character is wrong"))
    _insert(rng, rows, _Row(bad_row(quiet[-1]), bad="result: '合格' is not in the vocabulary",
                            raw={"result": "合格"}))
    first_rows = [k for k, r in enumerate(rows) if r.bad is None and r.values["task_id"] == quiet[0]]
    k = rng.choice(first_rows[1:])
    rows.insert(k + 1, _Row(rows[k].values, repeat_previous=True))
    files.append(_File(
        "双随机抽查结果_1-4月.xlsx", "inspections", datetime(2023, 5, 6, 16, 20, 5), "xlsx", None,
        list(_INSPECTION_COLUMNS), rows,
        _Style(dates={"drawn_on": (("xl_date", 1),), "inspected_on": (("xl_date", 2), ("xl_serial", 1))},
               empties=(None, "—")),
        "xlsx; 3 title rows (merged title); 抽取日期 as date cells, 检查完成日期 as date cells or Excel "
        "serial numbers; in-progress rows with empty date and 检查中; footer 注. State as of 2023-05-05 "
        "(I2 later updates it)",
        preamble=[f"{county.name}2023年1-4月双随机抽查结果统计表", f"填报单位：{county.dept('市场监督管理局')}",
                  _stamp(datetime(2023, 5, 6, 16, 20, 5))],
        footer=["注：检查结果以国家企业信用信息公示系统公示为准。"]))

    # I2: the July re-export: changed early tasks in full, and May-June tasks.
    late = [t["task_id"] for t in data.tasks if t["drawn_on"].month >= 5 and t["task_id"] != health]
    rows = [_Row(dict(r)) for tid in reexported + late for r in by_task[tid]]
    may = next(tid for tid in late if tasks[tid]["drawn_on"].month == 5)
    _insert(rng, rows, _Row(bad_row(may, result=None),
                            bad="result: empty although 检查完成日期 is set"))
    twin = bad_row(late[-1])
    _insert(rng, rows, _Row(twin, bad="(task_id, entity_id): same key twice in the file with different values"))
    _insert(rng, rows, _Row({**twin, "result": "follow_up"},
                            bad="(task_id, entity_id): same key twice in the file with different values"))
    files.append(_File(
        "双随机抽查结果导出.csv", "inspections", datetime(2023, 7, 3, 14, 0, 18), "csv", "utf-8-sig",
        list(_INSPECTION_COLUMNS), rows,
        _Style(dates={"*": (("iso", 3), ("cn", 2), ("compact", 2), ("iso_time", 1))},
               labels={"corrected": ("责令改正", "发现问题已责令改正"),
                       "follow_up": ("待后续处理", "发现问题待后续处理"),
                       "in_progress": ("检查中", "未检查", "")},
               empties=("", "-", "/"), fullwidth=0.1, lowercase=0.1, padded=0.05),
        "UTF-8 CSV with BOM; 1 title row; re-export: early tasks whose results changed since I1 "
        "(in progress then, final now; 2 follow-ups now corrected) and May-June tasks; results "
        "责令改正/待后续处理/检查中/未检查/empty; dates 2023-05-17, 2023年5月17日, 20230517 and "
        "date-times; full-width task ids and dates; lower-case credit codes",
        preamble=["双随机抽查结果导出"]))

    # I3: the health bureau's own June task, GB18030 with the county code.
    rows = [_Row({**r, "county_code": county.code}) for r in by_task[health]]
    bad = bad_row(health, county_code=county.code, inspected_on=None, result="in_progress")
    _insert(rng, rows, _Row(bad, bad="drawn_on: '2023年6月31日' is not a date", raw={"drawn_on": "2023年6月31日"}))
    files.append(_File(
        "卫健局双随机抽查结果.csv", "inspections", datetime(2023, 7, 4, 10, 30, 0), "csv", "gb18030",
        [_COUNTY_COLUMN, *_INSPECTION_COLUMNS], rows,
        _Style(dates={"*": (("slash", 1), ("iso", 1))}, empties=("", "-")),
        "GB18030 CSV, Excel-padded; 2 title rows; 行政区划代码 column; dates 2023/6/5 and 2023-06-05; "
        "a bare 合计 row without numbers; footer",
        preamble=[f"{county.dept('卫生健康局')}2023年6月双随机抽查结果", f"填报单位：{county.dept('卫生健康局')}"],
        footer=["制表人：孙某", ""], totals_label="合计", pad_rows=True))
    return files


# --------------------------------------------------------------------------------------
# Building and checking.


def _build(county_code: str, seed: int) -> tuple[dict[str, list[dict]], list[_File], random.Random]:
    rng = random.Random(seed)
    county = _county(county_code)
    reg = _Registry(rng, county)
    numbers = _VoucherNumbers(rng, county)
    vouchers = _tax_records(rng, reg, numbers)
    permits = _permit_records(rng, county)
    court = _court_records(rng, county, reg)
    inspections = _inspection_records(rng, county, reg)
    files = (_tax_files(rng, county, reg, numbers, vouchers) + _permit_files(rng, county, permits)
             + _court_files(rng, county, reg, court) + _inspection_files(rng, county, reg, inspections))
    files.sort(key=lambda f: (f.exported, f.name))
    records = {
        "tax_relief": vouchers,
        "permit_reform": permits,
        "court_cases": court.final,
        "inspections": inspections.final,
    }
    return records, files, rng


def _indicator(records: dict[str, list[dict]], name: str, end: date) -> Decimal:
    """One indicator of section 3, year to date at `end`, from clean final records."""
    start = date(end.year, 1, 1)

    def inside(d: date | None) -> bool:
        return d is not None and start <= d <= end

    if name in ("tax_relief_wan", "non_tax_relief_wan"):
        revenue_class = "tax" if name == "tax_relief_wan" else "non_tax"
        yuan = sum((r["relief_yuan"] for r in records["tax_relief"]
                    if r["revenue_class"] == revenue_class and inside(r["relief_date"])), Decimal(0))
        return yuan / 10000
    if name.startswith("permit_"):
        modes = PERMIT_MODES if name == "permit_cases" else (name.removeprefix("permit_"),)
        return Decimal(sum(r[m] for r in records["permit_reform"] if inside(r["month"]) for m in modes))
    if name.startswith("court_"):
        cases = records["court_cases"]
        measure = name.removeprefix("court_")
        if measure.startswith("ent_"):
            cases = [c for c in cases if c["enterprise_related"]]
            measure = measure.removeprefix("ent_")
        received = sum(inside(c["filed_on"]) for c in cases)
        closed = sum(inside(c["closed_on"]) for c in cases)
        if measure == "received":
            return Decimal(received)
        if measure == "closed":
            return Decimal(closed)
        return (Decimal(closed) / Decimal(received)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    if name.startswith("inspection_"):
        rows = [r for r in records["inspections"] if inside(r["drawn_on"])]
        measure = name.removeprefix("inspection_")
        if measure == "tasks":
            return Decimal(len({r["task_id"] for r in rows}))
        if measure == "entities":
            return Decimal(len(rows))
        return Decimal(sum(r["result"] == measure for r in rows))
    raise KeyError(name)


def _check_reference(records: dict[str, list[dict]]) -> None:
    """Assert that the clean, deduplicated, final-state records give section 5's figures."""
    for kind, rows in records.items():
        keys = [tuple(r[k] for k in _KEYS[kind]) for r in rows]
        assert len(keys) == len(set(keys)), f"{kind}: duplicate keys in the clean records"
    wrong = []
    for name, period_end, expected in REFERENCE_FIGURES:
        got = _indicator(records, name, date.fromisoformat(period_end))
        if got != expected:
            wrong.append(f"{name} at {period_end}: {got} != {expected}")
    assert not wrong, "sample records miss the reference figures: " + "; ".join(wrong)


def _check_files_reproduce(records: dict[str, list[dict]], files: list[_File]) -> None:
    """Folding the files' valid rows in ingestion order (later file wins, identical rows
    of one key inside a file kept once) gives exactly the final records."""
    state: dict[str, dict[tuple, tuple]] = {kind: {} for kind in records}
    for f in files:
        seen: dict[tuple, tuple] = {}
        for row in f.rows:
            if row.bad:
                continue
            key = tuple(row.values[k] for k in _KEYS[f.kind])
            values = _canonical(row.values, f.kind)
            assert seen.setdefault(key, values) == values, f"{f.name}: valid rows conflict on {key}"
        state[f.kind].update(seen)
    for kind, rows in records.items():
        expected = {tuple(r[k] for k in _KEYS[kind]): _canonical(r, kind) for r in rows}
        assert state[kind] == expected, f"{kind}: the files do not reproduce the final records"
    # A bad row's key is never a valid record's (unless the key cell itself is broken),
    # so a pipeline that wrongly loaded or wrongly merged it would miss the figures.
    for f in files:
        for row in f.rows:
            if row.bad and not any(k in row.raw for k in _KEYS[f.kind]):
                key = tuple(row.values.get(k) for k in _KEYS[f.kind])
                assert key not in state[f.kind], f"{f.name}: a bad row shares a valid key {key}"


# --------------------------------------------------------------------------------------
# Rendering cells.

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
        return datetime.combine(_month_end(d), datetime.min.time())
    raise ValueError(form)


def _money_cell(yuan: Decimal, unit: int, style: _Style, rng: random.Random) -> object:
    if unit != 1:  # 万元: exact to the fen with at most 6 decimals
        text = format((yuan / unit).quantize(Decimal("0.000001")), "f").rstrip("0").rstrip(".")
        return text
    if style.money == "number":
        return int(yuan) if yuan == yuan.to_integral_value() else float(yuan)
    if style.money == "thousands":
        return format(yuan, ",.2f")
    if yuan == yuan.to_integral_value() and rng.random() < 0.5:
        return str(int(yuan))
    return format(yuan, ".2f")


def _render_cell(f: _File, col: _Col, row: _Row, rng: random.Random) -> object:
    if col.field in row.raw:
        return row.raw[col.field]
    s = f.style
    value = row.values.get(col.field)
    kind = "text" if col.field.startswith("x_") else _FIELD_TYPES[col.field]
    if value is None:
        return rng.choice(s.empties)
    cell: object
    wide = False  # may be written full-width
    if kind == "date":
        forms = s.dates.get(col.field) or s.dates["*"]
        cell = _date_cell(value, rng.choices([f for f, _ in forms], [w for _, w in forms])[0], rng)
        wide = True
    elif kind == "month":
        cell = _month_cell(value, s.month)
    elif kind == "money":
        cell, wide = _money_cell(value, col.unit, s, rng), True
    elif kind == "count":
        cell, wide = (value if f.fmt == "xlsx" and s.numbers else str(value)), True
    elif kind == "county":
        cell = int(value) if f.fmt == "xlsx" and s.numbers else value
    elif kind == "bool":
        yes, no = rng.choice(s.bools)
        cell = yes if value else no
    elif kind == "enum":
        if s.english:
            cell = value
        elif col.field == "case_type":
            cell = row.values["x_type_label"]
        elif col.field == "revenue_class":
            cell = _REVENUE_LABELS[value]
        else:
            cell = rng.choice(s.labels.get(value, (_RESULT_LABELS[value],)))
    elif kind == "credit":
        cell = value.lower() if rng.random() < s.lowercase else value
        wide = True
    elif kind == "case_no":
        cell = value.replace("(", "（").replace(")", "）") if s.brackets == "full" else value
        wide = True
    elif kind == "code":
        cell, wide = value, True
    else:  # text
        cell = value
        if rng.random() < s.padded:
            cell = rng.choice((" {} ", "{} ", " {}", "\u3000{}")).format(cell)
    if wide and isinstance(cell, str) and rng.random() < s.fullwidth:
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


def _totals_row(f: _File, data: list[list]) -> list:
    """合计/总计/小计: the label first, then the sums over every data row of the file."""
    out: list = [None] * len(f.columns)
    out[0] = f.totals_label
    for j, col in enumerate(f.columns):
        if col.field not in f.totals_fields:
            continue
        total = sum((n for n in (_number(r[j]) for r in data) if n is not None), Decimal(0))
        kind = _FIELD_TYPES[col.field]
        if kind == "money" and col.unit != 1:
            out[j] = format(total, "f")
        elif kind == "money":
            out[j] = float(total) if f.fmt == "xlsx" else format(total, ",.2f")
        else:
            out[j] = int(total) if f.fmt == "xlsx" else str(int(total))
    return out


def _header_rows(f: _File) -> list[list]:
    if not any(c.group for c in f.columns):
        return [[c.header for c in f.columns]]
    top, bottom, previous = [], [], None
    for c in f.columns:
        if c.group:
            top.append(c.group if c.group != previous else None)
            bottom.append(c.header)
        else:
            top.append(c.header)
            bottom.append(None)
        previous = c.group
    return [top, bottom]


def _grid(f: _File, rng: random.Random) -> tuple[list[list], int, int]:
    """All the rows of the sheet, the 1-based row number of the (first) header row and
    the number of header rows."""
    width = len(f.columns)

    def line(text: str) -> list:
        return [text] + [None] * (width - 1) if f.pad_rows or f.fmt == "xlsx" else [text]

    grid = [line(t) for t in f.preamble]
    header_at = len(grid) + 1
    headers = _header_rows(f)
    grid += headers
    data: list[list] = []
    for row in f.rows:
        if row.repeat_previous:
            data.append(list(data[-1]))
        else:
            data.append([_render_cell(f, c, row, rng) for c in f.columns])
    grid += data
    if f.totals_label:
        grid.append(_totals_row(f, data))
    grid += [line(t) if t else ([None] * width if f.pad_rows else []) for t in f.footer]
    return grid, header_at, len(headers)


# --------------------------------------------------------------------------------------
# Writing files.

def _csv_bytes(grid: list[list], encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(
        [["" if c is None else c for c in row] for row in grid])
    return buf.getvalue().encode(encoding)


def _xlsx_bytes(f: _File, grid: list[list], header_at: int, header_rows: int) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in grid:
        ws.append(row)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, datetime):
                if f.kind == "permit_reform":
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
            if col.group:
                k = j
                while k + 1 < width and f.columns[k + 1].group == col.group:
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


def _epoch(when: datetime) -> int:
    """The export time, China Standard Time (UTC+8), as a Unix timestamp."""
    return calendar.timegm(when.timetuple()) - 8 * 3600


def write_sample_exports(landing: Path, county_code: str = "610528", seed: int = 2023) -> list[Path]:
    """Write the sample exports into `landing` (created if missing); return the paths in ingestion order."""
    landing = Path(landing)
    landing.mkdir(parents=True, exist_ok=True)
    records, files, rng = _build(county_code, seed)
    _check_reference(records)
    _check_files_reproduce(records, files)
    paths = []
    for f in files:  # already in ingestion order: modification time, then name
        grid, header_at, header_rows = _grid(f, rng)
        if f.fmt == "csv":
            data = _csv_bytes(grid, f.encoding)
        else:
            data = _xlsx_bytes(f, grid, header_at, header_rows)
        path = landing / f.name
        path.write_bytes(data)
        os.utime(path, (_epoch(f.exported), _epoch(f.exported)))
        paths.append(path)
    return paths


def expected_ingest_counts(county_code: str = "610528", seed: int = 2023) -> dict[str, dict]:
    """Per file name, in ingestion order: kind, rows_read, rows_loaded, rows_quarantined
    and why each quarantined row fails, as a correct ingestion must report them."""
    _, files, _ = _build(county_code, seed)
    return {f.name: f.counts for f in files}


def describe_sample_exports(county_code: str = "610528", seed: int = 2023) -> list[dict]:
    """What each file holds and which quirks it carries, in ingestion order."""
    _, files, _ = _build(county_code, seed)
    return [{"name": f.name, "kind": f.kind, "format": f.fmt, "encoding": f.encoding,
             "exported": f.exported.isoformat(sep=" "), "summary": f.summary, **f.counts}
            for f in files]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m pipelines.sample_data LANDING_DIR")
    for p in write_sample_exports(Path(sys.argv[1])):
        print(p)
