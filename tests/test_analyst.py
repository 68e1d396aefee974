"""What analysts get: the data dictionary, queries, CSV/XLSX output, the report."""

from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.cli import main
from pipelines.query import Result, neutralise, run_query, to_csv, write_xlsx
from pipelines.report import build_report, parse_period, write_report
from pipelines.sample_data import REFERENCE_FIGURES
from tests.browser import ARTIFACTS, browser_page

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "sql" / "examples").glob("*.sql"))


@pytest.fixture
def warehouse(demo_warehouse):
    return demo_warehouse


def test_dictionary_covers_every_column_of_every_mart(warehouse):
    md = (warehouse.parent / "dictionary.md").read_text("utf-8")
    page = (warehouse.parent / "dictionary.html").read_text("utf-8")
    with duckdb.connect(str(warehouse), read_only=True) as c:
        columns = c.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts'"
        ).fetchall()
        indicators = [r[0] for r in c.execute("SELECT indicator FROM marts.indicator_definitions").fetchall()]
    assert len(columns) > 30
    for table, column, comment in columns:
        section = md.split(f"## marts.{table}\n", 1)[1].split("\n## ", 1)[0]
        assert f"| {column} |" in section, (table, column)
        assert comment.split(" / ")[0] in section
        assert f"<code>{column}</code>" in page
    for indicator in indicators:
        assert f"| {indicator} |" in md
    # The staging columns name the export header they came from.
    assert "审判执行案件: 标的金额（元） / 标的金额（万元）" in md


def test_comments_are_visible_to_describe(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as c:
        comment = c.execute(
            "SELECT comment FROM duckdb_columns() WHERE table_name = 'indicators' AND column_name = 'value'"
        ).fetchone()[0]
    assert comment == "指标值 / value, in unit"


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_queries_run(warehouse, example):
    result = run_query(warehouse, example.read_text("utf-8"))
    assert result.columns and result.rows, example.name


def test_half_year_example_matches_the_summary(warehouse):
    result = run_query(warehouse, EXAMPLES[0].read_text("utf-8"))
    values = {row[1]: row[2] for row in result.rows}
    assert values["court_received"] == Decimal(5648) and values["court_clearance_ratio"] == Decimal("0.8773")


def test_formula_cells_are_neutralised_in_csv_and_xlsx(tmp_path):
    result = Result(["a", "b", "c", "d", "n", "ok"], [("=1+1", "+cmd", "-2+3", "@SUM(A1)", -5, "正常")])
    line = to_csv(result).splitlines()[1]
    assert line == "'=1+1,'+cmd,'-2+3,'@SUM(A1),-5,正常"
    path = tmp_path / "q.xlsx"
    write_xlsx(result, path)
    row = [c.value for c in openpyxl.load_workbook(path).active[2]]
    assert row == ["'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", -5, "正常"]
    assert neutralise("\t=x") == "'\t=x" and neutralise(-1) == -1


def test_query_command_outputs(warehouse, tmp_path, capsys):
    sql = "SELECT indicator, value FROM marts.indicators WHERE period_end = '2023-06-30' ORDER BY 1 LIMIT 3"
    assert main(["query", sql, "--warehouse", str(warehouse), "--chinese"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["指标代码", "指标值"] and "(3 rows)" in out
    csv_path = tmp_path / "out.csv"
    assert main(["query", sql, "--warehouse", str(warehouse), "--format", "csv", "-o", str(csv_path)]) == 0
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbfindicator,value\n")
    xlsx = tmp_path / "out.xlsx"
    assert main(["query", sql, "--warehouse", str(warehouse), "--format", "xlsx", "-o", str(xlsx)]) == 0
    assert openpyxl.load_workbook(xlsx).active.max_row == 4


def test_query_errors_are_one_line(warehouse, capsys):
    assert main(["query", "SELECT * FROM marts.nope", "--warehouse", str(warehouse)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope" in err[0]


def test_query_is_read_only(warehouse, capsys):
    assert main(["query", "DELETE FROM marts.indicators", "--warehouse", str(warehouse)]) == 1
    assert "read-only" in capsys.readouterr().err


def test_periods():
    assert parse_period("2023-H1") == (parse_period("2023-Q1")[0], parse_period("2023-Q2")[1])
    assert str(parse_period("2023-H2")[1]) == "2023-12-31" and str(parse_period("2024-Q1")[1]) == "2024-03-31"
    with pytest.raises(ValueError):
        parse_period("2023-H3")


def test_report_numbers_equal_the_indicators(warehouse):
    report = build_report(warehouse, "2023-H1", "610528")
    figures = report.figures()
    assert {name for name, _, _ in REFERENCE_FIGURES} <= set(figures)  # every summary figure is reported
    assert figures["realestate_fee_waived_wan"].value == Decimal("63.55")
    assert [s.title for s in report.sections][-1] == "亮点"
    with duckdb.connect(str(warehouse), read_only=True) as c:
        for f in figures.values():
            expected = c.execute(
                "SELECT value FROM marts.indicators WHERE indicator = ? AND period_end = ?",
                [f.indicator, f.period_end],
            ).fetchone()[0]
            assert f.value == expected
            assert c.execute(f.sql).fetchone()[0] == expected  # the printed query gives the figure
    assert figures["court_clearance_ratio"].value == Decimal("0.8773")
    assert all(s.coverage["quarantined"] > 0 for s in report.sections)
    assert any("quarantine" in w for s in report.sections for w in s.warnings)


def test_report_renders_in_chromium_with_charts(warehouse, tmp_path):
    html_path, md_path = write_report(warehouse, "2023-H1", "610528", tmp_path)
    assert "court_clearance_ratio" in md_path.read_text("utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with browser_page(1200, 900) as page:
        page.goto(html_path.as_uri())
        charts = page.locator("figure.chart svg")
        n = len(build_report(warehouse, "2023-H1", "610528").sections)
        assert charts.count() == n
        for i in range(n):
            box = charts.nth(i).bounding_box()
            assert box["width"] > 300 and box["height"] > 150
            shot = ARTIFACTS / f"report_chart_{i + 1}.png"
            charts.nth(i).screenshot(path=str(shot))
            assert shot.stat().st_size > 5_000  # drawn, not blank
        assert page.locator("tr[data-indicator='court_received'] td.num").inner_text() == "5,648"
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
