"""Faults of the file against faults of the machine (issue 9, items 1, 3, 4, 12).

A fault of the file (its type, emptiness, corruption, encoding, header, malformed
text) rejects it or quarantines rows, with a reason naming the row or byte. A
fault of the machine or the program (memory, disk, a missing library, a bug)
propagates: nothing is recorded for the file and the next run takes it again.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import os
import stat
import subprocess
import uuid
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assets.ingest.files as files
import assets.ingest.reading as reading
from assets.ingest.files import ingest_folder, rebuild_from_archive
from tests.conftest import (
    COUNTY,
    COURT_HEADER,
    TAX_HEADER,
    Warehouse,
    court_row,
    tax_row,
    write_csv,
)


def _csv_text(rows) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _ledger(wh, name):
    return wh.rows(f"SELECT status, reason FROM meta.ingest_log WHERE file_name = '{name}'")


# ---------------------------------------------------------------- machine faults


def _raising(error: BaseException):
    def parse(*args, **kwargs):
        raise error
    return parse


@pytest.mark.parametrize("error", [
    MemoryError(),
    ImportError("No module named 'fastexcel'"),
    OSError(5, "Input/output error"),
    duckdb.IOException("IO Error: Could not write file: No space left on device"),
    KeyError("a bug in a parser"),
])
def test_a_machine_fault_records_nothing_and_the_next_run_takes_the_file(wh, monkeypatch, error):
    write_csv(wh.landing / "a.csv", [COURT_HEADER, court_row(1)])
    wh.ingest()  # ingested before the failure
    path = write_csv(wh.landing / "b.csv", [COURT_HEADER, court_row(2), court_row(3)])
    monkeypatch.setattr(files, "parse_rows", _raising(error))
    with pytest.raises(type(error)):
        wh.ingest()
    # Nothing recorded for the file, nothing staged, its archive copy kept.
    assert _ledger(wh, "b.csv") == []
    assert wh.one("SELECT count(*) FROM quarantine.rows") == 0
    sha = files.copy_and_hash(path, None)[1].sha256
    assert (wh.archive / sha[:2] / f"{sha}.csv").read_bytes() == path.read_bytes()

    monkeypatch.undo()
    results = wh.ingest()  # same name, same size and time, same content: taken again
    assert [(r.file_name, r.status, r.rows_loaded) for r in results] == [("b.csv", "loaded", 2)]
    assert wh.one("SELECT count(*) FROM staging.court_cases") == 3


_real_parse_rows = files.parse_rows


def _failing_on_second_batch(error: BaseException):
    real, calls = files.parse_rows, []

    def parse(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise error
        return real(*args, **kwargs)
    return parse


def _file_in_batches(wh, monkeypatch, name: str, first: int, n: int) -> Path:
    """A court file of `n` rows read one small batch at a time, so that rows of
    its first batch are written before the second fails; its first row is one to
    quarantine (a date that is none)."""
    monkeypatch.setattr(reading, "CSV_CHUNK_BYTES", 640)
    rows = [court_row(i) for i in range(first, first + n)]
    rows[0] = court_row(first, 立案日期="2023-02-30")
    return write_csv(wh.landing / name, [COURT_HEADER, *rows])


def test_rows_written_before_a_machine_fault_are_discarded_and_the_file_taken_again(wh, monkeypatch):
    write_csv(wh.landing / "a.csv", [COURT_HEADER, court_row(1)])
    wh.ingest()
    _file_in_batches(wh, monkeypatch, "b.csv", 100, 12)
    monkeypatch.setattr(files, "parse_rows", _failing_on_second_batch(MemoryError()))
    with pytest.raises(MemoryError):
        wh.ingest()
    # Its first batch is in staging and quarantine, unledgered: it must not count, nor twice.
    assert wh.one("SELECT count(*) FROM staging.court_cases") > 1
    assert wh.one("SELECT count(*) FROM quarantine.rows") == 1
    monkeypatch.setattr(files, "parse_rows", _real_parse_rows)
    [r] = wh.ingest()
    assert (r.file_name, r.status, r.rows_loaded, r.rows_quarantined) == ("b.csv", "loaded", 11, 1)
    assert wh.one("SELECT count(*) FROM staging.court_cases") == 12
    assert wh.rows("SELECT row_number, ingest_id FROM quarantine.rows") == [(2, r.ingest_id)]
    assert wh.one("SELECT count(DISTINCT _ingest_id) FROM staging.court_cases") == 2


def test_a_file_found_faulty_after_its_first_rows_were_written_leaves_none(wh, monkeypatch):
    _file_in_batches(wh, monkeypatch, "b.csv", 100, 12)
    with (wh.landing / "b.csv").open("ab") as f:
        f.write(b'"unclosed quote,\r\n')  # a fault of the file, found in its last batch
    [r] = wh.ingest()
    assert r.status == "rejected", r.summary()
    assert wh.one("SELECT count(*) FROM staging.court_cases") == 0
    assert wh.one("SELECT count(*) FROM quarantine.rows") == 0


def test_a_build_connection_never_sees_rows_of_an_unfinished_load(tmp_path, monkeypatch):
    from assets.resources import WarehouseResource

    resource = WarehouseResource(
        landing=str(tmp_path / "landing"), warehouse=str(tmp_path / "w.duckdb"), county_code=COUNTY
    )
    wh = Warehouse(tmp_path / "scratch")
    wh.landing = resource.settings.landing
    wh.landing.mkdir(parents=True)
    _file_in_batches(wh, monkeypatch, "b.csv", 100, 12)
    monkeypatch.setattr(files, "parse_rows", _failing_on_second_batch(OSError(5, "Input/output error")))
    with resource.connect() as conn, pytest.raises(OSError):
        ingest_folder(conn, wh.landing, resource.settings.archive, COUNTY)
    with duckdb.connect(str(resource.settings.build), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM staging.court_cases").fetchone()[0] > 0  # left behind
    with resource.connect() as conn:  # what a build step opens next
        assert conn.execute("SELECT count(*) FROM staging.court_cases").fetchone()[0] == 0
    wh.conn.close()


def test_a_missing_excel_library_does_not_reject_the_file(wh, monkeypatch):
    import builtins

    from tests.conftest import write_xlsx

    write_xlsx(wh.landing / "a.xlsx", [COURT_HEADER, court_row(1)])
    real_import = builtins.__import__

    def no_fastexcel(name, *args, **kwargs):
        if name == "fastexcel":
            raise ImportError("No module named 'fastexcel'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_fastexcel)
    with pytest.raises(ImportError):
        wh.ingest()
    assert _ledger(wh, "a.xlsx") == []
    monkeypatch.undo()
    [r] = wh.ingest()
    assert (r.status, r.rows_loaded) == ("loaded", 1)


def test_a_failed_file_is_replayed_once_by_a_rebuild(wh, monkeypatch):
    write_csv(wh.landing / "a.csv", [COURT_HEADER, court_row(1)])
    monkeypatch.setattr(files, "parse_rows", _raising(MemoryError()))
    with pytest.raises(MemoryError):
        wh.ingest()
    monkeypatch.undo()
    wh.ingest()
    fresh = duckdb.connect(str(wh.root / "rebuilt.duckdb"))
    replayed = rebuild_from_archive(fresh, wh.archive, COUNTY)
    assert [(r.file_name, r.status) for r in replayed] == [("a.csv", "loaded")]


# ---------------------------------------------------------------- disk full


@contextlib.contextmanager
def _small_disk(path: Path, size: str = "30m"):
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """Fill the disk but `leave` bytes; delete the returned file to make room again."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    filler = disk / "filler"
    with filler.open("wb") as f:
        f.truncate(0)
        f.write(b"\0" * max(0, free - leave))
    return filler


