"""The export declarations: one module per export, each defining `EXPORT`.

Adding an export means adding a module here; the registry below finds it.
"""

import importlib
import pkgutil

from assets.declaration import Export


def _discover() -> dict[str, Export]:
    found: dict[str, Export] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        export = getattr(module, "EXPORT", None)
        if isinstance(export, Export):
            found[export.kind] = export
    return found


EXPORTS: dict[str, Export] = _discover()
