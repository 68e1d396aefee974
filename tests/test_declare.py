"""`yingshang declare`: a draft declaration from sample files of an unknown export.

For every declared export, its declaration is hidden (the draft may reuse names
from the OTHER declarations only), a draft is made from the sample files, compared
with the real declaration, saved as is, and made to ingest the samples.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
import shutil
import sys

import duckdb
import pytest

import assets.exports
from assets import models
from assets.declaration import Export
from assets.exports import EXPORTS
from assets.ingest.files import ingest_folder
from assets.ingest.recognise import header_key
from assets.ingest.values import CREDIT_ALPHABET, CREDIT_WEIGHTS
from pipelines import declare
from pipelines.cli import main
from pipelines.sample_data import expected_ingest_counts, write_sample_exports

COUNTY = "610528"
KINDS = sorted(EXPORTS)


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """Every kind's sample files, by kind."""
    folder = tmp_path_factory.mktemp("samples")
    paths = write_sample_exports(folder, COUNTY)
    counts = expected_ingest_counts(COUNTY)
    by_kind: dict[str, list] = {}
    for p in paths:
        by_kind.setdefault(counts[p.name]["kind"], []).append(p)
    return by_kind, counts


def _others(kind: str) -> list[Export]:
    return [e for k, e in EXPORTS.items() if k != kind]


def _variants(f) -> set[str]:
    texts = {f.name, f.zh, *f.aliases}
    return {header_key(declare.split_unit(t)[0]) for t in texts}


def _unit_stated(f) -> bool:
    """Whether the source headers say the field's unit (money always does)."""
    return f.type == "money" or any(
        declare.split_unit(t)[1] == f.unit for t in (f.zh, *f.aliases)
    )


def _compare(d: declare.Draft, export: Export) -> tuple[list[str], list[str]]:
    """Per real field: agrees, or why not. Types, units (where the header states
    one), key membership and personal flags must all agree."""
    agree, disagree = [], []
    for f in export.fields:
        col = next((c for c in d.columns
                    if _variants(f) & {header_key(declare.split_unit(h)[0]) for h in (c.header, c.name, *c.aliases)}),
                   None)
        if col is None:
            disagree.append(f"{f.name}: not drafted")
            continue
        unit_ok = col.unit == f.unit or (col.unit is None and not _unit_stated(f))
        problems = [
            what for what, ok in (
                (f"type {col.type} != {f.type}", col.type == f.type),
                (f"unit {col.unit} != {f.unit}", unit_ok),
                (f"key {col.key} != {f.key}", col.key == f.key),
                (f"personal {col.personal} != {f.personal}", col.personal == f.personal),
            ) if not ok
        ]
        (disagree if problems else agree).append(f"{f.name}: " + ", ".join(problems))
    return agree, disagree


@pytest.mark.parametrize("kind", KINDS)
def test_draft_agrees_with_the_hidden_declaration(kind, samples):
    by_kind, _ = samples
    assert by_kind.get(kind), f"no sample files of {kind}: sample_data must write them"
    d = declare.draft(by_kind[kind], f"draft_{kind}", _others(kind))
    agree, disagree = _compare(d, EXPORTS[kind])
    share = len(agree) / len(EXPORTS[kind].fields)
    assert share >= 0.9, f"{kind}: {len(agree)}/{len(EXPORTS[kind].fields)} fields agree; {disagree}"
    for f in EXPORTS[kind].fields:
        if f.personal:
            col = next(c for c in d.columns if header_key(f.zh) in {header_key(c.header), *map(header_key, c.aliases)})
            assert col.personal, f"{kind}: personal column {f.zh} not flagged"


def test_known_terms_come_from_other_declarations_only(samples):
    """With its own declaration hidden, inspections' 统一社会信用代码 gets a name
    another export declared for that header, and its unknown headers get pinyin."""
    by_kind, _ = samples
    d = declare.draft(by_kind["inspections"], "draft_inspections", _others("inspections"))
    names = {c.header: c.name for c in d.columns}
    # investment_projects declares it as a field's own header, which wins over
    # tax_relief's alias (taxpayer_id)
    assert names["统一社会信用代码"] == "sponsor_id"
    assert names["抽取日期"] == "chou_qu_ri_qi"  # declared only by the hidden inspections
    assert "entity_id" not in names.values()