def _big_court_file(path: Path, rows: int) -> Path:
    return write_csv(path, [COURT_HEADER] + [court_row(i) for i in range(1, rows + 1)])


def test_disk_full_while_staging_fails_with_the_cause_and_room_again_loads(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    big = _big_court_file(landing / "big.csv", 60_000)  # ~6.5 MB
    with _small_disk(tmp_path / "disk") as disk:
        archive, db = disk / "archive", disk / "w.duckdb"
        conn = duckdb.connect(str(db))
        conn.execute("CHECKPOINT")
        ingest_folder(conn, landing / "none", archive, COUNTY)  # the tables, before the disk fills
        conn.execute("CHECKPOINT")
        filler = _fill(disk, big.stat().st_size + 256 * 1024)  # the archive copy fits, staging not
        with pytest.raises(duckdb.Error) as failed:
            ingest_folder(conn, landing, archive, COUNTY)
        # The real cause, not a failed rollback after it.
        assert "No space left on device" in str(failed.value)
        assert "cannot rollback" not in str(failed.value)
        with contextlib.suppress(duckdb.Error):
            conn.close()
        filler.unlink()
        conn = duckdb.connect(str(db))
        assert conn.execute("SELECT count(*) FROM meta.ingest_log").fetchone()[0] == 0
        [r] = ingest_folder(conn, landing, archive, COUNTY)
        assert (r.file_name, r.status, r.rows_read, r.rows_loaded) == ("big.csv", "loaded", 60_000, 60_000)
        assert (archive / r.sha256[:2] / f"{r.sha256}.csv").read_bytes() == big.read_bytes()
        conn.close()


def test_disk_full_while_archiving_leaves_no_partial_copy(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    big = _big_court_file(landing / "big.csv", 20_000)  # ~2 MB
    with _small_disk(tmp_path / "disk") as disk:
        conn = duckdb.connect(str(tmp_path / "w.duckdb"))
        filler = _fill(disk, big.stat().st_size // 2)
        with pytest.raises(OSError, match="No space left on device"):
            ingest_folder(conn, landing, disk / "archive", COUNTY)
        assert [p.name for p in (disk / "archive").rglob("*")] == []  # no partial copy
        assert conn.execute("SELECT count(*) FROM meta.ingest_log").fetchone()[0] == 0
        filler.unlink()
        [r] = ingest_folder(conn, landing, disk / "archive", COUNTY)
        assert (r.status, r.rows_loaded) == ("loaded", 20_000)


def test_disk_full_while_writing_the_manifest_leaves_no_half_line(wh, monkeypatch):
    import errno

    write_csv(wh.landing / "a.csv", [COURT_HEADER, court_row(1)])
    wh.ingest()
    manifest = wh.archive / "manifest.jsonl"
    before = manifest.read_bytes()
    write_csv(wh.landing / "b.csv", [COURT_HEADER, court_row(2)])
    real_write, calls = os.write, []

    def half_then_full(fd, data):
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(OSError, match="No space left"):
        wh.ingest()
    monkeypatch.undo()
    assert len(calls) == 2 and manifest.read_bytes() == before
    assert _ledger(wh, "b.csv") == []
    [r] = wh.ingest()
    assert r.status == "loaded"
    assert [e["file_name"] for e in files.read_manifest(wh.archive)] == ["a.csv", "b.csv"]


def test_run_on_a_full_disk_says_so_in_one_line(tmp_path):
    from assets.settings import Settings
    from pipelines import runner

    landing = tmp_path / "landing"
    landing.mkdir()
    write_csv(landing / "small.csv", [COURT_HEADER, court_row(1)])
    # Room, once the filler is gone, for the build, the published file, the archive
    # and the publish's copy of the 60,000 rows (its WAL alone ~10 MB): 30 MB was
    # ~0.5 MB short once the warehouse held releases and their history (a few blocks each).
    with _small_disk(tmp_path / "disk", "34m") as disk:
        settings = Settings.from_env(str(landing), str(disk / "yingshang.duckdb"), COUNTY)
        runner.run(settings)  # a published warehouse to keep
        published = settings.warehouse.read_bytes()
        big = _big_court_file(landing / "big.csv", 60_000)
        filler = _fill(disk, big.stat().st_size + 256 * 1024)
        with pytest.raises(runner.RunFailed) as failed:
            runner.run(settings)
        line = str(failed.value)
        assert "\n" not in line and line.startswith("run failed in ingest_landing: "), line
        assert "No space left on device" in line, line
        assert "rollback" not in line and "invalidated" not in line, line
        assert settings.warehouse.read_bytes() == published
        filler.unlink()
        outcome = runner.run(settings)
        assert [(f["file_name"], f["status"], f["rows_loaded"]) for f in outcome.files] == [
            ("big.csv", "loaded", 60_000)
        ]


# ---------------------------------------------------------------- malformed text


def test_a_stray_opening_quote_rejects_the_file_naming_the_row(wh, caplog):
    lines = _csv_text([COURT_HEADER] + [court_row(i, **{"标的金额（元）": ""}) for i in range(1, 6)]).split("\r\n")
    lines[3] = '"' + lines[3]  # row 4: the quote is never closed
    path = wh.landing / "q.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8")
    with caplog.at_level(logging.DEBUG):
        [r] = wh.ingest()
    assert r.status == "rejected"
    offset = len("\r\n".join(lines[:3]).encode()) + 2
    assert r.reason == (
        f"malformed CSV at row 4 (line 4, byte {offset}): a quoted cell starting there is never "
        "closed, so the rest of the file cannot be read"
    )
    assert path.read_bytes()[offset:offset + 1] == b'"'
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]


def test_a_quote_closing_mid_cell_rejects_the_file_naming_the_row(wh):
    lines = _csv_text([COURT_HEADER] + [court_row(i) for i in range(1, 6)]).split("\r\n")
    lines[2] = '"' + lines[2]  # row 3: pairs with the quote of its 标的金额 "10,000"
    (wh.landing / "q.csv").write_text("\r\n".join(lines), encoding="gb18030")
    [r] = wh.ingest()
    assert r.status == "rejected"
    assert r.reason.startswith("malformed CSV at row 3 (line 3): a quote ends a cell in the middle")


def test_a_quote_inside_an_unquoted_cell_is_read_as_a_spreadsheet_reads_it(wh):
    # polars refuses a lone quote inside an unquoted cell; a spreadsheet reads it as text.
    text = _csv_text([COURT_HEADER, court_row(1), court_row(2)]).replace("民一庭", '民一"庭', 1)
    (wh.landing / "q.csv").write_text(text, encoding="utf-8")
    [r] = wh.ingest()
    assert (r.status, r.rows_read, r.rows_loaded) == ("loaded", 2, 2)
    assert wh.rows("SELECT division FROM staging.court_cases ORDER BY case_no") == [('民一"庭',), ("民一庭",)]


def test_ragged_rows_are_row_faults_and_shifted_names_are_not_kept(wh):
    text = _csv_text([
        COURT_HEADER,
        court_row(1),
        court_row(2, 当事人="欧阳娜娜,司马相如"),  # unquoted comma: 10 cells, the name shifts right
        court_row(3)[:5],  # short: 是否涉企 (required) left out
        court_row(4, 结案日期="", 结案方式="", **{"标的金额（元）": ""})[:6],  # short, nothing required missing
    ]).replace('"欧阳娜娜,司马相如"', "欧阳娜娜,司马相如")
    (wh.landing / "r.csv").write_text(text, encoding="utf-8")
    [r] = wh.ingest()
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 4, 2, 2)
    reasons = wh.reasons("r.csv")
    assert list(reasons) == [3, 4]
    assert reasons[3] == ["the row has more cells than the header's 9 columns (an unquoted delimiter inside a cell?)"]
    assert "司马相如" not in str(wh.rows("SELECT raw FROM quarantine.rows"))


