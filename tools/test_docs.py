"""The docs checks as pytest tests: run them with `python tools/check_docs.py` (or `pytest tools/test_docs.py`).

The site is `$CHECK_DOCS_DIR` (default `_docs/`); the browser is `$CHECK_DOCS_BROWSER` or the first Chromium on the
PATH; `CHECK_DOCS_SKIP_BROWSER=1` keeps to the tests that need none.
"""

import functools
import http.server
import os
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import check_docs as cd  # noqa: E402

DOCS = Path(os.environ.get("CHECK_DOCS_DIR") or cd.ROOT / "_docs")
NBS = cd.ROOT / "nbs"
SHOTS = os.environ.get("CHECK_DOCS_SCREENSHOTS")
SEARCH_QUERY = "BatchNorm"  # a name that lesson 08's page defines, so search must find it
PYTORCH_DOCS = 'href="https://pytorch.org/docs/'
MIN_PYTORCH_LINKS = 20  # backticked torch names linked by nbdev-pytorch: about 50 today; none means it is not installed
PAGES = cd.default_pages(NBS)
LESSON_PAGES = set(PAGES[1:])
needs_browser = pytest.mark.skipif(bool(os.environ.get("CHECK_DOCS_SKIP_BROWSER")), reason="CHECK_DOCS_SKIP_BROWSER is set")


@pytest.fixture(scope="session")
def browser():
    "One headless Chromium for the session, driven by Playwright."
    exe = cd.find_browser()
    if not exe: pytest.fail(f"no Chromium found. {cd.INSTALL}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = cd.launch(p, exe)
        yield b
        b.close()


@pytest.fixture(scope="session")
def served():
    "The site over HTTP on a free local port, as `make serve` serves it; yields its base URL."
    handler = functools.partial(type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None}),
                                directory=str(DOCS))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_files():
    "`index.html` and a page for every lesson notebook; no control characters in the notebooks' markdown."
    assert not (problems := cd.check_files(DOCS, NBS)), "\n".join(problems)


def test_links():
    "Every local `href` and `src` of every page, the rendered source included, resolves to a file and its anchor."
    problems, n = cd.broken_links(DOCS)
    assert n > 1000, f"only {n} local links found: is {DOCS} a built site?"
    assert not problems, f"{len(problems)} of {n} local links are broken:\n" + "\n".join(problems[:40])


def test_pytorch_links():
    "Backticked PyTorch names link to PyTorch's documentation (nbdev-pytorch)."
    n = sum(f.read_text(encoding="utf-8").count(PYTORCH_DOCS) for f in DOCS.glob("*.html"))
    assert n >= MIN_PYTORCH_LINKS, f"{n} links to PyTorch's docs; is nbdev-pytorch installed?"


def test_no_placeholder_home():
    "No link to a public home that the project does not have."
    for f in DOCS.rglob("*.html"):
        text = f.read_text(encoding="utf-8")
        assert "miniai.github.io" not in text and "github.com/miniai" not in text, f"{f.relative_to(DOCS)} links a placeholder home"


@needs_browser
@pytest.mark.parametrize("name", PAGES)
def test_page_renders(browser, name):
    "The page renders from disk, offline: text, typeset maths, images with pixels and alt text, code that fits, prev/next."
    f = DOCS / name
    assert f.is_file(), f"{name} is not in {DOCS}"
    shot = Path(SHOTS) / f"{f.stem}.png" if SHOTS else None
    problems = cd.check_page(browser, f, lesson=name in LESSON_PAGES, shot=shot)
    assert not problems, "\n".join(problems)


@needs_browser
def test_search_from_disk(browser):
    f"Search finds {SEARCH_QUERY!r} on a page opened from file://, and its results lead to pages of the site."
    hits = cd.search(browser, (DOCS / "index.html").resolve().as_uri(), SEARCH_QUERY)
    assert hits, f"no results for {SEARCH_QUERY!r} from file://"
    for h in hits: assert Path(cd.unquote(cd.urlsplit(h).path)).is_file(), f"search result {h} is not a file"


@needs_browser
def test_search_served(browser, served):
    f"Search finds {SEARCH_QUERY!r} when the site is served over HTTP, as by `make serve`."
    hits = cd.search(browser, served + "normalization.html", SEARCH_QUERY, site=served)
    assert hits and all(h.startswith(served) for h in hits), hits


EXERCISE_PAGES = [p for p in LESSON_PAGES if "Worked solution" in (DOCS / p).read_text(encoding="utf-8")] if DOCS.is_dir() else []
EXPLORER_PAGE, EXPLORER_ALT = "variance.html", "gain 1.1"   # lesson 03's static explorer figure, named by its title


@needs_browser
def test_exercises_folded(browser):
    "Every lesson page with exercises shows its worked solutions folded (closed `<details>`), and they open on a click."
    assert EXERCISE_PAGES, "no page has exercises with worked solutions"
    page = browser.new_page()
    for name in EXERCISE_PAGES:
        page.goto((DOCS / name).resolve().as_uri())
        folds = page.locator("details.code-fold")
        assert folds.count() >= 3, f"{name}: {folds.count()} folded cells, expected the checkers and the solutions"
        assert page.locator("details.code-fold[open]").count() == 0, f"{name}: a worked solution is shown unfolded"
        folds.first.locator("summary").click()
        assert folds.first.evaluate("d => d.open"), f"{name}: a folded solution does not open"
    page.close()


@needs_browser
def test_explorer_static_figure(browser):
    "Lesson 03's explorer renders as a static figure on the docs page (the sliders need a kernel, so none are shown)."
    page = browser.new_page()
    page.goto((DOCS / EXPLORER_PAGE).resolve().as_uri())
    img = page.locator(f'img[alt*="{EXPLORER_ALT}"]').first
    assert img.count(), f"{EXPLORER_PAGE}: no figure whose alt text names {EXPLORER_ALT!r}"
    assert img.evaluate("i => i.complete && i.naturalWidth > 0"), f"{EXPLORER_PAGE}: the explorer figure has no pixels"
    assert "interactive(children" not in page.content(), f"{EXPLORER_PAGE}: the widget's text stands in for a figure"
    page.close()
