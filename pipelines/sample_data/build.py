"""Simulating every export and checking the result before a byte is written."""

from __future__ import annotations

import random
from datetime import date

from pipelines.sample_data.county import county_from_code
from pipelines.sample_data.files import File
from pipelines.sample_data.firms import Firms
from pipelines.sample_data.reference import REFERENCE_FIGURES
from pipelines.sample_data.simulators import SIMULATORS
from pipelines.sample_data.world import World

_BY_KIND = {sim.KIND: sim for sim in SIMULATORS}


def build(county_code: str, seed: int) -> tuple[dict[str, list[dict]], list[File], random.Random]:
    """The clean final records per kind, the files in ingestion order (modification
    time, then name), and the random stream the files' cells are then drawn from."""
    rng = random.Random(seed)
    county = county_from_code(county_code)
    world = World(rng, county, Firms(rng, county))
    # Every simulator's records first, then every simulator's files: the order of the
    # draws from the one stream, which fixes every byte.
    simulated = [(sim, *sim.simulate(world)) for sim in SIMULATORS]
    files = [f for sim, _, state in simulated for f in sim.export_files(world, state)]
    files.sort(key=lambda f: (f.exported, f.name))
    return {sim.KIND: records for sim, records, _ in simulated}, files, rng


def _key(values: dict, kind: str) -> tuple:
    return tuple(values.get(k) for k in _BY_KIND[kind].KEY)


def _canonical(values: dict, kind: str) -> tuple:
    return tuple(values.get(f) for f in _BY_KIND[kind].FIELDS)


def check_reference(records: dict[str, list[dict]]) -> None:
    """Assert that the clean, deduplicated, final-state records give section 5's figures."""
    for kind, rows in records.items():
        keys = [_key(r, kind) for r in rows]
        assert len(keys) == len(set(keys)), f"{kind}: duplicate keys in the clean records"
    wrong = []
    for name, period_end, expected in REFERENCE_FIGURES:
        got = _indicators(records, date.fromisoformat(period_end)).get(name)
        if got != expected:
            wrong.append(f"{name} at {period_end}: {got} != {expected}")
    assert not wrong, "sample records miss the reference figures: " + "; ".join(wrong)


def _indicators(records: dict[str, list[dict]], end: date) -> dict:
    """Every simulator's section 3 indicators, year to date at `end`."""
    out: dict = {}
    for kind, rows in records.items():
        computed = _BY_KIND[kind].indicators(rows, end)
        assert not computed.keys() & out.keys(), f"{kind}: indicators also computed by another export"
        out.update(computed)
    return out


def check_files_reproduce(records: dict[str, list[dict]], files: list[File]) -> None:
    """Folding the files' valid rows in ingestion order (later file wins, identical rows
    of one key inside a file kept once) gives exactly the final records."""
    state: dict[str, dict[tuple, tuple]] = {kind: {} for kind in records}
    for f in files:
        seen: dict[tuple, tuple] = {}
        for row in f.rows:
            if row.broken_rule:
                continue
            key = _key(row.values, f.kind)
            values = _canonical(row.values, f.kind)
            assert seen.setdefault(key, values) == values, f"{f.name}: valid rows conflict on {key}"
        state[f.kind].update(seen)
    for kind, rows in records.items():
        expected = {_key(r, kind): _canonical(r, kind) for r in rows}
        assert state[kind] == expected, f"{kind}: the files do not reproduce the final records"
    # A broken row's key is never a valid record's (unless the key cell itself is broken),
    # so a pipeline that wrongly loaded or wrongly merged it would miss the figures.
    for f in files:
        for row in f.rows:
            if row.broken_rule and not any(k in row.raw_cells for k in _BY_KIND[f.kind].KEY):
                key = _key(row.values, f.kind)
                assert key not in state[f.kind], f"{f.name}: a broken row shares a valid key {key}"
