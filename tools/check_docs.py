"""Check the built docs site in `_docs/`: every page is there, and pages render in headless Chromium, offline.

The browser check opens each page from disk and fails when its text is blank, a formula is left untypeset, an image
has no pixels, a JavaScript error is thrown, or a resource fails to load or comes from the network. It drives
Chromium over the DevTools protocol on a pipe, with the standard library only.

    python tools/check_docs.py                          # index.html and every lesson's page
    python tools/check_docs.py datasets.html --screenshot shots/
    python tools/check_docs.py --skip-browser           # the files only
"""

import argparse
import base64
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1280, 2000  # the window, and the screenshot unless --full-page
TIMEOUT = 60  # seconds for Chromium to answer one command or load one page
MIN_TEXT = 20  # characters of visible text below which a page counts as blank
# Network requests that are cosmetic: the cosmo theme (Quarto's and smalldocs's) imports its web font from Google, and
# the browser falls back to system fonts without it. Each is reported as a note, not a failure.
OPTIONAL = ("https://fonts.googleapis.com/", "https://fonts.gstatic.com/")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--window-size={WIDTH},{HEIGHT}", "--remote-debugging-pipe"]
INSTALL = "Chromium is needed to check that pages render: install it (Debian/Ubuntu: `apt-get install -y chromium`), " \
          "pass --browser PATH, or pass --skip-browser to check the files only."
# Runs in the page once it has loaded: waits for every image and font, then reports what a reader would see
PROBE = """(async () => {
  await Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode().catch(() => {}); }));
  await document.fonts.ready;
  return {
    text: document.body ? document.body.innerText.trim().length : 0,
    maths: document.querySelectorAll('.math').length,
    untypeset: [...document.querySelectorAll('.math')].filter(m => !m.querySelector('.katex')).map(m => m.textContent.slice(0, 60)),
    katex_errors: [...document.querySelectorAll('.katex-error')].map(e => e.textContent.slice(0, 60)),
    broken_images: [...document.images].filter(i => !i.naturalWidth).map(i => (i.getAttribute('src') || '').slice(0, 80)),
    height: document.documentElement.scrollHeight,
  };
})()"""


def html_name(nb: Path) -> str:
    "The page nbdev gives a notebook: `00_datasets.ipynb` -> `datasets.html`."
    from nbdev.config import nbpath2html
    return nbpath2html(nb).name


def lessons(nbs: Path) -> list[Path]:
    "The numbered lesson notebooks, in order."
    return sorted(nbs.glob("[0-9]*.ipynb"))


def short(url: str, n: int = 100) -> str:
    "A URL cut to `n` characters, for messages: data: URLs are long."
    return url if len(url) <= n else url[:n] + "..."


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


class Chromium:
    "A headless Chromium driven over the DevTools protocol: JSON messages ending in NUL, on its fds 3 (in) and 4 (out)."

    def __init__(self, exe: str):
        self.tmp = tempfile.TemporaryDirectory(prefix="check-docs-")
        cmd_r, self.cmd_w = os.pipe()  # we write commands, Chromium reads them on fd 3
        self.out_r, out_w = os.pipe()  # Chromium writes answers and events on fd 4

        def child_fds():  # in the child: move the pipe ends to 3 and 4, without clobbering one with the other
            a, b = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10), fcntl.fcntl(out_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3), os.dup2(b, 4)

        self.log = open(Path(self.tmp.name) / "chromium.log", "w+")
        self.proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={self.tmp.name}/profile", "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                     preexec_fn=child_fds, close_fds=False)
        os.close(cmd_r), os.close(out_w)
        self.buf, self.n, self.events = b"", 0, []

    def recv(self) -> dict:
        "The next message from Chromium."
        while b"\0" not in self.buf:
            if not select.select([self.out_r], [], [], TIMEOUT)[0]: raise TimeoutError(f"Chromium did not answer in {TIMEOUT} s")
            chunk = os.read(self.out_r, 1 << 20)
            if not chunk:
                self.log.seek(0)
                raise RuntimeError(f"Chromium exited ({self.proc.wait()}); its last words:\n{self.log.read()[-2000:]}")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, session: str | None = None, **params) -> dict:
        "Send a command and return its result, keeping the events that come before it."
        self.n += 1
        msg = {"id": self.n, "method": method, "params": params} | ({"sessionId": session} if session else {})
        os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        while (m := self.recv()).get("id") != self.n: self.events.append(m)
        if "error" in m: raise RuntimeError(f"{method}: {m['error'].get('message')}")
        return m["result"]

    def wait_for(self, method: str, session: str) -> dict:
        "Wait for the event `method` of `session`."
        while not any(e.get("method") == method and e.get("sessionId") == session for e in self.events):
            self.events.append(self.recv())
        return next(e for e in self.events if e.get("method") == method and e.get("sessionId") == session)

    def close(self):
        "Quit Chromium and remove its profile."
        try: self.call("Browser.close")
        except (OSError, RuntimeError, TimeoutError): pass
        try: self.proc.wait(10)
        except subprocess.TimeoutExpired: self.proc.kill(); self.proc.wait()
        os.close(self.cmd_w), os.close(self.out_r), self.log.close()
        self.tmp.cleanup()


