"""Check the built docs site in `_docs/`: every page is there, renders offline in headless Chromium, and links resolve.

The checks themselves are pytest tests in `tools/test_docs.py`, one per page and one per concern: a page fails when its
text is blank, a formula is left untypeset, an image has no pixels or no alt text, a code block overflows its box,
a lesson has no previous/next links, a JavaScript error is thrown, or a resource fails to load or comes from the
network. A link check follows every local `href` and `#anchor` of every page, and search must find "BatchNorm" both
from `file://` and over HTTP. The browser is Playwright for Python driving an installed Chromium (`executable_path`:
no browser download is needed).

    python tools/check_docs.py                          # every check (what .ci/run and `make check-docs` run)
    python tools/check_docs.py -k datasets              # pytest's -k and other options pass through
    python tools/check_docs.py --skip-browser           # the files and the links only
    python tools/check_docs.py --screenshot shots/      # also a PNG of each page opened
"""

import argparse
import json
import os
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1280, 2000  # the window, and the screenshot
TIMEOUT_MS = 60_000  # for a page to load, or search to answer
MIN_TEXT = 20  # characters of visible text below which a page counts as blank
# Network requests that are cosmetic: the cosmo theme imports its web font from Google, and the browser falls back to
# system fonts without it. They are not failures.
OPTIONAL = ("https://fonts.googleapis.com/", "https://fonts.gstatic.com/")
LOCAL = re.compile(r"^(file|data|blob|about):")
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
INSTALL = "Chromium is needed to check that pages render: install it (Debian/Ubuntu: `apt-get install -y chromium`), " \
          "set CHECK_DOCS_BROWSER=PATH, or pass --skip-browser to check the files only."
# Runs in the page once it has loaded: waits for every image and font, then reports what a reader would see
PROBE = """async () => {
  await Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode().catch(() => {}); }));
  await document.fonts.ready;
  const main = document.querySelector('main') || document.body;
  return {
    text: document.body ? document.body.innerText.trim().length : 0,
    maths: document.querySelectorAll('.math').length,
    untypeset: [...document.querySelectorAll('.math')].filter(m => !m.querySelector('.katex')).map(m => m.textContent.slice(0, 60)),
    katex_errors: [...document.querySelectorAll('.katex-error')].map(e => e.textContent.slice(0, 60)),
    broken_images: [...document.images].filter(i => !i.naturalWidth).map(i => (i.getAttribute('src') || '').slice(0, 80)),
    no_alt: [...main.querySelectorAll('img')].filter(i => !(i.getAttribute('alt') || '').trim()).length,
    images: main.querySelectorAll('img').length,
    code_blocks: main.querySelectorAll('pre').length,
    overflowing: [...main.querySelectorAll('pre')].filter(p => p.scrollWidth > p.clientWidth + 1)
                   .map(p => p.textContent.split('\\n').reduce((a, b) => a.length >= b.length ? a : b, '').slice(0, 80)),
    prev_next: [...document.querySelectorAll('nav.page-navigation a.pagination-link')].map(a => a.getAttribute('href')),
  };
}"""


def html_name(nb: Path) -> str:
    "The page nbdev gives a notebook: `00_datasets.ipynb` -> `datasets.html`."
    from nbdev.config import nbpath2html
    return nbpath2html(nb).name


def lessons(nbs: Path) -> list[Path]:
    "The numbered lesson notebooks, in order."
    return sorted(nbs.glob("[0-9]*.ipynb"))


def default_pages(nbs: Path) -> list[str]:
    "The home page and every lesson's page."
    return ["index.html"] + [html_name(nb) for nb in lessons(nbs)]


def find_browser() -> str | None:
    "The Chromium to drive: `$CHECK_DOCS_BROWSER`, else the first of `BROWSERS` on the PATH."
    return os.environ.get("CHECK_DOCS_BROWSER") or next(filter(None, map(shutil.which, BROWSERS)), None)


def short(url: str, n: int = 100) -> str:
    "A URL cut to `n` characters, for messages: data: URLs are long."
    return url if len(url) <= n else url[:n] + "..."


# ------------------------------------------------------------ the files


def control_chars(nb: Path) -> list[str]:
    "Control characters in a notebook's markdown: a backslash lost to a string escape, e.g. `\\approx` written as BEL + `pprox`."
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    return [f"{nb.name}, markdown cell {i}: control character {ch!r} after {''.join(c['source']).split(ch)[0][-40:]!r}"
            for i, c in enumerate(cells) if c["cell_type"] == "markdown"
            for ch in sorted({ch for ch in "".join(c["source"]) if ord(ch) < 32 and ch != "\n"})]


def check_files(docs: Path, nbs: Path) -> list[str]:
    "Problems with the files: no `index.html`, a lesson notebook without its page, control characters in markdown."
    if not docs.is_dir(): return [f"{docs} does not exist: build it with `python tools/build_docs.py`"]
    missing = [f"{nb.name} -> {html_name(nb)}" for nb in lessons(nbs) if not (docs / html_name(nb)).is_file()]
    garbled = [m for nb in [nbs / "index.ipynb", *lessons(nbs)] if nb.is_file() for m in control_chars(nb)]
    return ([] if (docs / "index.html").is_file() else ["index.html is missing"]) + [f"no page for {m}" for m in missing] + garbled


class _Links(HTMLParser):
    "The `href`s and `src`s of a page, and the ids (and `a` names) it defines."

    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"): self.ids.add(a["id"])
        if tag == "a" and a.get("name"): self.ids.add(a["name"])
        for k in ("href", "src"):
            if a.get(k) and not (tag == "img" and a[k].startswith("data:")): self.links.append((tag, a[k]))


