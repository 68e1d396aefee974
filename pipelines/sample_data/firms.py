"""Fake persons and firms, and the unified social credit codes (GB 32100-2015) of
the firms, as EXPORTS.md section 1 describes them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from pipelines.sample_data.county import County

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 ...


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are given."""
    first17 = first17.upper()
    if len(first17) != 17 or any(c not in CREDIT_ALPHABET for c in first17):
        raise ValueError(f"not the first 17 characters of a credit code: {first17!r}")
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def with_wrong_check_char(code: str) -> str:
    """The same code with a wrong check character (a typo a clerk could make)."""
    wrong = CREDIT_ALPHABET[(CREDIT_ALPHABET.index(code[17]) + 7) % 31]
    return code[:17] + wrong


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


def person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN_NAMES)


@dataclass
class Firms:
    """Hands out firms (name, credit code), unique across the whole sample."""

    rng: random.Random
    county: County
    code_by_name: dict[str, str] = field(default_factory=dict)
    name_by_code: dict[str, str] = field(default_factory=dict)
    pools: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def credit_code(self, kind: str) -> str:
        rng = self.rng
        while True:
            if kind == "91" and rng.random() < 0.2:
                # older companies keep their 9-character organisation code
                org = "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice("0123456789X")
            else:
                org = "MA" + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(7))
            first17 = kind + self.county.code + org
            code = first17 + credit_code_check_char(first17)
            if code not in self.name_by_code:
                return code

    def new(self, sector: str) -> tuple[str, str]:
        """A firm of the sector named nowhere else in the sample."""
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
            if name not in self.code_by_name:
                code = self.credit_code(kind)
                self.code_by_name[name] = code
                self.name_by_code[code] = name
                return name, code

    def pool(self, sector: str, size: int) -> list[tuple[str, str]]:
        """The first `size` firms of a sector (created on demand, then reused)."""
        firms = self.pools.setdefault(sector, [])
        while len(firms) < size:
            firms.append(self.new(sector))
        return firms[:size]
