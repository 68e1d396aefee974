"""The sample data's simulators: one file per export, found without an edit elsewhere."""

from __future__ import annotations

import sys

import pytest

from assets.exports import EXPORTS
from pipelines.sample_data import simulators

_PACKAGE = simulators.__name__


def test_each_simulator_matches_its_export_declaration():
    assert simulators.SIMULATORS
    for sim in simulators.SIMULATORS:
        export = EXPORTS[sim.KIND]
        declared = [f.name for f in export.fields]
        assert set(sim.FIELDS) <= set(declared), sim.KIND
        assert tuple(f.name for f in export.fields if f.key) == sim.KEY, sim.KIND


_SIMULATOR = '''
KIND = "{kind}"
DRAW_ORDER = {order}
FIELDS = ("id",)
KEY = ("id",)
REFERENCE_FIGURES = []
def simulate(world): return [], None
def export_files(world, state): return []
{indicators}
'''


@pytest.fixture
def extra_simulators(tmp_path, monkeypatch):
    """Drop simulator files beside the real ones (through the package's search path)."""
    monkeypatch.setattr(simulators, "__path__", [*simulators.__path__, str(tmp_path)])
    added = []

    def add(name: str, order: int, indicators: bool = True) -> None:
        text = _SIMULATOR.format(kind=name, order=order,
                                 indicators="def indicators(records, end): return {}" if indicators else "")
        (tmp_path / f"{name}.py").write_text(text)
        added.append(f"{_PACKAGE}.{name}")

    yield add
    for module in added:
        sys.modules.pop(module, None)


def test_a_new_simulator_is_one_new_file(extra_simulators):
    extra_simulators("new_export", simulators.SIMULATORS[-1].DRAW_ORDER + 1)
    found = simulators._discover()
    assert found[:-1] == simulators.SIMULATORS  # the others keep their turns
    assert found[-1].KIND == "new_export"


def test_a_simulator_takes_its_turn_by_draw_order_not_by_name(extra_simulators):
    extra_simulators("zz_first", simulators.SIMULATORS[0].DRAW_ORDER - 1)
    assert simulators._discover()[0].KIND == "zz_first"


def test_a_file_missing_part_of_the_interface_is_refused(extra_simulators):
    extra_simulators("half_done", simulators.SIMULATORS[-1].DRAW_ORDER + 1, indicators=False)
    with pytest.raises(ImportError, match="half_done is not a simulator: it lacks indicators"):
        simulators._discover()


def test_two_simulators_cannot_share_a_turn(extra_simulators):
    extra_simulators("same_turn", simulators.SIMULATORS[-1].DRAW_ORDER)
    with pytest.raises(ImportError, match="share a DRAW_ORDER"):
        simulators._discover()
