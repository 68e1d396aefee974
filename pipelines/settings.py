"""Deployment settings: where exports land, where the warehouse is, which county.

Each has a default that works with no configuration, an environment variable, and
a command-line flag on `yingshang`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_LANDING = "warehouse/landing"
DEFAULT_WAREHOUSE = "warehouse/yingshang.duckdb"
DEFAULT_COUNTY = "610528"


@dataclass(frozen=True)
class Settings:
    landing: Path
    warehouse: Path  # the analysts' (published) file
    county_code: str  # used for rows of exports without 行政区划代码
    archive_folder: Path | None = None  # the raw files (people's names): owner-only

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{6}", self.county_code):
            raise ValueError(f"county code must be 6 digits (GB/T 2260), got {self.county_code!r}")

    @property
    def home(self) -> Path:
        """The folder beside the published file holding the pipeline's own state."""
        return self.warehouse.parent

    @property
    def archive(self) -> Path:
        return self.archive_folder or self.home / "archive"

    @property
    def build(self) -> Path:
        """The private DuckDB file the pipeline writes; analysts never open it."""
        return self.home / ".build" / self.warehouse.name

    @classmethod
    def from_env(
        cls, landing: str | None = None, warehouse: str | None = None, county: str | None = None,
        archive: str | None = None,
    ) -> Settings:
        archive = archive or os.environ.get("YINGSHANG_ARCHIVE")
        return cls(
            landing=Path(landing or os.environ.get("YINGSHANG_LANDING") or DEFAULT_LANDING).absolute(),
            warehouse=Path(
                warehouse or os.environ.get("YINGSHANG_WAREHOUSE") or DEFAULT_WAREHOUSE
            ).absolute(),
            county_code=county or os.environ.get("YINGSHANG_COUNTY") or DEFAULT_COUNTY,
            archive_folder=Path(archive).absolute() if archive else None,
        )
