"""Build README.md from `nbs/index.ipynb`, and the docs site into `_docs/`, with or without Quarto.

With Quarto on the PATH the site is `nbdev-docs`. Without it, this does what `nbdev-docs` does before Quarto
(`nbdev.quarto._pre_docs`, less the Quarto download): it writes the processed notebooks to `_proc/`, renders them with
smalldocs into `_proc/_docs/`, and moves that to `_docs/`. Both renderers take KaTeX from `nbs/katex/` (KaTeX 0.16.11,
the version smalldocs names: katex.min.css, katex.min.js, contrib/auto-render.min.js, the woff2 fonts and the
LICENSE), so formulas render without internet. README.md is written with nbconvert whichever renderer builds the site.

After smalldocs, `finish_site` makes the site work from disk: links to the project's own API and source point inside
the site (relative; the source is rendered into `src/`), "lesson NN" in the prose links to that lesson, figures get
alt text from their plot's title, and search answers on `file://` (browsers refuse `fetch` of a local file, so the
index is also written as a script).

    python tools/build_docs.py                # README.md, then the site
    python tools/build_docs.py --readme-only  # README.md only
    python tools/build_docs.py --site-only    # the site only
"""

import argparse
import html as htmlmod
import json
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


def _link_into_nbs(md, nbs, home=""):
    """Make relative links of a notebook's markdown work where the README is read, a checkout or a package index:
    absolute links into the project's public home `home` (`[project.urls] Repository`) when it has one, else plain text."""
    def fix(m):
        target = m.group(2).split("#")[0]
        if not target or re.match(r"^[a-z][a-z0-9+.-]*:|^[/#]", target, re.I) or not (nbs / target).exists(): return m.group(0)
        path = posixpath.join(nbs.name, target)
        if home: return f"[{m.group(1)}]({home}/{path})"
        text = m.group(1)
        if text == Path(target).stem: return f"`{path}`"
        return text if text.startswith("`") else f"{text} (`{path}`)"
    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", fix, md)


def readme(
    nb_path: Path = ROOT / "nbs" / "index.ipynb",  # The notebook that is the docs' home page
    out: Path = ROOT / "README.md",  # The README to write
) -> Path:
    "Write README.md from `nb_path` with nbconvert: markdown, code and outputs, without `#| hide` cells; images to `README_files/`."
    import nbformat
    from nbconvert import MarkdownExporter

    if not nb_path.exists(): raise FileNotFoundError(f"{nb_path} not found: README.md is generated from it")
    nb = nbformat.read(nb_path, as_version=4)
    from nbdev.config import get_config

    cfg = get_config()
    home = f"{cfg.git_url}/blob/{cfg.branch}" if cfg.git_url else ""
    nb.cells = [c for c in map(_cell_for_readme, nb.cells) if c is not None]
    for c in nb.cells:
        if c.cell_type == "markdown": c.source = _link_into_nbs(c.source, nb_path.parent, home)
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


# ------------------------------------------------------------ a site that works from disk

