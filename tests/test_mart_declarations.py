"""Marts are declared beside their SQL (sql/marts/<name>.py), indicators once
(assets/indicators.py), and everything else is derived: the comments, the data
dictionary, the Dagster column schema, the GX suites, the report's sections and
labels. Each permit mode, case type and inspection result is spelled once."""

from __future__ import annotations

import itertools
import re
import shutil
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from assets import models
from assets.declaration import Column, Mart
from assets.exports import EXPORTS
from assets.exports.permit_reform import MODE_FIELDS
from assets.ingest.warehouse import staging_ddl
from assets.models import build, load_models
from tests.conftest import COURT_HEADER, court_row, write_csv

REPO = Path(__file__).resolve().parents[1]

# Where the warehouse's own code lives. sql/examples are analysts' queries, written
# out as an analyst would type them; pipelines/sample_data simulates the county
# systems and spells their values itself, so that it tests the warehouse
# independently of its declarations.
SEARCHED = ("assets", "sql", "pipelines")
NOT_SEARCHED = ("sql/examples", "pipelines/sample_data")

# Each vocabulary, with the one file allowed to spell it, and how often: a mode
# once (its field), a canonical value once per source spelling that maps to it.
_MODES = {f.name: 1 for f in MODE_FIELDS}
_CASE_TYPES = Counter(EXPORTS["court_cases"].field("case_type").vocabulary.values())
_RESULTS = Counter(EXPORTS["inspections"].field("result").vocabulary.values())
_ITEM_TYPES = Counter(EXPORTS["item_review"].field("item_type").vocabulary.values())
_APPROVAL_TYPES = Counter(EXPORTS["investment_projects"].field("approval_type").vocabulary.values())
VOCABULARIES = {
    "permit mode": (_MODES, "assets/exports/permit_reform.py"),
    "case type": (_CASE_TYPES, "assets/exports/court_cases.py"),
    "inspection result": (_RESULTS, "assets/exports/inspections.py"),
    "item type": (_ITEM_TYPES, "assets/exports/item_review.py"),
    "approval type": (_APPROVAL_TYPES, "assets/exports/investment_projects.py"),
    "registration type": (Counter(EXPORTS["realestate"].field("registration_type").vocabulary.values()),
                          "assets/exports/realestate.py"),
    "applicant type": (Counter(EXPORTS["realestate"].field("applicant_type").vocabulary.values()),
                       "assets/exports/realestate.py"),
}
# A field that merely ends in a value (tolerance_commitment, a field of the
# investment projects) is a name, not the value spelled again.
_FIELD_NAMES = {f.name for e in EXPORTS.values() for f in e.all_fields}
# A value of several vocabularies (filing: a permit mode, an item type, an approval
# type) is spelled once in each of their declarations.
_HOMES = {v: {home for allowed, home in VOCABULARIES.values() if v in allowed}
          for allowed, _ in VOCABULARIES.values() for v in allowed}


def spellings(root: Path) -> list[str]:
    """Every place under `root` that spells a value outside its declaration: as a
    quoted literal (`'civil'`, `"civil"`), also inside a name (`'permit_filing'`),
    or two values of one vocabulary listed together (`cancelled, filing`, as in a
    comment or an UNPIVOT); and the declaration spelling a value more often than
    it maps it."""
    files = [
        p for d in SEARCHED for p in sorted((root / d).rglob("*"))
        if p.suffix in (".py", ".sql") and not any(
            p.relative_to(root).as_posix().startswith(n + "/") for n in NOT_SEARCHED)
    ]
    texts = {p.relative_to(root).as_posix(): p.read_text("utf-8") for p in files}
    found = []
    for what, (allowed, home) in VOCABULARIES.items():
        for path, text in texts.items():
            for v in allowed:
                quoted = [m for m in re.finditer(rf"""(['"])(?:[a-z]+_)?{re.escape(v)}\1""", text)
                          if m.group(0)[1:-1] == v or m.group(0)[1:-1] not in _FIELD_NAMES]
                exact = [m for m in quoted if m.group(0)[1:-1] == v]
                if path == home:
                    assert exact, f"{home} declares the {what} {v}"
                    extra = [m for m in quoted if m not in exact] + exact[allowed[v]:]
                elif path in _HOMES[v]:
                    continue  # another vocabulary's declaration, spelling its own value
                else:
                    extra = quoted
                found += [f"{path}:{text.count(chr(10), 0, m.start()) + 1}: {what} {m.group(0)}" for m in extra]
            for a, b in itertools.permutations(allowed, 2):
                for m in re.finditer(rf"\b{re.escape(a)}\s*,\s*{re.escape(b)}\b", text):
                    found.append(f"{path}:{text.count(chr(10), 0, m.start()) + 1}: {what} {m.group(0)}")
    return found


