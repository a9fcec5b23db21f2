"""The connector is a module next to its tests, not an installed package: make it importable."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
