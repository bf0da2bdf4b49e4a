"Command-line options for the notebook tests, and a closing table of the slowest cells."
import json

from nbdev.config import get_config

N_SLOWEST = 10          # cells listed after the run
CELL_TIMEOUT = 600      # nbdev's per-cell limit, for the share column

def pytest_addoption(parser):
    parser.addoption('--flags', default='', help="space-separated nbdev test flags to run, e.g. 'slow'")

def cell_label(nb_name: str, cell_id: str) -> str:
    "'notebook cell N: first line of its code' for the cell with `cell_id`."
    cells = json.loads((get_config().nbs_path / nb_name).read_text())['cells']
    i, cell = next(((i, c) for i, c in enumerate(cells) if c.get('id') == cell_id), (None, None))
    if cell is None: return f"{nb_name} cell {cell_id}"
    first = next((l for l in ''.join(cell['source']).splitlines() if l.strip() and not l.startswith('#|')), '')
    return f"{nb_name[:-6]} cell {i}: {first.strip()[:60]}"

def pytest_terminal_summary(terminalreporter):
    reports = [r for key in ('passed', 'failed') for r in terminalreporter.stats.get(key, []) if r.when == 'call']
    times = [t for r in reports for name, value in r.user_properties if name == 'cell_times' for t in value]
    if not times: return
    terminalreporter.section(f"{N_SLOWEST} slowest cells (wall time; nbdev's limit is {CELL_TIMEOUT} s a cell)")
    for nb, cell_id, secs in sorted(times, key=lambda t: -t[2])[:N_SLOWEST]:
        terminalreporter.write_line(f"{secs:7.1f} s  {100 * secs / CELL_TIMEOUT:3.0f}%  {cell_label(nb, cell_id)}")