def test_each_mode_case_type_and_result_is_spelled_only_in_its_export_declaration():
    assert spellings(REPO) == []


def test_spellings_finds_a_value_spelled_again(tmp_path):
    """The search itself finds what it looks for: a copy of the tree with one
    result spelled in a report, one mode list in a SQL comment, and a mart's
    Chinese labels retyped in a CASE (filing is a value of three vocabularies)."""
    for d in ("assets", "sql", "pipelines"):
        shutil.copytree(REPO / d, tmp_path / d, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pipelines" / "extra.py").write_text('LABEL = {"corrected": "已责令改正"}\n')
    (tmp_path / "sql" / "marts" / "extra.sql").write_text(
        "-- modes: filing, commitment\nSELECT 1\n"
        "SELECT CASE t WHEN 'other_power' THEN '其他行政权力' WHEN 'filing' THEN '备案' END\n"
    )
    assert sorted(spellings(tmp_path)) == [
        'pipelines/extra.py:1: inspection result "corrected"',
        "sql/marts/extra.sql:1: permit mode filing, commitment",
        "sql/marts/extra.sql:3: approval type 'filing'",
        "sql/marts/extra.sql:3: item type 'filing'",
        "sql/marts/extra.sql:3: item type 'other_power'",
        "sql/marts/extra.sql:3: permit mode 'filing'",
    ]


# --- the pair: SQL and declaration -------------------------------------------------


@pytest.fixture
def marts_dir(tmp_path, monkeypatch):
    """A models folder of the test's own holding the tax relief mart."""
    folder = tmp_path / "marts"
    folder.mkdir()
    for name in ("tax_relief_monthly.sql", "tax_relief_monthly.py"):
        shutil.copy(REPO / "sql" / "marts" / name, folder)
    monkeypatch.setattr(models, "MARTS_DIR", folder)
    models.load_models.cache_clear()
    yield folder
    models.load_models.cache_clear()


def test_the_pair_loads(marts_dir):
    (model,) = load_models()
    assert model.mart.grain == ("county_code", "month", "revenue_class", "levy")
    assert model.types[-1] == "DECIMAL(18,2)" and model.partition_column == "month"


def test_a_sql_file_without_its_declaration_is_an_error(marts_dir):
    (marts_dir / "tax_relief_monthly.py").unlink()
    with pytest.raises(FileNotFoundError, match=r"tax_relief_monthly\.sql has no declaration: add sql/marts/tax_relief_monthly\.py"):
        load_models()


def test_a_declaration_without_its_sql_is_an_error(marts_dir):
    shutil.copy(marts_dir / "tax_relief_monthly.py", marts_dir / "other_monthly.py")
    with pytest.raises(FileNotFoundError, match=r"other_monthly\.py declares a mart that has no SQL file"):
        load_models()


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("tax_relief_monthly.py", '        Column("levy",',
     '        Column("taxpayers", "纳税人数", "taxpayers"),\n        Column("levy",',
     "declared but not produced: taxpayers"),
    ("tax_relief_monthly.sql", "count(*)::BIGINT AS vouchers,",
     "count(*)::BIGINT AS vouchers,\n    min(relief_date) AS first_relief,",
     "produced but not declared: first_relief"),
    ("tax_relief_monthly.sql", "    levy,\n", "", "declared but not produced: levy"),
])
def test_columns_the_sql_and_its_declaration_disagree_on_are_an_error(marts_dir, file, old, new, message):
    path = marts_dir / file
    assert old in path.read_text("utf-8")
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
    with pytest.raises(ValueError, match=rf"tax_relief_monthly\.sql and its declaration tax_relief_monthly\.py disagree: {message}"):
        load_models()


@pytest.mark.parametrize("leftover", [
    "COMMENT ON TABLE marts.tax_relief_monthly IS 'x';\n",
    "-- partitioned by month of: month\n",
])
def test_documentation_or_partitioning_left_in_the_sql_is_an_error(marts_dir, leftover):
    """The old style (COMMENT ON and directives in the SQL) does not load half-read."""
    sql = marts_dir / "tax_relief_monthly.sql"
    text = sql.read_text("utf-8")
    sql.write_text(leftover + text if leftover.startswith("--") else text + leftover, "utf-8")
    with pytest.raises(ValueError, match=r"tax_relief_monthly\.sql: (a model holds one SELECT|partitioning is declared)"):
        load_models()


