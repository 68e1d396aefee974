"""Deployment settings: where exports land, where the warehouse is, which county.

Each has an environment variable and a command-line flag on `yingshang`. The
landing folder and the warehouse default to paths under the working directory;
the county has no default (only `yingshang demo` uses its sample county): a row
stamped with a county nobody chose would be a figure invented.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_LANDING = "warehouse/landing"
DEFAULT_WAREHOUSE = "warehouse/yingshang.duckdb"
DEMO_COUNTY = "610528"  # the county of the bundled sample data; `yingshang demo` only

MISSING_COUNTY = (
    "no county configured: set YINGSHANG_COUNTY or pass --county with the 6-digit "
    "GB/T 2260 code of the county whose exports land here (rows without 行政区划代码 "
    "take it); nothing was ingested"
)


class SettingMissing(ValueError):
    """A run needs a setting that was not given; raised before anything is touched."""


@dataclass(frozen=True)
class Settings:
    landing: Path
    warehouse: Path  # the analysts' (published) file
    county_code: str | None  # for rows of exports without 行政区划代码; None: not configured
    archive_folder: Path | None = None  # the raw files (people's names): owner-only
    # The landing folder is county_code's subfolder of a province's landing folder
    # (`landing/610526/`): a row naming another county is a row error (assets/province.py).
    folder_county: bool = False

    def __post_init__(self) -> None:
        if self.county_code is not None and not re.fullmatch(r"\d{6}", self.county_code):
            raise ValueError(f"county code must be 6 digits (GB/T 2260), got {self.county_code!r}")

    def require_county(self) -> str:
        """The configured county, for a run that ingests; stops it when there is none."""
        if self.county_code is None:
            raise SettingMissing(MISSING_COUNTY)
        return self.county_code

    @property
    def rows_county(self) -> str | None:
        """The county every row's own 行政区划代码 must name, if any (EXPORTS.md 3a)."""
        return self.county_code if self.folder_county else None

    def require_landing(self) -> Path:
        """The landing folder, which must exist: a mistyped path is not an empty delivery."""
        if not self.landing.is_dir():
            what = "is not a folder" if self.landing.exists() else "does not exist"
            raise SettingMissing(
                f"landing folder {self.landing} {what} (check --landing or YINGSHANG_LANDING); "
                "nothing was ingested or published"
            )
        return self.landing

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
            county_code=county or os.environ.get("YINGSHANG_COUNTY") or None,
            archive_folder=Path(archive).absolute() if archive else None,
        )
