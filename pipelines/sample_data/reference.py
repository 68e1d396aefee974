"""The county's reference figures (EXPORTS.md section 5) that the sample data reproduces
exactly: each simulator holds those of its export; here they are gathered in one list."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from pipelines.sample_data.simulators import SIMULATORS

# (indicator, period_end, value): year to date at period_end, as marts.indicators gives it.
REFERENCE_FIGURES: list[tuple[str, str, Decimal]] = [
    figure for sim in SIMULATORS for figure in sim.REFERENCE_FIGURES]

_repeated = sorted(n for n, count in Counter(n for n, _, _ in REFERENCE_FIGURES).items() if count > 1)
if _repeated:
    raise ImportError(f"reference figures given by two simulators: {', '.join(_repeated)}")
