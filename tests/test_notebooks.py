"Each notebook's cells run as one test, as `nbdev-test` runs them, so that pytest counts and reports per notebook."
from pathlib import Path

import pytest
from nbdev.config import get_config
from nbdev.test import test_nb

cfg = get_config()
NOTEBOOKS = sorted(cfg.nbs_path.glob('*.ipynb'))

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook(nb: Path, request):
    skip_flags = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    ok, seconds = test_nb(nb, skip_flags=skip_flags, force_flags=request.config.getoption('--flags').split())
    assert ok, f"{nb.name} failed; its error is printed above"
