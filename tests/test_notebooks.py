"""Each notebook's test cells as one pytest test, so that pytest counts and reports per notebook.

Every notebook runs with `nbdev-test` in a fresh Python process, as it would on its own: nothing a notebook changes
globally (torch's default dtype, a seed, deterministic mode) leaks into the next one. nbdev-test reports every cell's
wall time (`--cell-timing-min 0`); each test keeps them as a user property, and `conftest.py` prints the slowest."""
import re, subprocess, sys
from pathlib import Path

import pytest
from nbdev.config import get_config

NOTEBOOKS = sorted(get_config().nbs_path.glob('*.ipynb'))
NBDEV_TEST = Path(sys.executable).parent / 'nbdev-test'
CELL_TIME = re.compile(r'^(?P<nb>[^\s:]+\.ipynb):(?P<id>[^\s:]+): (?P<secs>[\d.]+)s$', re.M)

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook(nb: Path, request, record_property):
    flags = request.config.getoption('--flags')
    run = subprocess.run([NBDEV_TEST, str(nb), '--flags', flags, '--cell-timing-min', '0'], capture_output=True, text=True)
    record_property('cell_times', [(m['nb'], m['id'], float(m['secs'])) for m in CELL_TIME.finditer(run.stdout)])
    assert run.returncode == 0, f"{nb.name} failed:\n{run.stdout[-2000:]}{run.stderr[-8000:]}"
