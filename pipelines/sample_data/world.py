"""What every simulator shares."""

from __future__ import annotations

import random
from dataclasses import dataclass

from pipelines.sample_data.county import County
from pipelines.sample_data.firms import Firms


@dataclass(frozen=True)
class World:
    rng: random.Random  # the one random stream: the order of its draws fixes every byte
    county: County
    firms: Firms  # unique across the whole sample, whichever export names them
