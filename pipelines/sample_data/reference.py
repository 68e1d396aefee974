"""The county's reference figures (EXPORTS.md section 5) that the sample data reproduces exactly."""

from __future__ import annotations

from decimal import Decimal

# (indicator, period_end, value): year to date at period_end, as marts.indicators gives it.
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

# The simulators' targets: the value of each reference figure by indicator name.
TARGET: dict[str, Decimal] = {name: value for name, _, value in REFERENCE_FIGURES}
