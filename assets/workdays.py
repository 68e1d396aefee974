"""Working days (工作日) as the State Council's holiday calendar has them.

Saturdays, Sundays and the statutory holidays are days off, except the weekend
days declared working days to make up for a holiday (调休, e.g. 2023-01-28). The
calendar comes from the maintained `chinese-calendar` package, which follows each
year's State Council notice (国务院办公厅关于某年部分节假日安排的通知, published
late in the year before): nothing here is typed by hand.

DuckDB has no holiday calendar, so the calendar reaches SQL as a generated
relation (`{{ statutory_days }}`, see assets.models.GENERATED): one row per day of
every year the package knows that is not an ordinary Monday-to-Friday working day
or an ordinary weekend day, i.e. every holiday, every make-up working day, and
the package's known years as a whole. sql/marts/calendar.sql spreads it over every
day of those years. A year the package does not know yet is not in the calendar,
and a model that needs a day of it stops the build with the fix (upgrade the
package) rather than count Monday to Friday.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.metadata import version

import chinese_calendar

from assets.sqltext import sql_literal

PACKAGE = "chinese-calendar"


@cache
def known_years() -> tuple[int, int]:
    """The first and last year the installed package has the State Council's calendar of."""
    holidays = chinese_calendar.holidays
    return min(holidays).year, max(holidays).year


def source() -> str:
    first, last = known_years()
    return f"{PACKAGE} {version(PACKAGE)} ({first}–{last})"


def is_working_day(d: date) -> bool:
    """Raises NotImplementedError (from the package) for a year it does not know."""
    return chinese_calendar.is_workday(d)


@cache
def special_days() -> tuple[tuple[date, bool, str | None], ...]:
    """(day, is_working_day, holiday name) for every day the package lists: its
    holidays (weekend days inside a holiday included) and its make-up working days.
    Every other day of the known years is a working day from Monday to Friday, which
    is the package's own rule (`is_workday`); read from its public tables, since
    asking it day by day costs half a second on every start."""
    working = chinese_calendar.workdays
    days = {d: (True, name) for d, name in working.items()}
    days.update((d, (False, name)) for d, name in chinese_calendar.holidays.items() if d not in working)
    return tuple((d, w, n) for d, (w, n) in sorted(days.items()))


def _literal(text: str | None) -> str:
    return "NULL" if text is None else sql_literal(text)


def statutory_days_sql() -> str:
    """The generated relation `statutory_days`: day, is_working_day, holiday, plus
    the first and last day of the known years (so that the calendar knows its span
    even where a year starts or ends on an ordinary day)."""
    first, last = known_years()
    rows = [f"(DATE '{d}', {str(w).lower()}, {_literal(n)})" for d, w, n in special_days()]
    return (
        "SELECT day, is_working_day, holiday, "
        f"DATE '{first}-01-01' AS calendar_first_day, DATE '{last}-12-31' AS calendar_last_day, "
        f"{_literal(source())} AS calendar_source "
        f"FROM (VALUES {', '.join(rows)}) AS t(day, is_working_day, holiday)"
    )