def test_a_gb18030_file_cut_mid_character_is_rejected_with_the_real_offset(wh):
    data = _csv_text([COURT_HEADER] + [court_row(i) for i in range(1, 2000)]).encode("gb18030")
    cut = len(data) - 5
    while data[cut - 1] < 0x80:  # end on the first byte of a two-byte character
        cut -= 1
    (wh.landing / "cut.csv").write_bytes(data[:cut])
    [r] = wh.ingest()
    line = data[:cut].count(b"\n") + 1
    assert r.status == "rejected"
    assert r.reason == (
        f"the file is cut short: it ends in the middle of a character at byte offset {cut - 1} "
        f"(row {line}, line {line})"
    )


def test_a_utf8_file_cut_mid_character_is_rejected_not_read_as_gb18030(wh):
    data = _csv_text([COURT_HEADER, court_row(1), court_row(2)]).encode("utf-8") + "民".encode()[:2]
    (wh.landing / "cut.csv").write_bytes(data)
    [r] = wh.ingest()
    assert r.status == "rejected"
    assert r.reason == f"the file is cut short: it ends in the middle of a character at byte offset {len(data) - 2} (row 4, line 4)"


def test_a_bad_byte_in_gb18030_names_its_offset_and_row(wh):
    data = _csv_text([COURT_HEADER] + [court_row(i) for i in range(1, 400)]).encode("gb18030")
    at = data.index(b"\r\n", 30_000) + 2  # start of a row
    row = data[:at].count(b"\n") + 1
    (wh.landing / "bad.csv").write_bytes(data[:at] + b"\xff" + data[at:])
    [r] = wh.ingest()
    assert r.reason == (
        f"neither UTF-8 nor GB18030 text with an invalid byte 0xff at byte offset {at} (row {row}, line {row})"
    )