@pytest.fixture
def registry(monkeypatch):
    """The export registry as `yingshang run` would see it with a drafted module
    saved among the declarations: `assets/exports` gets `folder` as a second
    location, and the registry's own discovery runs again. `hide` removes the kind
    the draft replaces. Everything is put back afterwards."""
    imported: set[str] = set()

    def use(folder, hide: str) -> dict[str, Export]:
        monkeypatch.setattr(assets.exports, "__path__", [*assets.exports.__path__, str(folder)])
        before = set(sys.modules)
        found = assets.exports._discover()
        imported.update(set(sys.modules) - before)
        for k in list(EXPORTS):
            monkeypatch.delitem(EXPORTS, k)
        for k, e in found.items():
            if k != hide:
                monkeypatch.setitem(EXPORTS, k, e)
        return EXPORTS

    yield use
    for name in imported:
        sys.modules.pop(name, None)
        if hasattr(assets.exports, name.rsplit(".", 1)[1]):
            delattr(assets.exports, name.rsplit(".", 1)[1])


@pytest.mark.parametrize("kind", KINDS)
def test_saved_draft_ingests_the_samples_end_to_end(kind, samples, tmp_path, registry, monkeypatch):
    by_kind, counts = samples
    out = tmp_path / "drafts"
    d = declare.draft(by_kind[kind], f"draft_{kind}", _others(kind))
    written = declare.write(d, out)
    assert {p.name for p in written} == {
        f"draft_{kind}.py", f"{d.mart}.sql", f"{d.mart}.py", f"test_draft_{kind}.py"
    }

    exports = registry(out, hide=kind)
    # the drafted SQL and its mart declaration load as a pair (they produce and
    # declare the same columns)
    marts = tmp_path / "marts"
    marts.mkdir()
    for name in (f"{d.mart}.sql", f"{d.mart}.py"):
        shutil.copy(out / name, marts)
    monkeypatch.setattr(models, "MARTS_DIR", marts)
    models.load_models.cache_clear()
    try:
        assert [m.name for m in models.load_models()] == [d.mart]
    finally:
        models.load_models.cache_clear()
    assert f"draft_{kind}" in exports and kind not in exports
    landing = tmp_path / "landing"
    landing.mkdir()
    for p in by_kind[kind]:
        (landing / p.name).write_bytes(p.read_bytes())
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    results = ingest_folder(conn, landing, tmp_path / "archive", COUNTY)

    assert [r.status for r in results] == ["loaded"] * len(by_kind[kind]), [r.summary() for r in results]
    for r in results:
        assert r.kind == f"draft_{kind}"
        # the same data rows as the real declaration reads: none lost, none invented
        assert r.rows_read == counts[r.file_name]["rows_read"], r.summary()
        assert r.rows_read == r.rows_loaded + r.rows_quarantined
    assert sum(r.rows_quarantined for r in results) > 0  # the samples' broken rows
    table = f"draft_{kind}"
    comments = conn.execute(
        "SELECT count(*), count(comment) FROM duckdb_columns() WHERE schema_name = 'staging' AND table_name = ?",
        [table],
    ).fetchone()
    assert comments[0] > 0 and comments[0] == comments[1]
    assert conn.execute(
        "SELECT comment FROM duckdb_tables() WHERE schema_name = 'staging' AND table_name = ?", [table]
    ).fetchone()[0]
    # personal columns: only a count is stored, nothing of them in quarantine
    personal = [f for f in exports[table].fields if f.personal]
    cols = {r[0] for r in conn.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'staging' AND table_name = ?", [table]).fetchall()}
    for f in personal:
        assert f.name not in cols and f"{f.name}_count" in cols
        # the header as a JSON key ("申请人", not the 申请人类型 beside it)
        assert conn.execute(
            "SELECT count(*) FROM quarantine.rows WHERE raw::VARCHAR LIKE ?", [f'%"{f.zh}"%']).fetchone()[0] == 0


# --------------------------------------------------------------------------------------
# A system the samples do not have: an administrative penalty list (行政处罚).


def _credit(seed: int) -> str:
    body = f"91610528MA{seed:07d}"[:17]
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS, strict=True))
    return body + CREDIT_ALPHABET[(31 - total % 31) % 31]


PERSONS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴霞", "徐明", "孙丽"]