SKIP_TAGS = {"a", "code", "pre", "script", "style", "h1", "h2", "h3", "h4", "h5", "h6", "button"}  # no links made inside
LESSON_REF = re.compile(r"\b([Ll]esson) (\d\d)\b")
TITLE_ARG = re.compile(r"""\b(?:title|suptitle|set_title|plt\.title)\s*[=(]\s*f?(['"])(.+?)\1""")
STRING_ARG = re.compile(r"""\w\(.*?,\s*f?(['"])([^'"]{12,}?)\1""")  # `plot_chain(runs, 'Linear chain: ...')`
# Answers smalldocs.js's `fetch("search.json")` on file://, where browsers refuse fetch, from `site_libs/search-index.js`
OFFLINE_SEARCH_JS = """// Search from disk: browsers refuse fetch() of a file:// URL, so the request smalldocs.js makes for search.json is
// answered from search-index.js, the same entries as a script, which a page opened from disk may load.
(() => {
  if (location.protocol !== "file:") return;
  const load = (src) => new Promise((ok, fail) => {
    const s = document.createElement("script");
    s.src = src; s.onload = ok; s.onerror = () => fail(new Error("could not load " + src));
    document.head.append(s);
  });
  const fetchOnline = window.fetch.bind(window);
  window.fetch = async (url, ...rest) => {
    if (typeof url !== "string" || !/(^|\\/)search\\.json$/.test(url)) return fetchOnline(url, ...rest);
    if (!window.smalldocsSearchIndex) await load(url.replace(/search\\.json$/, "site_libs/search-index.js"));
    return new Response(JSON.stringify(window.smalldocsSearchIndex), { headers: { "Content-Type": "application/json" } });
  };
})();
"""
SOURCE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} – {title}</title><style>body {{ margin: 0; font-family: system-ui, sans-serif; }}
header {{ padding: .5rem 1rem; border-bottom: 1px solid #ddd; }} .highlight pre {{ margin: 0; padding: 1rem; font-size: .85rem; }}
.highlight pre > span:target {{ background: #fff3b0; }} {css}</style></head>
<body><header><strong>{name}</strong>{doc}</header>{code}</body></html>
"""


def nbdev_prefixes(cfg) -> tuple[str, str]:
    "The URL prefixes nbdev gives this project's pages and source files, from `[project.urls]` (empty: `/` and `/blob/main/`)."
    from nbdev.doclinks import _qual_sym

    settings = {k: cfg.get(k) or "" for k in ("doc_host", "doc_baseurl", "git_url", "branch")}
    doc, _, src = _qual_sym(("PAGE.html", "PY"), settings)
    return doc[: doc.index("PAGE.html")], src[: src.rindex("PY")]


def write_sources(out: Path, lib: Path, pages: dict[str, str], title: str) -> dict[str, str]:
    "Render each module of `lib` into `out/src/<lib>/<module>.py.html`, a line `n` at anchor `L-n`; return {`lib/mod.py`: page}."
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    fmt = HtmlFormatter(linespans="L", linenos="inline", wrapcode=True)
    done = {}
    for py in sorted(p for p in lib.glob("*.py") if p.name == "__init__.py" or not p.name.startswith("_")):
        key = f"{lib.name}/{py.name}"
        dest = out / "src" / key
        dest = dest.with_name(dest.name + ".html")
        dest.parent.mkdir(parents=True, exist_ok=True)
        page = pages.get(py.stem)
        doc = f' · <a href="{posixpath.relpath(page, dest.parent.relative_to(out).as_posix())}">its documentation</a>' if page else ""
        dest.write_text(SOURCE_PAGE.format(name=key, title=htmlmod.escape(title), doc=doc, css=fmt.get_style_defs(".highlight"),
                                           code=highlight(py.read_text(encoding="utf-8"), PythonLexer(), fmt)), encoding="utf-8")
        done[key] = dest.relative_to(out).as_posix()
    return done


def fstring_field(m) -> str:
    "An f-string field of a plot title as alt text: a plain name stays readable, an expression becomes '…'."
    field = m.group(1).strip()
    return field if field.isidentifier() else "…"


def figure_alt(code: str, heading: str) -> str:
    "Alt text for a figure made by `code`: its plot's title where the code names one, else the section it is in."
    m = TITLE_ARG.search(code) or next(filter(None, map(STRING_ARG.search, reversed(code.splitlines()))), None)
    if m: return re.sub(r"\{([^{}:!]+)[^{}]*\}", fstring_field, m.group(2)).strip()
    return f"Figure in “{heading}”" if heading else "Figure"


def relink(html: str, base: str, doc_prefix: str, src_prefix: str, sources: dict[str, str], site_files: set[str]) -> tuple[str, int]:
    "Rewrite `href`s into the project's API pages and source as links relative to a page in folder `base`; return (html, count)."
    n = 0

    def fix(m):
        nonlocal n
        url = htmlmod.unescape(m.group(1))
        if not re.match(r"^[a-z][a-z0-9+.-]*:|^[/#]", url, re.I):  # smalldocs writes `/x` as `x` from a root page
            url = "/" + posixpath.normpath(posixpath.join(base, url))
        target = None
        if src_prefix and url.startswith(src_prefix):
            path, _, line = url[len(src_prefix):].partition("#L")
            if path in sources: target = sources[path] + (f"#L-{line}" if line.isdigit() else "")
        elif url.startswith(doc_prefix) and not url.startswith("//"):
            rest = url[len(doc_prefix):]
            if rest.split("#")[0] in site_files: target = rest
        if target is None: return m.group(0)
        path, hash_, frag = target.partition("#")
        new = f'href="{htmlmod.escape(posixpath.relpath(path, base or ".") + hash_ + frag)}"'
        n += new != m.group(0)
        return new

    return re.sub(r'href="([^"]*)"', fix, html), n


def in_text(html: str, fn) -> str:
    "Apply `fn` to the text of the page's `<main>` outside links, code, headings and scripts."
    start, end = html.find("<main"), html.rfind("</main>")
    if start < 0 or end < 0: return html
    parts, skip = re.split(r"(<[^>]+>)", html[start:end]), 0
    for i, part in enumerate(parts):
        if part.startswith("<"):
            tag = re.match(r"</?([a-zA-Z0-9]+)", part)
            if tag and tag.group(1).lower() in SKIP_TAGS and not part.endswith("/>"): skip += -1 if part.startswith("</") else 1
        elif skip <= 0: parts[i] = fn(part)
    return html[:start] + "".join(parts) + html[end:]


def link_lessons(html: str, lesson_pages: dict[str, str], own: str) -> tuple[str, int]:
    "Link each “lesson NN” of the prose to that lesson's page, except on its own page; return (html, count)."
    n = 0

    def fix(m):
        nonlocal n
        page = lesson_pages.get(m.group(2))
        if not page or page == own: return m.group(0)
        n += 1
        return f'<a href="{page}" class="lesson-link">{m.group(0)}</a>'

    return in_text(html, lambda t: LESSON_REF.sub(fix, t)), n


def add_alt_text(html: str, cells: list[dict]) -> tuple[str, int]:
    "Give each figure without alt text the title of its plot, read from the code of the cell (`cell-N`) that made it."
    n, heading, cell = 0, "", None
    out = []
    for part in re.split(r"(<[^>]+>)", html):
        if m := re.match(r'<div id="cell-(\d+)" class="cell', part): cell = int(m.group(1))
        if re.match(r"<h[12]\b", part): heading = None  # the section, not a `show_doc` heading
        elif heading is None and not part.startswith("<"): heading = htmlmod.unescape(part).strip()
        if part.startswith("<img") and " alt=" not in part:
            code = "".join(cells[cell]["source"]) if cell is not None and cell < len(cells) else ""
            part = part.replace("<img", f'<img alt="{htmlmod.escape(figure_alt(code, heading or ""))}"', 1)
            n += 1
        out.append(part)
    return "".join(out), n


def offline_search(out: Path) -> None:
    "Write `site_libs/search-index.js` (the entries of `search.json`) and the script that answers search from it on file://."
    entries = json.loads((out / "search.json").read_text(encoding="utf-8"))
    (out / "site_libs" / "search-index.js").write_text(
        f"window.smalldocsSearchIndex = {json.dumps(entries, ensure_ascii=False)};\n", encoding="utf-8")
    (out / "site_libs" / "offline-search.js").write_text(OFFLINE_SEARCH_JS, encoding="utf-8")


def finish_site(site, cfg, cache: Path) -> dict[str, int]:
    "Make the built site work from disk: relative API and source links, lesson links, alt text, search on file://."
    from nbdev.config import nbpath2html

    out = site.out
    doc_prefix, src_prefix = nbdev_prefixes(cfg)
    lesson_pages = {nb.name[:2]: nbpath2html(nb).name for nb in sorted(cfg.nbs_path.glob("[0-9][0-9]_*.ipynb"))}
    modules = {}
    for nb in sorted(cfg.nbs_path.glob("*.ipynb")):  # `#| default_exp name` -> name: page
        m = re.search(r"#\|\s*default_exp\s+([\w.]+)", nb.read_text(encoding="utf-8"))
        if m: modules[m.group(1)] = nbpath2html(nb).name
    sources = write_sources(out, cfg.lib_path, modules, cfg.title)
    site_files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    offline_search(out)
    counts = dict(api_links=0, lesson_links=0, alt_texts=0)
    for page in site.pages.values():
        f = out / page.out
        html = f.read_text(encoding="utf-8")
        base = posixpath.dirname(str(page.out))
        html, n = relink(html, base, doc_prefix, src_prefix, sources, site_files)
        counts["api_links"] += n
        html, n = link_lessons(html, {k: posixpath.relpath(v, base or ".") for k, v in lesson_pages.items()}, page.out.name)
        counts["lesson_links"] += n
        nb = cache / str(page.src)
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"] if nb.suffix == ".ipynb" and nb.is_file() else []
        html, n = add_alt_text(html, cells)
        counts["alt_texts"] += n
        libs = posixpath.relpath("site_libs", base or ".")
        html = html.replace(f'<script src="{libs}/smalldocs.js"', f'<script src="{libs}/offline-search.js"></script><script src="{libs}/smalldocs.js"', 1)
        f.write_text(html, encoding="utf-8")
    return counts


def render_site(cache: Path, doc_path: Path) -> int:
    "Render the processed notebooks in `cache` with smalldocs and move the site to `doc_path`; return the number of pages."
    from nbdev.config import get_config
    from smalldocs.config import load

    site = nbdev_site_class()(load(cache), quiet=True)
    n = site.build()
    if not (site.out / KATEX_DIR / "katex.min.js").exists():
        raise FileNotFoundError(f"{KATEX_DIR}/ was not copied into the site: list it under `project: resources:` in _quarto.yml")
    maths = use_local_katex(site)
    counts = finish_site(site, get_config(), cache)
    fixed = [f"broken link {p}" for p in nbdev_prefixes(get_config()) if p.startswith("/")]  # relative by `finish_site`
    for w in site.warnings:
        if not any(k in w for k in QUARTO_ONLY + tuple(fixed)): print(f"smalldocs warning: {w}", file=sys.stderr)
    if site.out.resolve() != doc_path.resolve():
        shutil.rmtree(doc_path, ignore_errors=True)
        shutil.move(site.out, doc_path)
    print(f"wrote {n} page(s), {maths} with maths, to {doc_path.relative_to(ROOT)}/: {counts['api_links']} API and source "
          f"links made relative, {counts['lesson_links']} lesson links, {counts['alt_texts']} figures given alt text")
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
