"""The project as a Dagster code server or a Docker image installs it: a wheel (not
an editable checkout) in a fresh virtual environment, run from an empty folder.
The SQL models must travel with the code; a missing model is an error, never a
warehouse without marts."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from assets import models

REPO = Path(__file__).resolve().parent.parent
MODELS = sorted(p.stem for p in (REPO / "sql" / "marts").glob("*.sql"))


def _clean_env(**extra) -> dict[str, str]:
    """The caller's environment without anything that would let the installed
    package see this checkout or this test's settings."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("YINGSHANG_", "DAGSTER_", "PYTHON", "VIRTUAL_ENV"))
    }
    return {**env, **extra}


@pytest.mark.wheel
def test_wheel_installed_in_a_fresh_venv_runs_the_demo_from_an_empty_folder(tmp_path):
    dist, venv, empty = tmp_path / "dist", tmp_path / "venv", tmp_path / "empty"
    empty.mkdir()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(dist)],
        check=True, env=_clean_env(), cwd=tmp_path,
    )
    (wheel,) = dist.glob("yingshang-*.whl")
    shipped = zipfile.ZipFile(wheel).namelist()
    assert sorted(Path(n).stem for n in shipped if n.startswith("sql/marts/") and n.endswith(".sql")) == MODELS
    assert any(n.startswith("sql/examples/") and n.endswith(".sql") for n in shipped)

    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # Dependencies from the package index, as a deployment gets them; pip's cache
    # keeps this to about a minute once warm.
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(wheel)],
        check=True, env=_clean_env(), cwd=tmp_path,
    )
    shown = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import assets, sql; print(assets.__file__, sql.__file__)"],
        capture_output=True, text=True, check=True, env=_clean_env(), cwd=empty,
    ).stdout
    assert str(REPO) not in shown and str(venv) in shown

    demo = subprocess.run(
        [str(venv / "bin" / "yingshang"), "demo"],
        capture_output=True, text=True, env=_clean_env(), cwd=empty, timeout=600,
    )
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-4000:]
    published = empty / "warehouse" / "demo" / "yingshang.duckdb"
    with duckdb.connect(str(published), read_only=True) as c:
        marts = c.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1"
        ).fetchall()
        # Every model, and the revision history appended at publish (assets/releases.py).
        assert [m[0] for m in marts] == sorted([*MODELS, "indicator_history"])
        assert c.execute("SELECT count(*) FROM marts.indicators").fetchone()[0] > 0


@pytest.fixture
def sql_dir(tmp_path, monkeypatch):
    """A models folder of the test's own, in place of the shipped one."""
    folder = tmp_path / "marts"
    folder.mkdir()
    monkeypatch.setattr(models, "MARTS_DIR", folder)
    models.load_models.cache_clear()
    yield folder
    models.load_models.cache_clear()


def test_no_models_is_an_error_not_an_empty_warehouse(sql_dir):
    with pytest.raises(FileNotFoundError, match=r"no SQL models in .*marts"):
        models.load_models()


def test_a_model_reading_a_mart_without_a_model_is_an_error(sql_dir):
    for name in ("indicators.sql", "indicators.py"):
        shutil.copy(REPO / "sql" / "marts" / name, sql_dir)
    with pytest.raises(FileNotFoundError, match=r"model indicators reads marts\.\w+, but there is no"):
        models.load_models()
