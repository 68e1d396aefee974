"""The monthly partitions of the marts, and the range of months a run rebuilds."""

from datetime import date

import dagster as dg

# Court exports carry cases filed years before they closed.
MONTHS = dg.MonthlyPartitionsDefinition(start_date="2010-01-01", end_offset=1)

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def clamp(first: date, last: date) -> tuple[date, date]:
    keys = MONTHS.get_partition_keys()
    lo, hi = date.fromisoformat(keys[0]), date.fromisoformat(keys[-1])
    return max(first, lo), min(max(last, first), hi)


def range_tags(months: tuple[date, date]) -> dict[str, str]:
    first, last = clamp(*months)
    return {RANGE_START: first.isoformat(), RANGE_END: last.isoformat()}


def encode(months: tuple[date, date] | None) -> str:
    return "" if months is None else f"{months[0].isoformat()}/{months[1].isoformat()}"


def decode(text: str) -> tuple[date, date] | None:
    if not text:
        return None
    first, last = text.split("/")
    return date.fromisoformat(first), date.fromisoformat(last)