def _penalty_file(path, rows: int = 60, codes_of_all: bool = False) -> None:
    """GB18030 CSV with two title rows, a totals row and a footer. Persons fined
    have no credit code (an empty cell) unless `codes_of_all`."""
    kinds = ["警告", "罚款", "罚款", "罚款", "没收违法所得"]
    lines = [["富平县市场监督管理局2023年行政处罚决定公示"] + [""] * 9,
             ["导出时间：2023-07-01 10:00:00"] + [""] * 9,
             ["行政处罚决定书文号", "当事人", "统一社会信用代码", "违法行为", "处罚种类",
              "罚款金额（万元）", "决定日期", "是否公示", "核查", "执法人员"]]
    for i in range(rows):
        lines.append([
            f"富市监罚〔2023〕{i + 1:03d}号", f"{PERSONS[i % 12]}、{PERSONS[(i + 5) % 12]}",
            _credit(i + 1) if i % 3 or codes_of_all else "", f"违法行为第{i % 7}类", kinds[i % 5],
            f"{(i % 9) * 0.15:.2f}", f"2023年{1 + i % 6}月{1 + i % 27}日" if i % 2 else f"2023-{1 + i % 6:02d}-{1 + i % 27:02d}",
            "是" if i % 4 else "否", PERSONS[(i + 3) % 12], f"{PERSONS[(i + 7) % 12]}、{PERSONS[(i + 9) % 12]}",
        ])
    lines[3 + 44][6] = "2023-02-30"  # a date that does not exist
    lines.append(["合计", "", "", "", "", "34.65", "", "", "", ""])
    lines.append(["制表人：李某", "", "", "", "", "", "", "", "", ""])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(lines)
    path.write_bytes(buf.getvalue().encode("gb18030"))


def test_a_new_system_is_drafted_from_its_values(tmp_path, capsys):
    sample = tmp_path / "处罚.csv"
    _penalty_file(sample)
    out = tmp_path / "out"
    assert main(["declare", str(sample), "--kind", "admin_penalties", "--out", str(out)]) == 0
    text = capsys.readouterr().out

    d = declare.draft([sample], "admin_penalties2", EXPORTS.values())
    cols = {c.header: c for c in d.columns}
    assert cols["行政处罚决定书文号"].type == "code" and cols["行政处罚决定书文号"].key
    assert [c.header for c in d.columns if c.key] == ["行政处罚决定书文号"]
    assert (cols["罚款金额"].type, cols["罚款金额"].unit) == ("money", "元")
    assert cols["决定日期"].type == "date" and (cols["决定日期"].fit, cols["决定日期"].cells) == (59, 60)
    # the row as a spreadsheet numbers it: 3 header/title rows above the data
    assert "决定日期 -> jue_ding_ri_qi: date, 59/60 cells; row 48 '2023-02-30'" in text
    assert cols["是否公示"].type == "bool" and cols["是否公示"].required
    assert cols["统一社会信用代码"].type == "credit_code" and not cols["统一社会信用代码"].required
    assert cols["处罚种类"].type == "enum"
    assert cols["处罚种类"].vocabulary == {"罚款": 36, "警告": 12, "没收违法所得": 12}
    assert "罚款 ×36" in text
    # personal: by header (当事人, 执法人员) and by values shaped like names (核查)
    assert {c.header for c in d.columns if c.personal} == {"当事人", "执法人员", "核查"}
    assert d.month_candidates == ["jue_ding_ri_qi"]
    # the totals row and the footer are not data
    assert cols["行政处罚决定书文号"].cells == 60
    for name in PERSONS:
        assert name not in text, f"a personal value was printed: {name}"

    module = (out / "admin_penalties.py").read_text("utf-8")
    assert "personal=True" in module and all(n not in module for n in PERSONS)
    assert (out / "admin_penalties_monthly.sql").exists() and (out / "test_admin_penalties.py").exists()


