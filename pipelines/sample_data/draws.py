"""What the simulators share: the calendar of the half-year, weekday draws, totals
split exactly, counts and picks by weight."""

from __future__ import annotations

import calendar
import random
from collections import Counter
from datetime import date, timedelta

YEAR_START = date(2023, 1, 1)
H1_END = date(2023, 6, 30)


def year_to_date(d: date | None, end: date) -> bool:
    """Whether `d` falls between 1 January of `end`'s year and `end` (as the indicators count)."""
    return d is not None and date(end.year, 1, 1) <= d <= end


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _weekdays(start: date, end: date) -> list[date]:
    days = (end - start).days + 1
    return [start + timedelta(n) for n in range(days) if (start + timedelta(n)).weekday() < 5]


def weekday_in(rng: random.Random, year: int, month: int, first: int = 1, last: int = 31) -> date:
    start = date(year, month, first)
    end = date(year, month, min(last, calendar.monthrange(year, month)[1]))
    return rng.choice(_weekdays(start, end))


def workday(d: date, not_before: date, not_after: date) -> date:
    """Move a weekend date to the nearest allowed weekday (courts close on weekdays)."""
    for step in (0, 1, -1, 2, -2, 3, -3):
        c = d + timedelta(step)
        if c.weekday() < 5 and not_before <= c <= not_after:
            return c
    return d


def split_total(rng: random.Random, total: int, weights: list[float], round_share: float = 0.0,
                round_to: int = 100, minimum: int = 100) -> list[int]:
    """Integers in proportion to `weights`, at least `minimum` each, that add up to
    `total` exactly (the largest part absorbs every difference). A share `round_share`
    of them is rounded down to a multiple of `round_to` (whole yuan, in fen)."""
    s = sum(weights)
    parts = [max(minimum, int(total * w / s)) for w in weights]
    for i, p in enumerate(parts):
        if rng.random() < round_share and p > round_to:
            parts[i] = p - p % round_to
    biggest = max(range(len(parts)), key=parts.__getitem__)
    parts[biggest] += total - sum(parts)
    if parts[biggest] <= 0:
        raise AssertionError("split left a non-positive part")
    return parts


def multinomial(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    counts = Counter(rng.choices(range(len(weights)), weights=weights, k=total))
    return [counts[i] for i in range(len(weights))]


def weighted_pick(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k items without replacement, each with probability growing with its weight
    (Efraimidis-Spirakis), in their original order."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0]
    chosen = sorted(i for _, i in sorted(keyed, reverse=True)[:k])
    if len(chosen) < k:
        raise AssertionError("not enough items to pick from")
    return [items[i] for i in chosen]