# The property: whatever bytes land, the file loads (rows read = loaded +
# quarantined, none lost), or is rejected with a reason; ingestion never crashes.

MUTATIONS = ["none", "quote", "delimiter", "ragged", "truncate", "byte", "insert", "noise"]


@st.composite
def landed(draw):
    n = draw(st.integers(1, 6))
    rows = [COURT_HEADER] + [court_row(i, 当事人="欧阳娜娜、司马相如") for i in range(1, n + 1)]
    if draw(st.booleans()):
        rows = [["富平县人民法院审判执行案件统计"]] + rows
    text = _csv_text(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    mutation = draw(st.sampled_from(MUTATIONS))
    if mutation == "quote":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + '"' + text[at:]
    elif mutation == "delimiter":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "," + text[at:]
    elif mutation == "ragged":
        lines = text.split("\r\n")
        i = draw(st.integers(len(lines) - n - 1, len(lines) - 2))
        lines[i] += ",多余"
        text = "\r\n".join(lines)
    data = text.encode(encoding)
    if mutation == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif mutation == "byte":
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
    elif mutation == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    elif mutation == "noise":
        data = draw(st.binary(max_size=300))
    return mutation, n, data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=landed())
def test_any_landed_bytes_load_quarantine_or_reject_never_crash(tmp_path, case):
    mutation, n, data = case
    wh = Warehouse(tmp_path / uuid.uuid4().hex)
    wh.conn.close()
    wh.conn = duckdb.connect()  # in memory: a file per example is slow
    try:
        (wh.landing / "x.csv").write_bytes(data)
        [r] = wh.ingest()  # never raises
        [(status, reason, read, loaded, quarantined)] = wh.rows(
            "SELECT status, reason, rows_read, rows_loaded, rows_quarantined FROM meta.ingest_log"
        )
        assert status in ("loaded", "rejected")
        if status == "rejected":
            assert reason and "Error" not in reason  # a reason, not an exception's text
        else:
            assert read == loaded + quarantined
            assert wh.one("SELECT count(*) FROM quarantine.rows") == quarantined
            assert wh.one("SELECT count(*) FROM staging.court_cases") <= loaded
        if mutation in ("none", "ragged"):
            assert (status, read) == ("loaded", n)
            assert wh.one("SELECT count(*) FROM staging.court_cases") + quarantined == n
        # The persons' names never get past the archive.
        text = str(wh.rows("SELECT * FROM meta.ingest_log")) + str(wh.rows("SELECT * FROM quarantine.rows"))
        if mutation in ("none", "ragged", "truncate"):
            assert "司马相如" not in text
    finally:
        wh.conn.close()


