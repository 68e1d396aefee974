"""The simulators: one module per export, found by the registry below.

A simulator module defines:

- `KIND`: the export's kind, as its declaration in `assets/exports/` names it;
- `DRAW_ORDER`: its turn to draw from the one random stream that every simulator
  shares (a new export takes the next number; since every export's records are
  drawn before any file, its draws change the random choices in the other exports'
  files too, which stay deterministic and checked);
- `FIELDS` and `KEY`: the fields of a clean record, and those that identify one;
- `REFERENCE_FIGURES`: the export's figures in the county's half-year summary
  (EXPORTS.md section 5), `(indicator, period_end, value)`, which `simulate` hits exactly;
- `simulate(world) -> (records, state)`, `world` being the shared `World`: the clean
  records in the state the warehouse must hold once every file is ingested, and
  whatever `export_files` needs besides;
- `export_files(world, state) -> list[File]`: the files those records are exported in,
  with their earlier states, re-exports and deliberately broken rows;
- `indicators(records, end) -> {indicator: value}`: its section 3 indicators, year to
  date at `end`, computed from the clean records (checked against section 5).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

_INTERFACE = ("KIND", "DRAW_ORDER", "FIELDS", "KEY", "REFERENCE_FIGURES",
              "simulate", "export_files", "indicators")


def _discover() -> list[ModuleType]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        missing = [name for name in _INTERFACE if not hasattr(module, name)]
        if missing:
            raise ImportError(f"{module.__name__} is not a simulator: it lacks {', '.join(missing)}")
        found.append(module)
    found.sort(key=lambda m: m.DRAW_ORDER)
    orders = [m.DRAW_ORDER for m in found]
    if len(set(orders)) != len(orders):
        raise ImportError(f"two simulators share a DRAW_ORDER: {orders}")
    return found


# In drawing order.
SIMULATORS: list[ModuleType] = _discover()
