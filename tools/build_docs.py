"""Build README.md from `nbs/index.ipynb`, and the docs site into `_docs/`, with or without Quarto.

With Quarto on the PATH the site is `nbdev-docs`. Without it, this does what `nbdev-docs` does before Quarto
(`nbdev.quarto._pre_docs`, less the Quarto download): it writes the processed notebooks to `_proc/`, renders them with
smalldocs into `_proc/_docs/`, and moves that to `_docs/`. Both renderers take KaTeX from `nbs/katex/` (KaTeX 0.16.11,
the version smalldocs names: katex.min.css, katex.min.js, contrib/auto-render.min.js, the woff2 fonts and the
LICENSE), so formulas render without internet. README.md is written with nbconvert whichever renderer builds the site.

    python tools/build_docs.py                # README.md, then the site
    python tools/build_docs.py --readme-only  # README.md only
    python tools/build_docs.py --site-only    # the site only
"""

import argparse
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
KATEX_DIR = "katex"  # beside the notebooks, and copied to the site's root by `project: resources:` in `_quarto.yml`
# smalldocs warnings about keys that `_quarto.yml` keeps for Quarto; `output-file` is read by `NbdevSite` below
QUARTO_ONLY = ("format-links", "format commonmark", "format.html.keep-md", "format.html.html-math-method", "output-file")


# ------------------------------------------------------------ README.md


def _cell_for_readme(cell):
    "The cell as README.md shows it: None when hidden, else without its `#|` directives and with what they hide removed."
    from fastcore.nbio import NbCell

    if cell.cell_type != "code": return cell
    nbcell = NbCell(0, dict(cell))
    d = nbcell.directives
    if "hide" in d or d.get("include") == "false": return None
    nbcell.remove_directives()
    cell.source = nbcell.source
    if d.get("echo") == "false": cell.metadata["transient"] = {"remove_source": True}  # nbconvert's way to hide an input
    cell.outputs = [] if d.get("output") == "false" else [
        o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]  # warnings are not for readers
    return cell if (cell.source.strip() and d.get("echo") != "false") or cell.outputs else None


def _link_into_nbs(md, nbs):
    "Point relative links of a notebook's markdown at `nbs/`, where they resolve from the README."
    def fix(m):
        target = m.group(2).split("#")[0]
        if not target or re.match(r"^[a-z][a-z0-9+.-]*:|^[/#]", target, re.I) or not (nbs / target).exists(): return m.group(0)
        return f"{m.group(1)}{posixpath.join(nbs.name, m.group(2))})"
    return re.sub(r"(\]\()([^)\s]+)\)", fix, md)


def readme(
    nb_path: Path = ROOT / "nbs" / "index.ipynb",  # The notebook that is the docs' home page
    out: Path = ROOT / "README.md",  # The README to write
) -> Path:
    "Write README.md from `nb_path` with nbconvert: markdown, code and outputs, without `#| hide` cells; images to `README_files/`."
    import nbformat
    from nbconvert import MarkdownExporter

    if not nb_path.exists(): raise FileNotFoundError(f"{nb_path} not found: README.md is generated from it")
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells = [c for c in map(_cell_for_readme, nb.cells) if c is not None]
    for c in nb.cells:
        if c.cell_type == "markdown": c.source = _link_into_nbs(c.source, nb_path.parent)
    files_dir = out.with_name(f"{out.stem}_files")
    body, res = MarkdownExporter().from_notebook_node(nb, resources={"output_files_dir": files_dir.name})
    shutil.rmtree(files_dir, ignore_errors=True)
    for name, data in res.get("outputs", {}).items():
        (out.parent / name).parent.mkdir(parents=True, exist_ok=True)
        (out.parent / name).write_bytes(data)
    note = f"<!-- Generated from {nb_path.relative_to(ROOT).as_posix()} by tools/build_docs.py: edit the notebook, not this file. -->"
    body = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", body.strip())  # nbconvert leaves runs of blank lines
    out.write_text(f"{note}\n\n{body}\n", encoding="utf-8")
    return out