# ---------------------------------------------------------------- names in reasons (item 3)


def test_a_headerless_file_does_not_leak_names_anywhere(tmp_path, caplog):
    import dagster as dg

    from assets.settings import Settings
    from pipelines import runner
    from pipelines.definitions import INGEST

    landing = tmp_path / "landing"
    landing.mkdir()
    name, case = "欧阳娜娜", "(2023)陕0528民初5号"
    write_csv(landing / "无表头.csv", [
        [name, case, "民事", "2023-01-05", "2023-03-01", "调解", "是", "10000", "民一庭"],
        ["司马相如", "(2023)陕0528民初6号", "民事", "2023-01-06", "", "", "否", "", "民二庭"],
    ], "gb18030")
    write_csv(landing / "税.csv", [TAX_HEADER, tax_row("V1")])
    settings = Settings.from_env(str(landing), str(tmp_path / "w.duckdb"), COUNTY)
    with caplog.at_level(logging.DEBUG):
        result = runner.materialize(settings, INGEST, verbose=True)
        outcome = runner.run(settings)
    metadata = str([
        e.materialization.metadata for e in result.get_asset_materialization_events()
    ])
    with duckdb.connect(str(settings.build), read_only=True) as c:
        [reason] = c.execute("SELECT reason FROM meta.ingest_log WHERE status = 'rejected'").fetchone()
        stored = str(c.execute("SELECT * FROM meta.ingest_log").fetchall())
        stored += str(c.execute("SELECT * FROM quarantine.rows").fetchall())
    assert reason == "header not recognised; row 1 has 9 cells, none a known header"
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert "无表头.csv" in logs and "none a known header" in metadata
    for text in (stored, logs, metadata, outcome.report()):
        assert name not in text and "司马相如" not in text and case not in text
    assert isinstance(result, dg.ExecuteInProcessResult)


