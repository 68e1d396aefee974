"""python -m pipelines.sample_data LANDING_DIR: write the sample exports there."""

import sys
from pathlib import Path

from pipelines.sample_data import write_sample_exports

if len(sys.argv) != 2:
    sys.exit("usage: python -m pipelines.sample_data LANDING_DIR")
for p in write_sample_exports(Path(sys.argv[1])):
    print(p)
