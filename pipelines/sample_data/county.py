"""The county the sample exports come from: the names used in titles, departments,
firm names and case numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
class County:
    code: str
    name: str
    city: str
    province: str
    towns: tuple[str, ...]

    @property
    def court(self) -> str:
        return f"{self.name}人民法院"

    @property
    def case_no_prefix(self) -> str:
        return _PROVINCE_ABBR.get(self.code[:2], "陕") + self.code[2:]

    @property
    def short_name(self) -> str:  # 富平县 -> 富平
        return self.name[:-1] if len(self.name) > 2 else self.name

    def department(self, name: str) -> str:
        return f"{self.name}{name}"


def county_from_code(code: str) -> County:
    if not re.fullmatch(r"\d{6}", code or ""):
        raise ValueError(f"county_code must be 6 digits (GB/T 2260), got {code!r}")
    name, city, province, towns = _KNOWN_COUNTIES.get(code, _GENERIC_COUNTY)
    return County(code, name, city, province, towns)
