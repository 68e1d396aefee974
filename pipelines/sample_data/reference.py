"""The county's reference figures (EXPORTS.md section 5) that the sample data reproduces
exactly: each simulator holds those of its export; here they are gathered in one list."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from pipelines.sample_data.simulators import SIMULATORS

# (indicator, period_end, value): year to date at period_end, as marts.indicators gives it.
REFERENCE_FIGURES: list[tuple[str, str, Decimal]] = [
    figure for sim in SIMULATORS for figure in sim.REFERENCE_FIGURES]

_repeated = sorted(n for n, count in Counter(n for n, _, _ in REFERENCE_FIGURES).items() if count > 1)
if _repeated:
    raise ImportError(f"reference figures given by two simulators: {', '.join(_repeated)}")

# How the summary printed a figure it rounded coarser than the warehouse gives it
# (96亿元 for 95.87): a simulator's optional SUMMARY_ROUNDED, {indicator: printed value}.
# The reference figure stays the warehouse's exact value; the printed one must be it
# rounded half up to the printed number's decimals.
SUMMARY_ROUNDED: dict[str, Decimal] = {
    name: printed for sim in SIMULATORS for name, printed in getattr(sim, "SUMMARY_ROUNDED", {}).items()}


def as_summarised(indicator: str, value: Decimal) -> Decimal:
    """`value` rounded half up as the summary printed `indicator`'s figure."""
    return value.quantize(SUMMARY_ROUNDED[indicator], rounding=ROUND_HALF_UP)


def check_summary_rounded(figures: list[tuple[str, str, Decimal]], printed: dict[str, Decimal]) -> None:
    """Each printed figure is its reference figure rounded half up to the printed decimals."""
    exact = {name: value for name, _, value in figures}
    wrong = sorted(n for n, p in printed.items()
                   if n not in exact or exact[n].quantize(p, rounding=ROUND_HALF_UP) != p)
    if wrong:
        raise ImportError(f"summary figures that are not their reference figure rounded: {', '.join(wrong)}")


check_summary_rounded(REFERENCE_FIGURES, SUMMARY_ROUNDED)
