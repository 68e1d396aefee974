"""The sample exports ingest exactly as their simulator says a correct ingestion must."""

from pipelines import sample_data as sd
from tests.conftest import COUNTY


def test_ingest_log_matches_the_simulators_counts(wh):
    sd.write_sample_exports(wh.landing, county_code=COUNTY)
    wh.ingest()
    expected = sd.expected_ingest_counts(county_code=COUNTY)
    logged = {
        name: {"kind": kind, "status": status, "rows_read": read, "rows_loaded": loaded,
               "rows_quarantined": quarantined}
        for name, kind, status, read, loaded, quarantined in wh.rows(
            "SELECT file_name, kind, status, rows_read, rows_loaded, rows_quarantined "
            "FROM meta.ingest_log ORDER BY ingest_id"
        )
    }
    assert list(logged) == list(expected)  # every file, in ingestion order
    for name, want in expected.items():
        assert logged[name] == {
            "kind": want["kind"], "status": "loaded", "rows_read": want["rows_read"],
            "rows_loaded": want["rows_loaded"], "rows_quarantined": want["rows_quarantined"],
        }, name
    in_quarantine = dict(wh.rows("SELECT file_name, count(*) FROM quarantine.rows GROUP BY 1"))
    assert in_quarantine == {
        name: want["rows_quarantined"] for name, want in expected.items() if want["rows_quarantined"]
    }