# ---------------------------------------------------------------- conflicts in one file (item 4)


def test_same_key_valid_and_invalid_rows_are_all_quarantined(wh):
    rows = [
        TAX_HEADER,
        tax_row("K", "100"),
        tax_row("K", "-5"),  # invalid on its own, and it disagrees with row 2
        tax_row("S", "7"), tax_row("S", "7"),  # identical: one record, both loaded
        tax_row("T", "1"),
    ]
    write_csv(wh.landing / "k.csv", rows)
    [r] = wh.ingest()
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (5, 3, 2)
    assert r.rows_read == r.rows_loaded + r.rows_quarantined
    conflict = "duplicate key (county_code + voucher_id) with different values in rows 2, 3 of this file"
    reasons = wh.reasons("k.csv")
    assert reasons[2] == [conflict]
    assert len(reasons[3]) == 2 and "must be >= 0" in reasons[3][0] and reasons[3][1] == conflict
    assert wh.rows("SELECT voucher_id, _row_number FROM staging.tax_relief ORDER BY 1") == [("S", 4), ("T", 6)]


# ---------------------------------------------------------------- the archive is private (item 12)


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_archive_is_owner_only_whatever_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        wh = Warehouse(tmp_path)
        write_csv(wh.landing / "a.csv", [COURT_HEADER, court_row(1)])
        write_csv(wh.landing / "b.csv", [["x"]])
        wh.ingest()
        wh.conn.close()
    finally:
        os.umask(old)
    seen = [wh.archive, *wh.archive.rglob("*")]
    assert any(p.name == "manifest.jsonl" for p in seen) and any(p.suffix == ".csv" for p in seen)
    for p in seen:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))


def test_archive_copies_are_private_while_being_written(wh, monkeypatch):
    import assets.ingest.archive as archive

    write_csv(wh.landing / "a.csv", [COURT_HEADER, court_row(1)])
    modes = []
    real = archive.private_file

    @contextlib.contextmanager
    def watching(path, mode="wb"):
        with real(path, mode) as f:
            modes.append((path.name, stat.S_IMODE(os.stat(path).st_mode)))
            yield f

    monkeypatch.setattr(archive, "private_file", watching)
    old = os.umask(0)
    try:
        wh.ingest()
    finally:
        os.umask(old)
    assert modes and all(m == 0o600 for _, m in modes)
    assert any(n.endswith(".part") for n, _ in modes)


def test_an_archive_made_world_readable_before_is_made_private(wh):
    write_csv(wh.landing / "a.csv", [COURT_HEADER, court_row(1)])
    wh.archive.mkdir(mode=0o755)
    os.chmod(wh.archive, 0o755)
    wh.ingest()
    assert stat.S_IMODE(wh.archive.stat().st_mode) == 0o700


def test_archive_setting_flag_and_env(tmp_path, monkeypatch):
    from assets.settings import Settings
    from pipelines.cli import main

    monkeypatch.delenv("YINGSHANG_ARCHIVE", raising=False)
    assert Settings.from_env(warehouse=str(tmp_path / "w.duckdb")).archive == tmp_path / "archive"
    monkeypatch.setenv("YINGSHANG_ARCHIVE", str(tmp_path / "env-archive"))
    assert Settings.from_env(warehouse=str(tmp_path / "w.duckdb")).archive == tmp_path / "env-archive"

    landing = tmp_path / "landing"
    landing.mkdir()
    write_csv(landing / "a.csv", [COURT_HEADER, court_row(1)])
    private = tmp_path / "private" / "raw"
    assert main(["run", "--landing", str(landing), "--warehouse", str(tmp_path / "pub" / "w.duckdb"),
                 "--county", COUNTY, "--archive", str(private)]) == 0
    assert (private / "manifest.jsonl").exists()
    assert not (tmp_path / "pub" / "archive").exists() and not (tmp_path / "env-archive").exists()
    # rebuild reads the same archive
    assert main(["rebuild", "--warehouse", str(tmp_path / "pub" / "w.duckdb"), "--county", COUNTY,
                 "--archive", str(private)]) == 0
    with duckdb.connect(str(tmp_path / "pub" / "w.duckdb"), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM staging.court_cases").fetchone()[0] == 1
