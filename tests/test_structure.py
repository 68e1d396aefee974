"""The house's one rule of direction: pipelines/ -> assets/ -> the library, never back."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_nothing_under_assets_or_sql_imports_pipelines():
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in _imported_modules(path) if m.split(".")[0] == "pipelines")
        for folder in ("assets", "sql")
        for path in (ROOT / folder).rglob("*.py")
    }
    assert {p: m for p, m in offenders.items() if m} == {}


def test_the_check_sees_an_import_of_pipelines(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from pipelines.runner import run\n    import pipelines.cli\n")
    assert {"pipelines.runner", "pipelines.cli"} <= _imported_modules(module)
