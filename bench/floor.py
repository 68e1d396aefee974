"""The floor: what plain DuckDB needs for the same work, with no checks at all.

Loads the CSV as is (`CREATE TABLE … AS SELECT * FROM read_csv(…)`, types
auto-detected), puts a view `staging.court_cases` over it with the columns the
mart reads (case type mapped as the declaration maps it, dates as DATE, 是否涉企
as BOOLEAN, the county code constant), and builds the project's own mart SQL
(sql/marts/court_cases_monthly.sql) with `CREATE TABLE … AS`.

    python bench/floor.py CSV DATABASE [MART_SQL]
"""

import sys
from pathlib import Path

import duckdb

MART = Path(__file__).resolve().parent.parent / "sql" / "marts" / "court_cases_monthly.sql"

STAGING = """
CREATE VIEW staging.court_cases AS SELECT
    '610528' AS county_code,
    "案号" AS case_no,
    CASE "案件类型" WHEN '刑事' THEN 'criminal' WHEN '行政' THEN 'administrative'
        WHEN '执行' THEN 'enforcement' WHEN '民事' THEN 'civil' WHEN '商事' THEN 'civil'
        WHEN '民商事' THEN 'civil' ELSE 'other' END AS case_type,
    "立案日期"::DATE AS filed_on,
    "结案日期"::DATE AS closed_on,
    "是否涉企" = '是' AS enterprise_related
FROM court_cases_raw
"""


def main(csv: str, database: str, mart: str = str(MART)) -> None:
    statements = duckdb.extract_statements(Path(mart).read_text("utf-8"))
    select = next(s.query for s in statements if s.type == duckdb.StatementType.SELECT)
    with duckdb.connect(database) as c:
        c.execute(f"CREATE TABLE court_cases_raw AS SELECT * FROM read_csv('{csv}')")
        c.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
        c.execute(STAGING)
        c.execute(f"CREATE TABLE marts.court_cases_monthly AS {select}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