def check_page(browser: Chromium, page: Path, shot: Path | None = None, full_page: bool = False) -> list[str]:
    "Open `page` from disk and list why it did not render, if it did not; write a PNG screenshot to `shot`."
    target = browser.call("Target.createTarget", url="about:blank")["targetId"]
    s = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Network", "Runtime"): browser.call(f"{domain}.enable", s)
    browser.call("Emulation.setDeviceMetricsOverride", s, width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)
    browser.call("Page.navigate", s, url=page.resolve().as_uri())
    browser.wait_for("Page.loadEventFired", s)
    r = browser.call("Runtime.evaluate", s, expression=PROBE, awaitPromise=True, returnByValue=True)
    if "exceptionDetails" in r: return [f"the check script failed: {r['exceptionDetails'].get('text')}"]
    v = r["result"]["value"]
    if shot:
        clip = {"x": 0, "y": 0, "width": WIDTH, "height": min(v["height"], 16000) if full_page else HEIGHT, "scale": 1}
        png = browser.call("Page.captureScreenshot", s, format="png", clip=clip, captureBeyondViewport=full_page)["data"]
        shot.write_bytes(base64.b64decode(png))
    events = [e for e in browser.events if e.get("sessionId") == s]
    browser.call("Target.closeTarget", targetId=target)
    urls = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"}
    problems = [f"blank page: {v['text']} characters of text"] if v["text"] < MIN_TEXT else []
    raw = page.read_text(encoding="utf-8")
    if 'class="math' in raw and not v["maths"] - len(v["untypeset"]): problems.append("maths in the page, but no formula was typeset (no .katex)")
    problems += [f"formula not typeset: {t!r}" for t in v["untypeset"]] + [f"KaTeX error: {t!r}" for t in v["katex_errors"]]
    problems += [f"image with no pixels: {src}" for src in v["broken_images"]]
    for e in events:
        p = e["params"]
        if urls.get(p.get("requestId"), "").startswith(OPTIONAL):
            if e["method"] == "Network.requestWillBeSent": print(f"  note: {page.name} asks for {short(p['request']['url'], 60)} (optional)")
            continue
        if e["method"] == "Network.loadingFailed" and not p.get("canceled"):
            problems.append(f"failed to load {short(urls.get(p['requestId'], '?'))}: {p['errorText']}")
        elif e["method"] == "Network.responseReceived" and p["response"].get("status", 200) >= 400:
            problems.append(f"failed to load {short(p['response']['url'])}: HTTP {p['response']['status']}")
        elif e["method"] == "Network.requestWillBeSent" and not re.match(r"(file|data|blob|about):", p["request"]["url"]):
            problems.append(f"loads from the network, so not offline: {short(p['request']['url'])}")
        elif e["method"] == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            problems.append(f"JavaScript error: {d.get('exception', {}).get('description') or d.get('text')}".splitlines()[0])
    return problems


def default_pages(nbs: Path) -> list[str]:
    "The home page and every lesson's page."
    return ["index.html"] + [html_name(nb) for nb in lessons(nbs)]


def main(argv=None) -> int:
    "Check the files of the site, then render pages in Chromium; exit 1 with the reasons when anything is wrong."
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("pages", nargs="*", help="pages to open, relative to the site (default: index.html and every lesson's page)")
    p.add_argument("--docs", type=Path, default=ROOT / "_docs", help="the built site (default _docs/)")
    p.add_argument("--nbs", type=Path, default=ROOT / "nbs", help="the notebooks the site is built from (default nbs/)")
    p.add_argument("--screenshot", type=Path, metavar="DIR", help="write a PNG of each page opened into DIR")
    p.add_argument("--full-page", action="store_true", help="screenshot the whole page, not only the first 2000 px")
    p.add_argument("--browser", default=shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome"),
                   help="the Chromium executable (default: found on the PATH)")
    p.add_argument("--skip-browser", action="store_true", help="check the files only")
    args = p.parse_args(argv)
    problems = check_files(args.docs, args.nbs)
    print(f"files: {len(lessons(args.nbs))} lesson page(s) expected in {args.docs}: {'OK' if not problems else 'FAIL'}")
    if args.skip_browser or not args.docs.is_dir(): return report(problems)
    if not args.browser or not shutil.which(args.browser): return report(problems + [f"no Chromium found. {INSTALL}"])
    if args.screenshot: args.screenshot.mkdir(parents=True, exist_ok=True)
    browser = Chromium(args.browser)
    try:
        for name in args.pages or default_pages(args.nbs):
            page = args.docs / name
            if not page.is_file():
                problems.append(f"{name}: not in {args.docs}")
                continue
            shot = args.screenshot / f"{page.stem}.png" if args.screenshot else None
            found = [f"{name}: {m}" for m in check_page(browser, page, shot, args.full_page)]
            print(f"{name}: {'OK' if not found else 'FAIL'}" + (f" (screenshot {shot})" if shot else ""))
            problems += found
    finally:
        browser.close()
    return report(problems)


def report(problems: list[str]) -> int:
    "Print the problems; 1 when there are any, else 0."
    for m in problems: print(f"  {m}", file=sys.stderr)
    print("docs check: " + (f"FAIL, {len(problems)} problem(s)" if problems else "OK"), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
