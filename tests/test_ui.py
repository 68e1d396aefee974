"""The Dagster UI, in a real browser: the asset graph shows the declared assets."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, browser_page, require_chromium

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def webserver(tmp_path):
    require_chromium()
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "YINGSHANG_WAREHOUSE": str(tmp_path / "w.duckdb"),
           "YINGSHANG_LANDING": str(tmp_path / "landing")}
    (tmp_path / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    proc = subprocess.Popen(
        [sys.executable, "-m", "dagster_webserver", "-m", "pipelines.definitions",
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/server_info", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"dagster-webserver exited: {proc.stderr.read()[-2000:]}")
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("dagster-webserver did not start in 90 s")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_asset_graph_shows_the_assets(webserver):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found = {}
    with browser_page() as page:
        for group, names in {
            "staging": ["court_cases", "tax_relief", "permit_reform", "inspections"],
            "marts": ["indicators", "court_cases_monthly", "published_warehouse"],
        }.items():
            page.goto(f"{webserver}/locations/pipelines.definitions/asset-groups/{group}", wait_until="networkidle")
            skip = page.get_by_role("button", name="Skip")  # the first-visit newsletter dialog
            if skip.count():
                skip.first.click()
            page.get_by_text(names[0], exact=True).first.wait_for(timeout=60_000)
            shot = ARTIFACTS / f"ui_asset_graph_{group}.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            text = page.inner_text("body")
            found[group] = [n for n in names if n in text]
    assert found == {
        "staging": ["court_cases", "tax_relief", "permit_reform", "inspections"],
        "marts": ["indicators", "court_cases_monthly", "published_warehouse"],
    }