def parse_page(f: Path) -> _Links:
    "Parse one HTML file for its links and ids."
    p = _Links()
    p.feed(f.read_text(encoding="utf-8"))
    return p


def broken_links(docs: Path) -> tuple[list[str], int]:
    "Every local `href`/`src` of every page that does not resolve to a file, or to an id in it; and how many were checked."
    pages = {f: parse_page(f) for f in sorted(docs.rglob("*.html"))}
    problems, n = [], 0
    for f, p in pages.items():
        for tag, url in p.links:
            u = urlsplit(url)
            if u.scheme or u.netloc: continue  # the network: not ours to check offline
            n += 1
            target = (f.parent / unquote(u.path)).resolve() if u.path else f
            where = f"{f.relative_to(docs)}: <{tag}> {short(url)}"
            if u.path.startswith("/"): problems.append(f"{where}: absolute path, which breaks on file:// and under a sub-path")
            elif not target.is_file(): problems.append(f"{where}: no such file")
            elif u.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse_page(target).ids
                if unquote(u.fragment) not in ids: problems.append(f"{where}: no #{unquote(u.fragment)} in {target.name}")
    return problems, n


# ------------------------------------------------------------ the browser


def launch(playwright, exe: str):
    "Start headless Chromium from `exe` through Playwright."
    return playwright.chromium.launch(executable_path=exe, headless=True,
                                      args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])


def open_page(browser, url: str, site: str = ""):
    """Open `url` in a fresh page; return the page and the list its network and JavaScript problems are collected into.
    Requests must stay on disk, or under `site` when the site is served over HTTP."""
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    problems = []

    def on_request(r):
        if not (LOCAL.match(r.url) or r.url.startswith(OPTIONAL) or (site and r.url.startswith(site))):
            problems.append(f"loads from the network, so not offline: {short(r.url)}")

    page.on("request", on_request)
    page.on("requestfailed", lambda r: None if r.url.startswith(OPTIONAL) else problems.append(f"failed to load {short(r.url)}: {r.failure}"))
    page.on("response", lambda r: problems.append(f"failed to load {short(r.url)}: HTTP {r.status}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: problems.append(f"JavaScript error: {str(e).splitlines()[0]}"))
    page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
    return page, problems


def check_page(browser, f: Path, lesson: bool, shot: Path | None = None) -> list[str]:
    "Open `f` from disk and list why it did not render as a reader needs it, if it did not; write a PNG to `shot`."
    page, problems = open_page(browser, f.resolve().as_uri())
    try:
        v = page.evaluate(PROBE)
        if shot: page.screenshot(path=str(shot))
    finally:
        page.close()
    if v["text"] < MIN_TEXT: problems.append(f"blank page: {v['text']} characters of text")
    if 'class="math' in f.read_text(encoding="utf-8") and not v["maths"] - len(v["untypeset"]):
        problems.append("maths in the page, but no formula was typeset (no .katex)")
    problems += [f"formula not typeset: {t!r}" for t in v["untypeset"]] + [f"KaTeX error: {t!r}" for t in v["katex_errors"]]
    problems += [f"image with no pixels: {src}" for src in v["broken_images"]]
    if v["no_alt"]: problems.append(f"{v['no_alt']} of {v['images']} images have no alt text")
    if v["overflowing"]: problems.append(f"{len(v['overflowing'])} of {v['code_blocks']} code blocks overflow, e.g. {v['overflowing'][0]!r}")
    if lesson and not v["prev_next"]: problems.append("no previous/next links at the foot of the page")
    return problems


def search(browser, url: str, query: str, site: str = "") -> list[str]:
    "Type `query` into the search box of the page at `url` and return the results' links."
    page, problems = open_page(browser, url, site)
    try:
        page.fill("#quarto-search input", query)
        page.wait_for_selector(".smalldocs-search-results .search-result, .smalldocs-search-results .search-none", timeout=TIMEOUT_MS)
        hits = page.eval_on_selector_all(".smalldocs-search-results .search-result", "as => as.map(a => a.href)")
    finally:
        page.close()
    if problems: raise AssertionError("; ".join(problems))
    return hits


# ------------------------------------------------------------ the command


def main(argv=None) -> int:
    "Run the checks in `tools/test_docs.py` with pytest; exit with pytest's status."
    import pytest

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], add_help=True)
    p.add_argument("--docs", type=Path, default=ROOT / "_docs", help="the built site (default _docs/)")
    p.add_argument("--browser", help="the Chromium executable (default: found on the PATH)")
    p.add_argument("--skip-browser", action="store_true", help="check the files and links only")
    p.add_argument("--screenshot", type=Path, metavar="DIR", help="write a PNG of each page opened into DIR")
    args, rest = p.parse_known_args(argv)
    os.environ["CHECK_DOCS_DIR"] = str(args.docs.resolve())
    if args.browser: os.environ["CHECK_DOCS_BROWSER"] = args.browser
    if args.skip_browser: os.environ["CHECK_DOCS_SKIP_BROWSER"] = "1"
    if args.screenshot:
        args.screenshot.mkdir(parents=True, exist_ok=True)
        os.environ["CHECK_DOCS_SCREENSHOTS"] = str(args.screenshot.resolve())
    return int(pytest.main([str(Path(__file__).with_name("test_docs.py")), "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT), *rest]))


if __name__ == "__main__":
    sys.exit(main())