def test_accepted_values_are_read_from_the_export_declarations():
    marts = {m.name: m.mart for m in load_models()}
    court = EXPORTS["court_cases"].field("case_type")
    assert marts["court_cases_monthly"].column("case_type").values == tuple(court.labels)
    assert set(court.labels) == set(court.canonical_values)
    assert marts["permit_reform_monthly"].column("reform_mode").values == tuple(f.name for f in MODE_FIELDS)
    assert marts["coverage"].column("kind").values == tuple(sorted(EXPORTS))


# --- what is derived from the declarations ------------------------------------------


def _empty_warehouse() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA staging")
    for export in EXPORTS.values():
        conn.execute(staging_ddl(export))
    for model in load_models():
        build(conn, model)
    return conn


def test_built_comments_are_the_declarations():
    conn = _empty_warehouse()
    for m in load_models():
        assert "COMMENT ON" not in m.sql
        assert conn.execute(
            "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = ?", [m.name]
        ).fetchone()[0] == m.mart.comment
        assert conn.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts' "
            "AND table_name = ? ORDER BY column_index", [m.name]
        ).fetchall() == [(c.name, c.comment) for c in m.mart.columns]
    assert next(m for m in load_models() if m.name == "court_cases_monthly").mart.column("case_type").comment == (
        "案件类型：" + ", ".join(EXPORTS["court_cases"].field("case_type").labels) + " / case type"
    )


def test_a_mapping_of_values_is_shown_with_its_labels():
    assert Column("c", "收入类别", "revenue class", values={"tax": "税收收入", "non_tax": "非税收入"}).comment == (
        "收入类别：tax 税收收入, non_tax 非税收入 / revenue class"
    )
    with pytest.raises(ValueError, match="grain names undeclared columns"):
        Mart("m", "中", "en", grain=("x",), columns=(Column("y", "乙", "y"),))


def test_dictionary_takes_marts_text_and_units_from_the_declarations():
    from assets.dictionary import collect

    conn = _empty_warehouse()
    tables, indicators = collect(conn)
    marts = {m.name: m.mart for m in load_models()}
    for t in (t for t in tables if t.schema == "marts"):
        mart = marts[t.name]
        assert (t.zh, t.en) == (mart.zh, mart.en) and ", ".join(mart.grain) in t.source
        assert [(c.name, c.unit) for c in t.columns] == [(c.name, c.unit or "") for c in mart.columns]
    assert {c.unit for t in tables if t.qualified == "marts.indicators" for c in t.columns} == {""}
    relief = next(t for t in tables if t.qualified == "staging.tax_relief")
    assert {c.name: c.unit for c in relief.columns}["relief_yuan"] == "元"
    from assets.indicators import INDICATORS

    assert sorted(i["indicator"] for i in indicators) == sorted(i.name for i in INDICATORS)


def test_dagster_column_schema_is_the_declaration():
    from assets.marts import mart_assets

    declared = {m.name: m for m in load_models()}
    for asset in mart_assets:
        model = declared[asset.key.path[-1]]
        schema = asset.specs_by_key[asset.key].metadata["dagster/column_schema"]
        assert [(c.name, c.type, c.description) for c in schema.columns] == [
            (c.name, t, c.comment) for c, t in zip(model.mart.columns, model.types, strict=True)
        ]


def test_gx_suites_come_from_declared_calendar_columns():
    from assets import expectations

    declared = {m.name: [c.name for c in m.mart.columns if c.within_calendar] for m in load_models()}
    assert expectations.SUITE_MARTS == tuple(k for k, v in declared.items() if v) == ("coverage",)
    suites = expectations.suites()
    first, last = expectations.calendar()
    (coverage,) = suites["coverage"]
    assert coverage.column == "month" and coverage.min_value.date() == first and coverage.max_value.date() == last


# --- indicators -----------------------------------------------------------------------


def test_mode_and_result_indicators_are_generated_from_the_export_declarations():
    from assets.indicators import BY_NAME, SECTIONS, section_indicators

    for f in MODE_FIELDS:
        assert BY_NAME[f"permit_{f.name}"].zh == f"{f.zh}办件数"
    for result, label in EXPORTS["inspections"].field("result").labels.items():
        assert BY_NAME[f"inspection_{result}"].zh == f"{label}户数"
    permit = next(s for s in SECTIONS if s.domain == "permit")
    assert [i.name for i in section_indicators(permit)] == ["permit_cases", *(f"permit_{f.name}" for f in MODE_FIELDS)]