def test_json_report_never_shows_personal_values(tmp_path, capsys):
    sample = tmp_path / "处罚.csv"
    _penalty_file(sample)
    assert main(["declare", str(sample), "--kind", "admin_penalties", "--out", str(tmp_path / "o"),
                 "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [set(r) for r in report] == [
        {"header", "name", "type", "unit", "required", "key", "personal", "vocabulary", "fit"}
    ] * len(report)
    parties = next(r for r in report if r["header"] == "当事人")
    assert parties["personal"] and parties["vocabulary"] is None and parties["fit"]["misfits"] == []
    assert not any(n in json.dumps(report, ensure_ascii=False) for n in PERSONS)


def _ingest_drafted(tmp_path, registry, kind: str, **file_options):
    sample = tmp_path / "landing" / "处罚.csv"
    sample.parent.mkdir()
    _penalty_file(sample, **file_options)
    d = declare.draft([sample], kind, EXPORTS.values())
    declare.write(d, tmp_path / "drafts")
    registry(tmp_path / "drafts", hide="")
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    [r] = ingest_folder(conn, sample.parent, tmp_path / "archive", COUNTY)
    return conn, r


def test_drafted_penalties_ingest(tmp_path, registry):
    conn, r = _ingest_drafted(tmp_path, registry, "draft_penalties", codes_of_all=True)
    assert (r.status, r.kind, r.rows_read, r.rows_loaded, r.rows_quarantined) == (
        "loaded", "draft_penalties", 60, 59, 1)
    assert r.notes is None  # the totals row (合计 34.65 万元) agrees with the data rows
    [reasons] = conn.execute("SELECT reasons FROM quarantine.rows").fetchone()
    assert reasons == ["jue_ding_ri_qi（决定日期）: '2023-02-30' is not a date"]
    assert conn.execute("SELECT sum(parties_count) FROM staging.draft_penalties").fetchone()[0] == 118  # 2 persons in each of the 59 loaded rows
    assert conn.execute("SELECT count(*) FROM meta.file_totals WHERE matches").fetchone()[0] == 1


def test_drafted_optional_credit_code_ingests(tmp_path, registry):
    _, r = _ingest_drafted(tmp_path, registry, "draft_penalties_optional_code")
    assert (r.rows_loaded, r.rows_quarantined) == (59, 1)


def test_existing_files_are_never_overwritten(tmp_path, capsys):
    sample = tmp_path / "处罚.csv"
    _penalty_file(sample)
    out = tmp_path / "out"
    out.mkdir()
    (out / "admin_penalties_monthly.sql").write_text("-- mine\n")
    assert main(["declare", str(sample), "--kind", "admin_penalties", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "exists already" in err and "admin_penalties_monthly.sql" in err
    assert sorted(p.name for p in out.iterdir()) == ["admin_penalties_monthly.sql"]
    assert (out / "admin_penalties_monthly.sql").read_text() == "-- mine\n"


def test_declared_kind_and_unreadable_files_are_refused(tmp_path, capsys):
    sample = tmp_path / "处罚.csv"
    _penalty_file(sample)
    assert main(["declare", str(sample), "--kind", "court_cases", "--out", str(tmp_path)]) == 2
    assert "declared already" in capsys.readouterr().err
    bad = tmp_path / "x.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0")
    assert main(["declare", str(bad), "--kind", "x", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("yingshang declare: x.xls: unsupported file type")


def test_declare_help(capsys):
    with pytest.raises(SystemExit) as e:
        main(["declare", "--help"])
    assert e.value.code == 0
    assert "--kind" in capsys.readouterr().out


def test_two_row_header_combines_like_recognition():
    head = [["某县统计表", None, None, None], ["编号", "名称", "金额", None], [None, None, "(万元)", None],
            ["A-001", "甲", "1.5", None]]
    # a merged group over sub-columns, the other cells merged down
    head2 = [["编号", "改革方式", None, "合计"], [None, "取消审批", "告知承诺", None], ["A-1", "1", "2", "3"]]
    assert declare.find_header(head, 4) == (1, 2, ["编号", "名称", "金额(万元)", ""])
    assert declare.find_header(head2, 4) == (0, 2, ["编号", "取消审批", "告知承诺", "合计"])


def test_name_shapes():
    assert declare.name_shaped("张伟") and declare.name_shaped("欧阳娜娜")
    assert not declare.name_shaped("执行局") and not declare.name_shaped("刑事审判庭")
    assert not declare.name_shaped("增值税") and not declare.name_shaped("John")
    assert declare.personal_header("申请人") and not declare.personal_header("申请人类型")


def test_registry_module_is_importable_as_saved(tmp_path, registry):
    """The drafted file is what the registry imports: no edits needed."""
    sample = tmp_path / "处罚.csv"
    _penalty_file(sample)
    d = declare.draft([sample], "draft_penalties_module", EXPORTS.values())
    declare.write(d, tmp_path / "drafts")
    registry(tmp_path / "drafts", hide="")
    module = importlib.import_module("assets.exports.draft_penalties_module")
    assert module.EXPORT is EXPORTS["draft_penalties_module"]
    assert module.__file__ == str(tmp_path / "drafts" / "draft_penalties_module.py")
    assert re.search(r"key=True", (tmp_path / "drafts" / "draft_penalties_module.py").read_text("utf-8"))


def test_registry_is_restored_after_a_draft_test():
    assert sorted(EXPORTS) == KINDS
    assert not any(n.startswith("assets.exports.draft_") for n in sys.modules)