# ------------------------------------------------------------ the site without Quarto


def proc_nbs():
    "Do what `nbdev-docs` does before Quarto: `_quarto.yml`, `nbdev.yml`, the module index, `sidebar.yml`, `_proc/`."
    import nbdev.doclinks
    from nbdev.config import get_config
    from nbdev.quarto import nbdev_sidebar, refresh_quarto_yml
    from nbdev.serve import proc_nbs as nbdev_proc_nbs

    cfg = get_config()
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev_sidebar.__wrapped__(path=cfg.nbs_path)
    return nbdev_proc_nbs(cfg.nbs_path), cfg


def nbdev_site_class():
    "A smalldocs `Site` that writes each page to its nbdev `output-file` (`00_datasets.ipynb` -> `datasets.html`), as Quarto does."
    from smalldocs.site import Site

    class NbdevSite(Site):
        def read(self, src):
            page = super().read(src)
            if page.front.get("output-file"): page.out = src.parent / str(page.front["output-file"])
            return page

        def find_page(self, target):
            return super().find_page(target) or next((p for p in self.pages.values() if p.out == target), None)

    return NbdevSite


def use_local_katex(site) -> int:
    "Point each page's KaTeX links at the site's own `katex/` folder instead of the CDN; return how many pages have maths."
    from smalldocs.layout import KATEX

    n = 0
    for page in site.pages.values():
        f = site.out / page.out
        html = f.read_text(encoding="utf-8")
        if KATEX not in html: continue
        up = posixpath.relpath(".", str(PurePosixPath(page.out).parent))  # `..` for a page one folder down
        f.write_text(html.replace(f"{KATEX}/", ("" if up == "." else up + "/") + KATEX_DIR + "/"), encoding="utf-8")
        n += 1
    return n


def render_site(cache: Path, doc_path: Path) -> int:
    "Render the processed notebooks in `cache` with smalldocs and move the site to `doc_path`; return the number of pages."
    from smalldocs.config import load

    site = nbdev_site_class()(load(cache), quiet=True)
    n = site.build()
    if not (site.out / KATEX_DIR / "katex.min.js").exists():
        raise FileNotFoundError(f"{KATEX_DIR}/ was not copied into the site: list it under `project: resources:` in _quarto.yml")
    maths = use_local_katex(site)
    for w in site.warnings:
        if not any(k in w for k in QUARTO_ONLY): print(f"smalldocs warning: {w}", file=sys.stderr)
    if site.out.resolve() != doc_path.resolve():
        shutil.rmtree(doc_path, ignore_errors=True)
        shutil.move(site.out, doc_path)
    print(f"wrote {n} page(s), {maths} with maths, to {doc_path.relative_to(ROOT)}/")
    return n


def site():
    "Build `_docs/`: `nbdev-docs` where Quarto is installed, else nbdev's processing and smalldocs."
    if shutil.which("quarto"):
        exe = shutil.which("nbdev-docs", path=str(Path(sys.executable).parent)) or "nbdev-docs"
        subprocess.run([exe], cwd=ROOT, check=True)
        return
    cache, cfg = proc_nbs()
    render_site(cache, cfg.doc_path)


def main(argv=None) -> int:
    "Build README.md and the site, or one of them."
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    only = p.add_mutually_exclusive_group()
    only.add_argument("--readme-only", action="store_true", help="write README.md from nbs/index.ipynb, and stop")
    only.add_argument("--site-only", action="store_true", help="build _docs/ only")
    args = p.parse_args(argv)
    os.chdir(ROOT)  # nbdev finds pyproject.toml from the working directory
    start = time.perf_counter()
    try:
        if not args.site_only: print(f"wrote {readme().relative_to(ROOT)}")
        if not args.readme_only: site()
    except (FileNotFoundError, subprocess.CalledProcessError) as e:
        print(f"build_docs: {e}", file=sys.stderr)
        return 1
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":  # the guard matters: nbdev's workers re-import this file
    sys.exit(main())