def test_indicator_definitions_mart_holds_the_declared_indicators():
    from assets.indicators import INDICATORS

    conn = _empty_warehouse()
    rows = conn.execute(
        "SELECT indicator, indicator_zh, domain, kind, unit, method, numerator, denominator, definition, decimals "
        "FROM marts.indicator_definitions"
    ).fetchall()
    assert rows == [
        (i.name, i.zh, i.domain, i.kind, i.unit, i.method, i.numerator, i.denominator, i.definition, i.decimals)
        for i in INDICATORS
    ]


def test_a_ratio_is_rounded_to_its_declared_decimals(wh):
    """marts.indicators reads the decimals from the definitions, not a constant."""
    write_csv(wh.landing / "案件.csv", [COURT_HEADER] + [
        court_row(n, 结案日期="2023-01-20" if n <= 2 else "") for n in range(1, 4)
    ])
    wh.ingest()
    by_name = {m.name: m for m in load_models()}
    for model in load_models():
        build(wh.conn, model)
    ratio = "SELECT value FROM marts.indicators WHERE indicator = 'court_clearance_ratio' AND period_end = ?"
    assert wh.one(ratio.replace("?", f"'{date(2023, 1, 31)}'")) == Decimal("0.6667")
    wh.conn.execute("UPDATE marts.indicator_definitions SET decimals = 2 WHERE indicator = 'court_clearance_ratio'")
    build(wh.conn, by_name["indicators"])
    assert wh.one(ratio.replace("?", f"'{date(2023, 1, 31)}'")) == Decimal("0.67")


def test_percentages_and_a_rounded_sum_take_their_declared_decimals(wh):
    """pct, cut_pct and a sum with decimals read them from the definitions, as a
    ratio does: 2 of 3 items immediate, 7 of 9 documents kept, 12,345.50 yuan."""
    from tests.test_investment import INVEST_HEADER, project_row
    from tests.test_item_review import REVIEW_HEADER, review_row

    write_csv(wh.landing / "梳理.csv", [REVIEW_HEADER, review_row("A1", before=3, after=3),
                                        review_row("A2", before=3, after=2, immediate="是", promised=0),
                                        review_row("A3", before=3, after=2, immediate="是", promised=0)])
    write_csv(wh.landing / "项目.csv", [INVEST_HEADER, project_row(1, wan="1.23455")])
    wh.ingest()
    by_name = {m.name: m for m in load_models()}
    for model in load_models():
        build(wh.conn, model)
    value = "SELECT value FROM marts.indicators WHERE indicator = '{}' AND period_end = '2023-03-31'"
    expected = {"review_immediate_pct": ("66.7", "66.667"), "review_materials_cut_pct": ("22.2", "22.222"),
                "invest_total_yi": ("0.00", "0.000123")}
    assert {i: wh.one(value.format(i)) for i in expected} == {i: Decimal(a) for i, (a, _) in expected.items()}
    wh.conn.execute("UPDATE marts.indicator_definitions SET decimals = 3 WHERE method IN ('pct', 'cut_pct')")
    wh.conn.execute("UPDATE marts.indicator_definitions SET decimals = 6 WHERE indicator = 'invest_total_yi'")
    build(wh.conn, by_name["indicators"])
    assert {i: wh.one(value.format(i)) for i in expected} == {i: Decimal(b) for i, (_, b) in expected.items()}


@pytest.mark.parametrize("args, message", [
    (dict(method="pct", numerator="a", denominator="b"), "decimals are required"),
    (dict(method="sum", numerator="a", denominator="b"), "has a numerator and a denominator"),
    (dict(method="cut_pct", numerator="a", decimals=1), "has a numerator and a denominator"),
    (dict(method="distinct", decimals=0), "not for a distinct count"),
    (dict(method="sum_2dp"), "unknown method"),
])
def test_an_indicator_declares_what_its_method_needs(args, message):
    from assets.declaration import Indicator

    with pytest.raises(ValueError, match=message):
        Indicator("x", "某", "review", "item_review", "%", definition="x / 某", **args)


def test_report_sections_and_labels_come_from_the_declarations():
    from assets.indicators import SECTIONS, section_indicators
    from pipelines import report

    assert EXPORTS["inspections"].field("result").labels == report.RESULT_LABELS
    assert [s.domain for s in SECTIONS] == [
        "permit", "review", "tax", "invest", "court", "inspection", "realestate"]
    # 19 of the first four exports, 4 of the item review (its five sums are only the
    # percentages' parts), 5 of the investment projects, 4 of real-estate registration (亮点, last)
    assert sum(len(section_indicators(s)) for s in SECTIONS) == 19 + 4 + 5 + 4
    review = next(s for s in SECTIONS if s.domain == "review")
    assert "review_materials_before" not in {i.name for i in section_indicators(review)}
