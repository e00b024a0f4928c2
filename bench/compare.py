#!/usr/bin/env python3
"""Side-by-side benchmark: folio against the HTML-to-PDF engines people use for Confluence PDFs.

What it measures
----------------
For every document, the same content goes to four tools, each run as a fresh process ("cold"):

- folio        `target/release/folio compile PAGE.xhtml -o OUT.pdf -q`: the storage body, with the
               attachments beside it;
- chromium     headless Chromium `--print-to-pdf` of an HTML file;
- wkhtmltopdf  `wkhtmltopdf --quiet --enable-local-file-access` (plus A4 and folio's margins);
- weasyprint   `weasyprint IN.html OUT.pdf`.

The HTML is Confluence's own rendering of the page (`page.html`, for the real pages that have one),
with its images pointed at the local attachment files, else the storage body converted by
`storage_to_html.py`; either way it is wrapped in a minimal UTF-8 document with a plain, Confluence-like
stylesheet (A4 with folio's margins, so that page counts are comparable).

Documents: each corpus page (`corpus/*/page.xhtml`), each real page of `../shared/corpus/querypie/
testcases/*/` when that folder exists, and two generated documents, exports of 10 and 35 Confluence
pages (cycling through the pages; 35 make about 100 PDF pages). folio exports them as a page tree is
exported: `folio export BUNDLE --no-cover --no-toc`, a bundle folder with one folder per page and its
attachments, each page starting on a new page under its title; the HTML engines get the pages' HTML
concatenated, each under its title as `<h1>`, each after the first on a new page. Tables of contents
are left out of the generated documents' pages (single pages keep theirs).

Each document is measured with the tools interleaved round-robin (run 1 of every tool, then run 2, ...;
the tool that goes first rotates from round to round), `--runs N` rounds (default 5), after one untimed
warm-up run of every tool (to fill the file cache). Each run is wrapped in `/usr/bin/time -f '%e %U %S %M'`;
the harness takes the wall time with `time.perf_counter` around the process (GNU time prints 10 ms steps,
coarse for folio's small pages), the CPU time (user + sys) of the whole process tree from
getrusage(RUSAGE_CHILDREN) before and after -- the harness makes itself child subreaper, so the processes
Chromium leaves behind when its browser process exits (the renderer, which does the layout) are reaped,
and counted, by the harness; GNU time's own %U %S miss them and understate Chromium's CPU up to 5x --
and GNU time's `%M` as peak RSS. That `%M` is the largest single
process of the tree, not the sum, which understates multi-process Chromium; so in the untimed warm-up
run (sampling costs CPU, so never in a timed run) the harness also samples the process tree from /proc
(every 5-10 ms in the first second, then every 50 ms) and sums its PSS (proportional set size: each
shared page divided among the processes mapping it) -- the tree's real footprint. For each output PDF it records the size in
bytes and the page count (`pdfinfo`). The report gives medians over the runs and the ratio peer / folio
(above 1: folio is faster / smaller), per document and in total.

Warm (in-process) figures, when available: folio's own warm driver `target/release/examples/warm`
(`--runs N --json FILE...`, built by the folio project), a persistent headless Chromium driven over the
DevTools protocol (`Page.navigate` + `Page.printToPDF`; needs the `websocket-client` package), and
WeasyPrint rendering repeatedly inside one Python process. They run after the cold measurements, each
tool by itself. The warm table also divides Chromium's fresh-process median by folio's warm median: the
single-page target as the issue words it (folio warm, as a service renders, against Chromium's HTML to
PDF as a fresh process per page), and counts the single pages at 20x or more.

Usage: bench/compare.py [--runs N] [--quick] [--out FILE]   (normally through bench/compare.sh)
Writes a Markdown report to standard output and to FILE (default /tmp/folio-compare.md) and the raw
runs as JSON next to it (FILE with the suffix .json).
"""

import argparse
import base64
import ctypes
import datetime
import html
import json
import math
import os
import platform
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field, asdict
from pathlib import Path
from urllib.parse import unquote, urlparse

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, str(Path(__file__).resolve().parent))
from storage_to_html import storage_to_html, toc_html, wrap_document  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUERYPIE = ROOT.parent / "shared" / "corpus" / "querypie" / "testcases"
TOOLS = ["folio", "chromium", "wkhtmltopdf", "weasyprint"]
PEERS = TOOLS[1:]
RUN_TIMEOUT = 900  # seconds for one run of one tool
SAMPLE_INTERVAL = 0.05  # seconds between process-tree memory samples (after the first second)
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
# Files of a page folder that are not attachments.
NOT_ATTACHMENTS = {"page.xhtml", "page.html", "page.json", "README.md", "site.json"}


# --------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------

@dataclass
class Page:
    """One Confluence page: its storage body and attachments (for folio) and its HTML (for the rest)."""
    name: str
    folder: Path
    storage: Path
    html_body: str  # a body fragment with absolute file:// image URLs
    html_source: str  # "confluence page.html" or "storage_to_html.py"
    html_body_no_toc: str  # the same without a table of contents (for the generated documents)


@dataclass
class Document:
    """A measured document: the file folio compiles and the HTML file the other engines print."""
    name: str
    kind: str  # "page" or "generated"
    folio_input: Path
    html_file: Path
    html_source: str
    pages: int = 1  # Confluence pages in it


def rewrite_confluence_images(body, folder):
    """Points the <img> of Confluence's page.html at the local attachment files (matched by file name,
    from `data-image-src` or `src`, which are URLs like /download/attachments/<id>/<name>?...). An image
    with no local file (emoticons, remote images) becomes its alt text, so that nothing is fetched."""

    def attr(tag, name):
        m = re.search(r'\s%s="([^"]*)"' % re.escape(name), tag)
        return html.unescape(m.group(1)) if m else None

    def replace(m):
        tag = m.group(0)
        alt = attr(tag, "alt") or ""
        for url in (attr(tag, "data-image-src"), attr(tag, "src")):
            if not url:
                continue
            filename = unquote(urlparse(url).path.rsplit("/", 1)[-1])
            path = folder / filename
            if filename and path.is_file():
                width = attr(tag, "width")
                w = f' width="{width}"' if width and width.isdigit() else ""
                return f'<img src="{html.escape(path.resolve().as_uri())}" alt="{html.escape(alt)}"{w}>'
        return f"<span>{html.escape(alt)}</span>"

    return re.sub(r"<img\b[^>]*>", replace, body)


def fill_client_side_toc(body):
    """Confluence renders the `toc` macro in the browser: page.html holds an empty
    `<div class="toc-macro client-side-toc-macro ...">`. Fill it with the page's headings, as the
    reader sees it (and as folio prints it)."""
    entries = [(int(m.group(1)), " ".join(html.unescape(re.sub(r"<[^>]+>", "", m.group(2))).split()))
               for m in re.finditer(r"<h([1-6])\b[^>]*>(.*?)</h\1>", body, re.S)]

    def replace(m):
        attrs = m.group(1)
        lo = re.search(r'data-minlevel="(\d+)"', attrs)
        hi = re.search(r'data-maxlevel="(\d+)"', attrs)
        return f"<div{attrs}>{toc_html(entries, int(lo.group(1)) if lo else 1, int(hi.group(1)) if hi else 7)}</div>"

    return re.sub(r'<div(\s[^>]*class="toc-macro[^"]*"[^>]*)>\s*</div>', replace, body)


TOC_MACRO = re.compile(r'<ac:structured-macro\b[^>]*\bac:name="toc"[^>]*?(?:/>|>.*?</ac:structured-macro>)'
                       r'|<ac:macro\b[^>]*\bac:name="toc"[^>]*?(?:/>|>.*?</ac:macro>)', re.S)


def strip_toc(storage):
    """The storage body without its `toc` macros (they hold only parameters)."""
    return TOC_MACRO.sub("", storage)


def find_pages():
    pages = []
    for storage in sorted(ROOT.glob("corpus/*/page.xhtml")):
        folder = storage.parent
        text = storage.read_text(encoding="utf-8")
        pages.append(Page(f"corpus/{folder.name}", folder, storage, storage_to_html(text, folder),
                          "storage_to_html.py", storage_to_html(text, folder, toc=False)))
    if QUERYPIE.is_dir():
        for storage in sorted(QUERYPIE.glob("*/page.xhtml")):
            folder = storage.parent
            confluence = folder / "page.html"
            if confluence.is_file():
                no_toc = rewrite_confluence_images(confluence.read_text(encoding="utf-8"), folder)
                body, source = fill_client_side_toc(no_toc), "confluence page.html"
            else:
                text = storage.read_text(encoding="utf-8")
                body, source = storage_to_html(text, folder), "storage_to_html.py"
                no_toc = storage_to_html(text, folder, toc=False)
            pages.append(Page(f"querypie/{folder.name}", folder, storage, body, source, no_toc))
    return pages


def page_break_div(body):
    return f'<div style="break-before:page; page-break-before:always">\n{body}\n</div>'


# Confluence pages in the long generated document: about 100 PDF pages (the issue's "100-page
# document"; the pages average about three PDF pages each).
LONG_DOCUMENT_PAGES = 35


def make_documents(pages, work, quick):
    """Writes the HTML files (and the generated documents' folders) under `work`; returns the documents."""
    docs = []
    for page in pages:
        html_file = work / "html" / (page.name.replace("/", "--") + ".html")
        html_file.parent.mkdir(parents=True, exist_ok=True)
        html_file.write_text(wrap_document(page.html_body, page.name), encoding="utf-8")
        docs.append(Document(page.name, "page", page.storage, html_file, page.html_source))

    def generated(count):
        """An export of `count` pages (cycling through the pages), as a page tree is exported: for
        folio a bundle folder (`folio.json` and one folder per page with its attachments) that
        `folio export` sets as one document, each page starting on a new page under its title; for
        the HTML engines the same pages concatenated, each under its title and after the first on a
        new page."""
        name = f"generated/{count}-pages"
        folder = work / "generated" / f"{count}-pages"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        chosen = [pages[i % len(pages)] for i in range(count)]
        entries, html_bodies = [], []
        # Without `toc` macros: a repeated page's table would be the same, and the long-document
        # figures are about the pages' content (single pages keep theirs).
        for i, page in enumerate(chosen):
            page_id = str(1000 + i)
            title = f"{i + 1}. {page.name}"
            page_folder = folder / "pages" / page_id
            page_folder.mkdir(parents=True)
            (page_folder / "page.xhtml").write_text(strip_toc(page.storage.read_text(encoding="utf-8")),
                                                    encoding="utf-8")
            for f in sorted(page.folder.iterdir()):
                if f.is_file() and f.name not in NOT_ATTACHMENTS and f.suffix != ".yaml":
                    shutil.copyfile(f, page_folder / f.name)
            entries.append({"id": page_id, "title": title, "position": i,
                            "file": f"pages/{page_id}/page.xhtml"})
            body = f"<h1>{html.escape(title)}</h1>\n{page.html_body_no_toc}"
            html_bodies.append(body if i == 0 else page_break_div(body))
        (folder / "folio.json").write_text(json.dumps({"title": name, "pages": entries}, indent=1),
                                           encoding="utf-8")
        html_file = work / "html" / f"generated--{count}-pages.html"
        html_file.write_text(wrap_document("\n".join(html_bodies), name), encoding="utf-8")
        sources = sorted({p.html_source for p in chosen})
        return Document(name, "generated", folder, html_file, " + ".join(sources), count)

    if quick:
        first_corpus = next((d for d in docs if d.name.startswith("corpus/")), docs[0])
        # A real page with Confluence's HTML, preferably one with images.
        real_pages = [d for d in docs if d.html_source.startswith("confluence")]
        real = next((d for d in real_pages if "<img" in d.html_file.read_text(encoding="utf-8")),
                    real_pages[0] if real_pages else None)
        chosen = [first_corpus, real or next(d for d in docs if d is not first_corpus)]
        return chosen + [generated(10)]
    return docs + [generated(10), generated(LONG_DOCUMENT_PAGES)]


# --------------------------------------------------------------------------------------------
# Running the tools
# --------------------------------------------------------------------------------------------

@dataclass
class Run:
    document: str
    tool: str
    round: int  # 0 is the untimed warm-up
    ok: bool = False
    wall_s: float = None  # perf_counter around the process (GNU time's %e has 10 ms steps)
    user_s: float = None  # RUSAGE_CHILDREN delta: the tool and all its descendants (see become_subreaper)
    sys_s: float = None
    maxrss_kb: int = None  # /usr/bin/time %M: the largest single process
    tree_pss_kb: int = None  # sampled peak of the summed PSS of the process tree (warm-up run only)
    tree_rss_kb: int = None  # sampled peak of the summed RSS of the process tree (warm-up run only)
    time_output: str = None  # /usr/bin/time's own line: %e %U %S %M
    pdf_bytes: int = None
    pdf_pages: int = None
    error: str = None

    @property
    def cpu_s(self):
        return None if self.user_s is None else self.user_s + self.sys_s


def process_tree(root):
    """The pids of `root` and all its descendants, from /proc."""
    children = {}
    for name in os.listdir("/proc"):
        # Descendants started after `root` have larger pids (unless the pid counter wrapped around).
        if not name.isdigit() or int(name) <= root:
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def tree_memory_kb(root):
    """(PSS, RSS) summed over the processes below `root` (not `root` itself, /usr/bin/time), in KiB.
    PSS shares each shared page among the processes mapping it, so its sum is the tree's real
    footprint; the RSS sum counts shared pages (libraries, Chromium's shared memory) once per process."""
    pss = rss = 0
    for pid in process_tree(root)[1:]:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
                        break
        except (OSError, IndexError, ValueError):
            pass
    return pss, rss


class TreeSampler(threading.Thread):
    """Samples the memory of a process tree every SAMPLE_INTERVAL until stopped; keeps the peaks."""

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self.peak_pss, self.peak_rss = root, 0, 0
        self.stop = threading.Event()

    def run(self):
        start = time.monotonic()
        while not self.stop.is_set():
            pss, rss = tree_memory_kb(self.root)
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)
            # Short runs (folio's small pages take tens of ms) need fine sampling to be seen at all.
            elapsed = time.monotonic() - start
            self.stop.wait(0.005 if elapsed < 0.2 else 0.01 if elapsed < 1 else SAMPLE_INTERVAL)


def pdf_pages(path):
    try:
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=60).stdout
    except subprocess.TimeoutExpired:
        return None
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else None


def pdf_page_size(path):
    try:
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=60).stdout
    except subprocess.TimeoutExpired:
        return None
    m = re.search(r"^Page size:\s+(.*)$", out, re.M)
    return m.group(1).strip() if m else None


class Tools:
    """The command line of each tool for a document."""

    def __init__(self, folio, work):
        self.folio = folio
        self.work = work
        self.chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        self.wkhtmltopdf = shutil.which("wkhtmltopdf")
        self.weasyprint = resolve_shim(shutil.which("weasyprint"))

    def available(self):
        return {"folio": self.folio.exists(), "chromium": bool(self.chromium),
                "wkhtmltopdf": bool(self.wkhtmltopdf), "weasyprint": bool(self.weasyprint)}

    def command(self, tool, doc, out, profile):
        if tool == "folio":
            if doc.kind == "generated":
                # No cover and no table of contents: the HTML engines get neither.
                return [str(self.folio), "export", str(doc.folio_input), "--no-cover", "--no-toc",
                        "-o", str(out), "-q"]
            return [str(self.folio), "compile", str(doc.folio_input), "-o", str(out), "-q"]
        if tool == "chromium":
            return [self.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
                    f"--print-to-pdf={out}", doc.html_file.resolve().as_uri()]
        if tool == "wkhtmltopdf":
            # wkhtmltopdf ignores CSS @page: the same paper and margins as flags.
            return [self.wkhtmltopdf, "--quiet", "--enable-local-file-access", "--page-size", "A4",
                    "-T", "20mm", "-R", "20mm", "-B", "22mm", "-L", "20mm", str(doc.html_file), str(out)]
        if tool == "weasyprint":
            return [self.weasyprint, str(doc.html_file), str(out)]
        raise ValueError(tool)


def resolve_shim(path):
    """pyenv's shims are shell scripts that re-dispatch on every start (tens of ms): use the real
    script, as a plain installation would."""
    if path and "/.pyenv/shims/" in path:
        try:
            real = subprocess.run(["pyenv", "which", os.path.basename(path)], capture_output=True,
                                  text=True, timeout=30).stdout.strip()
            if real and os.path.exists(real):
                return real
        except (OSError, subprocess.TimeoutExpired):
            pass
    return path


def become_subreaper():
    """Makes this process the child subreaper (Linux prctl PR_SET_CHILD_SUBREAPER): a descendant whose
    parent exits before it -- Chromium's renderer and GPU processes, when the browser process exits --
    is reparented to this process instead of init, so that its CPU time is counted when it is reaped
    here (getrusage(RUSAGE_CHILDREN)). Without it Chromium's CPU time is undercounted: the renderer's
    seconds are lost. Returns whether it worked."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def reap_orphans(pgid, deadline_s=30):
    """Waits for the descendants left behind when the measured process exited (reparented here), so
    their CPU time is counted; kills those still running after `deadline_s`."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # no children left
        if pid == 0:
            if time.monotonic() > deadline:
                try:
                    os.killpg(pgid, 9)
                except OSError:
                    pass
                deadline = float("inf")
            time.sleep(0.005)


def measure(tools, tool, doc, round_, work, sample_memory=False):
    """Runs one tool on one document under /usr/bin/time; with `sample_memory`, samples the process
    tree's memory meanwhile (reading smaps_rollup of Chromium's processes takes ~20 ms of CPU a sample,
    which would slow the tools down on a small machine: only the untimed warm-up run does it)."""
    run = Run(doc.name, tool, round_)
    out = work / "out" / f"{tool}.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    timefile = work / "out" / "time.txt"
    if timefile.exists():
        timefile.unlink()
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-", dir=work))
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(timefile)] + tools.command(tool, doc, out, profile)
    stderr_file = tempfile.TemporaryFile()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr_file, start_new_session=True)
        sampler = TreeSampler(proc.pid)
        if sample_memory:
            sampler.start()
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            os.killpg(proc.pid, 9)

        timer = threading.Timer(RUN_TIMEOUT, kill)
        timer.start()
        # wait4 rather than Popen.wait, so that no other child is reaped before the wall time is taken.
        _, status, _ = os.wait4(proc.pid, 0)
        run.wall_s = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        timer.cancel()
        reap_orphans(proc.pid)
        # CPU: everything reaped since `before` -- /usr/bin/time (which includes the tool and the
        # children it waited for) and the orphans reaped here (µs resolution, unlike GNU time's %U %S).
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        sampler.stop.set()
        if sample_memory:
            sampler.join()
        if timed_out.is_set():
            run.error = f"timeout after {RUN_TIMEOUT} s"
        stderr_file.seek(0)
        stderr = stderr_file.read().decode("utf-8", "replace")
    finally:
        stderr_file.close()
        shutil.rmtree(profile, ignore_errors=True)
    run.user_s, run.sys_s = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    lines = timefile.read_text().strip().splitlines() if timefile.exists() else []
    m = re.match(r"([\d.]+) ([\d.]+) ([\d.]+) (\d+)$", lines[-1]) if lines else None
    if m:
        run.time_output = lines[-1]
        run.maxrss_kb = int(m.group(4))
    run.tree_pss_kb = sampler.peak_pss or None
    run.tree_rss_kb = sampler.peak_rss or None
    if proc.returncode != 0 and not run.error:
        tail = " | ".join(stderr.strip().splitlines()[-3:])
        run.error = f"exit {proc.returncode}: {tail[:300]}"
    elif not out.exists() or out.stat().st_size == 0:
        run.error = run.error or "no PDF written: " + " | ".join(stderr.strip().splitlines()[-3:])[:300]
    if not run.error:
        run.ok = True
        run.pdf_bytes = out.stat().st_size
        run.pdf_pages = pdf_pages(out)
    return run


# --------------------------------------------------------------------------------------------
# Warm (in-process) drivers
# --------------------------------------------------------------------------------------------

def warm_folio(folio_warm, docs, runs):
    """folio's warm driver: one process, fonts loaded once, each file compiled once to warm up and
    then `runs` times. All files in one process; if that fails (the driver stops at the first page
    that fails), one process per file, so that one failing page does not hide the others."""

    def invoke(files):
        cmd = [str(folio_warm), "--runs", str(runs), "--json"] + [str(f) for f in files]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT * 4)
        if proc.returncode != 0:
            raise RuntimeError(f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
        text = proc.stdout
        return json.loads(text[text.index("["):text.rindex("]") + 1])

    try:
        entries = invoke([d.folio_input for d in docs])
        errors = {}
    except (RuntimeError, ValueError):
        entries, errors = [], {}
        for d in docs:
            try:
                entries += invoke([d.folio_input])
            except (RuntimeError, ValueError) as e:
                errors[d.name] = str(e)
    by_file = {str(Path(e["file"]).resolve()): e for e in entries}
    result = {}
    for d in docs:
        entry = by_file.get(str(d.folio_input.resolve()))
        if entry:
            result[d.name] = {"median_ms": entry.get("median_ms"), "min_ms": entry.get("min_ms"),
                              "pages": entry.get("pages"), "pdf_bytes": entry.get("pdf_bytes")}
    return result, errors


WEASYPRINT_WARM = r"""
import json, sys, time, statistics
from weasyprint import HTML
files, runs = json.loads(sys.argv[1]), int(sys.argv[2])
HTML(string="<p>warm-up</p>").write_pdf()
out = {}
for path in files:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        doc = HTML(filename=path).render()
        pdf = doc.write_pdf()
        times.append((time.perf_counter() - t0) * 1000)
    out[path] = {"ms": times, "median_ms": statistics.median(times), "pages": len(doc.pages),
                 "pdf_bytes": len(pdf)}
print(json.dumps(out))
"""


def warm_weasyprint(weasyprint, docs, runs):
    """WeasyPrint in one Python process: the library imported once, each HTML file rendered `runs` times."""
    with open(weasyprint, "rb") as f:
        shebang = f.readline().decode().strip()
    python = shebang[2:].strip().split()[0] if shebang.startswith("#!") else sys.executable
    if python.endswith("/env"):
        python = shebang.split()[-1]
    files = [str(d.html_file) for d in docs]
    proc = subprocess.run([python, "-c", WEASYPRINT_WARM, json.dumps(files), str(runs)],
                          capture_output=True, text=True, timeout=RUN_TIMEOUT * 8)
    if proc.returncode != 0:
        raise RuntimeError(f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return {d.name: data[str(d.html_file)] for d in docs if str(d.html_file) in data}


class WarmChromium:
    """A persistent headless Chromium driven over the DevTools protocol: for each run, navigate to
    about:blank (untimed), then time Page.navigate to the document, the load event and Page.printToPDF
    until the PDF's bytes are back. That is what a PDF service keeping a browser running pays per page."""

    def __init__(self, chromium, work):
        import websocket  # websocket-client
        self.profile = Path(tempfile.mkdtemp(prefix="chromium-warm-", dir=work))
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "--remote-allow-origins=*",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = []
        while not targets:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as r:
                targets = [t for t in json.load(r) if t.get("type") == "page"]
            if not targets:
                time.sleep(0.1)
        self.ws = websocket.create_connection(targets[0]["webSocketDebuggerUrl"], timeout=RUN_TIMEOUT,
                                              suppress_origin=True, enable_multithread=False)
        self.next_id = 0
        self.events = []
        self.call("Page.enable")

    def call(self, method, params=None):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg["method"])

    def wait_event(self, name):
        while name not in self.events:
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg["method"])
        self.events.clear()

    def navigate(self, url):
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def render(self, html_file):
        """Returns (milliseconds, PDF bytes) of one render."""
        self.navigate("about:blank")
        t0 = time.perf_counter()
        self.navigate(html_file.resolve().as_uri())
        result = self.call("Page.printToPDF", {"preferCSSPageSize": True, "displayHeaderFooter": False})
        pdf = base64.b64decode(result["data"])
        return (time.perf_counter() - t0) * 1000, pdf

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        try:
            os.killpg(self.proc.pid, 9)
            self.proc.wait(timeout=30)
        except Exception:
            pass
        reap_orphans(self.proc.pid, 5)  # its helper processes, reparented to this subreaper
        shutil.rmtree(self.profile, ignore_errors=True)


def warm_chromium(chromium, docs, runs, work):
    browser = WarmChromium(chromium, work)
    result = {}
    try:
        browser.render(docs[0].html_file)  # warm-up: the first page load starts the renderer
        for d in docs:
            times = []
            for _ in range(runs):
                ms, pdf = browser.render(d.html_file)
                times.append(ms)
            out = work / "out" / "chromium-warm.pdf"
            out.write_bytes(pdf)
            result[d.name] = {"ms": times, "median_ms": statistics.median(times), "pages": pdf_pages(out),
                              "pdf_bytes": len(pdf)}
    finally:
        browser.close()
    return result


# --------------------------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------------------------

def output_of(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT)
        return (p.stdout.strip() or p.stderr.strip()).splitlines()[0] if (p.stdout or p.stderr) else ""
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "not available"


def machine_info():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": cpu, "ram_gib": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "os": output_of(["sh", "-c", ". /etc/os-release; echo $PRETTY_NAME"]),
            "loadavg_start": Path("/proc/loadavg").read_text().split()[:3]}


def typst_version():
    lock = (ROOT / "Cargo.lock").read_text()
    m = re.search(r'\[\[package\]\]\nname = "typst"\nversion = "([^"]+)"', lock)
    return m.group(1) if m else "unknown"


def versions(tools):
    return {
        "folio": f"{output_of([str(tools.folio), '--version'])} "
                 f"(git {output_of(['git', 'describe', '--always', '--dirty'])}, "
                 f"commit {output_of(['git', 'rev-parse', 'HEAD'])})",
        "typst": typst_version(),
        "chromium": output_of([tools.chromium, "--version"]) if tools.chromium else "missing",
        "wkhtmltopdf": output_of([tools.wkhtmltopdf, "--version"]) if tools.wkhtmltopdf else "missing",
        "weasyprint": output_of([tools.weasyprint, "--version"]) if tools.weasyprint else "missing",
        "pdfinfo": output_of(["pdfinfo", "-v"]),
        "python": platform.python_version(),
        "fonts covering Korean (`fc-list :lang=ko`)": output_of(["sh", "-c", "fc-list :lang=ko | wc -l"]),
    }


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def geomean(values):
    values = [v for v in values if v]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def fmt(value, digits=0):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def fmt_ratio(peer, folio):
    if peer is None or not folio:
        return "—"
    return f"{peer / folio:.1f}×"


def summarize(runs, docs):
    """Medians per (document, tool) over the timed, successful runs."""
    table = {}
    for d in docs:
        for tool in TOOLS:
            ok = [r for r in runs if r.document == d.name and r.tool == tool and r.round > 0 and r.ok]
            warmup = [r for r in runs if r.document == d.name and r.tool == tool and r.round == 0 and r.ok]
            table[d.name, tool] = {
                "n": len(ok),
                "wall_ms": median([r.wall_s * 1000 for r in ok]),
                "cpu_ms": median([r.cpu_s * 1000 for r in ok]),
                "maxrss_mb": median([r.maxrss_kb / 1024 for r in ok]),
                "tree_pss_mb": median([r.tree_pss_kb / 1024 for r in warmup if r.tree_pss_kb]),
                "tree_rss_mb": median([r.tree_rss_kb / 1024 for r in warmup if r.tree_rss_kb]),
                "pdf_kb": median([r.pdf_bytes / 1024 for r in ok]),
                "pages": median([r.pdf_pages for r in ok]),
            }
    return table


def metric_table(title, docs, table, key, digits, explain, total=True):
    lines = [f"### {title}", "", explain, "",
             "| document | folio | chromium | wkhtmltopdf | weasyprint | chromium / folio | wkhtmltopdf / folio | weasyprint / folio |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    sums = {t: 0.0 for t in TOOLS}
    complete = {t: True for t in TOOLS}
    for d in docs:
        vals = {t: table[d.name, t][key] for t in TOOLS}
        for t in TOOLS:
            if vals[t] is None:
                complete[t] = False
            else:
                sums[t] += vals[t]
        lines.append(f"| {d.name} | " + " | ".join(fmt(vals[t], digits) for t in TOOLS) + " | "
                     + " | ".join(fmt_ratio(vals[p], vals["folio"]) for p in PEERS) + " |")
    if total:
        lines.append("| **total** | " + " | ".join(
            ("**" + fmt(sums[t], digits) + "**") if complete[t] else fmt(sums[t], digits) + " (incomplete)"
            for t in TOOLS) + " | " + " | ".join(
            f"**{fmt_ratio(sums[p], sums['folio'])}**" for p in PEERS) + " |")
    gm = {p: geomean([table[d.name, p][key] / table[d.name, "folio"][key]
                      for d in docs if table[d.name, p][key] and table[d.name, "folio"][key]]) for p in PEERS}
    lines.append("| geometric mean of the ratios | | | | | " + " | ".join(
        f"{gm[p]:.1f}×" if gm[p] else "—" for p in PEERS) + " |")
    return "\n".join(lines) + "\n"


def summary_table(docs, table):
    """Totals over the single pages and over the generated documents, and the median memory."""
    groups = [("single pages", [d for d in docs if d.kind == "page"]),
              ("generated documents", [d for d in docs if d.kind == "generated"])]
    rows = []

    def row(label, values):
        rows.append(f"| {label} | " + " | ".join(fmt(values[t]) for t in TOOLS) + " | "
                    + " | ".join(fmt_ratio(values[p], values["folio"]) for p in PEERS) + " |")

    for group, members in groups:
        if not members:
            continue
        n = len(members)
        for key, label in (("wall_ms", "wall time, sum of medians (ms)"), ("cpu_ms", "CPU time, sum of medians (ms)"),
                           ("pdf_kb", "PDF size, sum (KB)"), ("pages", "PDF pages, sum")):
            values = {t: sum(table[d.name, t][key] or 0 for d in members)
                      if all(table[d.name, t][key] is not None for d in members) else None for t in TOOLS}
            row(f"{group} ({n}): {label}", values)
        for key, label in (("maxrss_mb", "peak RSS of the largest process, median (MB)"),
                           ("tree_pss_mb", "process-tree PSS, median (MB)")):
            values = {t: median([table[d.name, t][key] for d in members]) for t in TOOLS}
            row(f"{group} ({n}): {label}", values)
    return "\n".join(["### Summary", "",
                      "| | folio | chromium | wkhtmltopdf | weasyprint | chromium / folio | wkhtmltopdf / folio | weasyprint / folio |",
                      "|---|---:|---:|---:|---:|---:|---:|---:|"] + rows) + "\n"


def pages_table(docs, table):
    lines = ["### PDF page count", "",
             "Pages of the PDF each tool wrote (`pdfinfo`). Generated documents: every tool starts each "
             "Confluence page on a new page (folio's export, the HTML's `break-before`). wkhtmltopdf "
             "lays pages out at its own scale (\"smart shrinking\", on by default), so it tends to print "
             "fewer, denser pages; page counts also differ with each tool's fonts, line heights and table "
             "layout, and folio's footer (page numbers) takes room the HTML engines' pages do not have.", "",
             "| document | Confluence pages | folio | chromium | wkhtmltopdf | weasyprint | HTML from |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for d in docs:
        lines.append(f"| {d.name} | {d.pages} | " + " | ".join(fmt(table[d.name, t]["pages"]) for t in TOOLS)
                     + f" | {d.html_source} |")
    return "\n".join(lines) + "\n"


def warm_table(docs, table, warm, runs):
    have = [k for k in ("folio", "chromium", "weasyprint") if warm.get(k)]
    if not have:
        return ""
    lines = ["### Warm: one long-lived process per tool", "",
             f"Median milliseconds per document over {runs} renders inside one process "
             "(folio: `target/release/examples/warm`; Chromium: a persistent headless browser over the "
             "DevTools protocol, navigate + load + printToPDF; WeasyPrint: `HTML(...).write_pdf()` in one "
             "Python process). Cold folio (a fresh `folio compile` process) for reference. "
             "A column is empty when that driver was not available or failed.", "",
             "The last column reads the single-page target as the issue words it: folio warm (as a "
             "service renders) against Chromium's HTML to PDF as a fresh process per page "
             "(`chromium --headless --print-to-pdf`, the first table's median), as many render "
             "services still run it.", "",
             "| document | folio cold | folio warm | chromium warm | weasyprint warm | chromium warm / folio warm | weasyprint warm / folio warm | chromium fresh / folio warm |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    sums = {k: 0.0 for k in ("cold", "folio", "chromium", "weasyprint", "chromium_fresh")}
    at_20 = []
    for d in docs:
        v = {k: (warm.get(k) or {}).get(d.name, {}).get("median_ms") for k in ("folio", "chromium", "weasyprint")}
        cold = table[d.name, "folio"]["wall_ms"]
        fresh = (table.get((d.name, "chromium")) or {}).get("wall_ms")
        sums["cold"] += cold or 0
        sums["chromium_fresh"] += fresh or 0
        for k in v:
            sums[k] += v[k] or 0
        if d.kind == "page" and fresh and v["folio"]:
            at_20.append(fresh / v["folio"] >= 20)
        lines.append(f"| {d.name} | {fmt(cold)} | {fmt(v['folio'], 1)} | {fmt(v['chromium'], 1)} | "
                     f"{fmt(v['weasyprint'], 1)} | {fmt_ratio(v['chromium'], v['folio'])} | "
                     f"{fmt_ratio(v['weasyprint'], v['folio'])} | {fmt_ratio(fresh, v['folio'])} |")
    s = {k: (sums[k] or None) for k in sums}
    lines.append(f"| **total** | **{fmt(s['cold'])}** | **{fmt(s['folio'], 1)}** | **{fmt(s['chromium'], 1)}** | "
                 f"**{fmt(s['weasyprint'], 1)}** | **{fmt_ratio(s['chromium'], s['folio'])}** | "
                 f"**{fmt_ratio(s['weasyprint'], s['folio'])}** | "
                 f"**{fmt_ratio(s['chromium_fresh'], s['folio'])}** |")
    if at_20:
        lines += ["", f"Single pages at 20× or more, warm folio against a fresh Chromium: "
                      f"{sum(at_20)} of {len(at_20)}."]
    return "\n".join(lines) + "\n"


def report(args, command, machine, vers, docs, runs, table, warm, warm_errors, notes, started, finished, page_sizes):
    out = [f"# folio vs Chromium, wkhtmltopdf, WeasyPrint: side by side", "",
           f"Run {started} → {finished} (UTC). Command: `{command}`", ""]
    out += ["## Machine", "",
            f"- {machine['nproc']} CPUs: {machine['cpu']}; RAM {machine['ram_gib']} GiB; {machine['os']}, "
            f"Linux {machine['kernel']}",
            f"- load average at start {' '.join(machine['loadavg_start'])}, at end "
            f"{' '.join(machine['loadavg_end'])} (other work shares the machine: expect noise)", ""]
    out += ["## Versions", ""] + [f"- {k}: {v}" for k, v in vers.items()] + [""]
    out += ["## Method", "",
            f"- {len(docs)} documents, {args.runs} timed run(s) per tool and document, after one untimed "
            "warm-up run of each tool per document; tools interleaved round-robin within each document, "
            "the first tool rotating from round to round.",
            "- Every run is a fresh process under `/usr/bin/time -f '%e %U %S %M'`. Wall time: "
            "`perf_counter` around the process (ms resolution); CPU: user + sys of the whole process tree "
            "(getrusage of the harness's children; the harness is child subreaper, so the processes Chromium "
            "orphans when its browser process exits -- the renderer among them -- are counted too: GNU time's "
            "own `%U %S`, in the JSON, miss them); peak RSS: GNU time's `%M`. Medians over the runs.",
            "- folio: `folio compile PAGE.xhtml -o OUT.pdf -q` (attachments from the page's folder); "
            "generated documents: `folio export BUNDLE --no-cover --no-toc -o OUT.pdf -q`. "
            "chromium: `chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
            "--disable-background-networking --disable-component-update --disable-sync "
            "--user-data-dir=<fresh> --no-pdf-header-footer --print-to-pdf=OUT.pdf file:///...html`. "
            "wkhtmltopdf: `wkhtmltopdf --quiet --enable-local-file-access --page-size A4 -T 20mm -R 20mm "
            "-B 22mm -L 20mm IN.html OUT.pdf`. weasyprint: `weasyprint IN.html OUT.pdf`.",
            "- HTML: Confluence's own `page.html` (images pointed at the local files, remote images and "
            "emoticons replaced by their alt text, the client-side `toc` filled with the page's headings) "
            "when the page has one, else `bench/storage_to_html.py`; "
            "wrapped with a plain Confluence-like stylesheet, A4 with folio's margins (20 mm, 22 mm bottom).",
            "- Peak RSS (GNU time `%M`) is the largest *single* process; for Chromium (browser, renderer, GPU "
            "and utility processes) that understates; the process-tree PSS sum (sampled from /proc in the "
            "untimed warm-up run) is the better figure for Chromium.",
            "- Generated documents: an export bundle of the pages (each page's storage body without its "
            "`toc` macros, with its attachments; folio sets each page on a new page under its title), and "
            "the same pages' HTML without tables of contents, each under its title as `<h1>`, each page "
            "after the first in `<div style=\"break-before:page\">`.",
            "- Ratios are peer / folio: above 1× means folio is faster, leaner or smaller.",
            f"- Page sizes seen (first document): " + "; ".join(f"{t} {s}" for t, s in page_sizes.items()),
            ""]
    out += ["## Results", "", summary_table(docs, table)]
    out.append(metric_table("Wall time (ms, median)", docs, table, "wall_ms", 0,
                            "Elapsed time of one fresh process from start to exit."))
    out.append(metric_table("CPU time, user + sys (ms, median)", docs, table, "cpu_ms", 0,
                            "Includes the CPU of child processes (Chromium's renderer and helpers)."))
    out.append(metric_table("Peak RSS of the largest process (MB, median)", docs, table, "maxrss_mb", 0,
                            "GNU time `%M`: for Chromium, only its largest single process.", total=False))
    out.append(metric_table("Process-tree memory: PSS summed over all processes (MB, peak, warm-up run)",
                            docs, table, "tree_pss_mb", 0,
                            "Sampled in the untimed warm-up run only (sampling costs CPU that would slow the "
                            "timed runs down) from /proc/PID/smaps_rollup every 5 ms for the first 0.2 s, "
                            "every 10 ms until 1 s, then every 50 ms; each shared page is divided among "
                            "the processes that map it, so this is the tree's real footprint (a run shorter than "
                            "the interval may be missed or caught before its peak: `—` or an underestimate). The "
                            "RSS sum, which counts shared pages once per process, is in the JSON.", total=False))
    out.append(metric_table("PDF size (KB, median)", docs, table, "pdf_kb", 0, "Bytes of the PDF / 1024."))
    out.append(pages_table(docs, table))
    wt = warm_table(docs, table, warm, args.runs)
    if wt:
        out.append(wt)
    if warm_errors:
        out += ["Warm drivers skipped or failed:", ""] + [f"- {k}: {v}" for k, v in warm_errors.items()] + [""]
    failures = [r for r in runs if not r.ok]
    out += ["## Failures and notes", ""]
    if failures:
        out += [f"- {r.document} / {r.tool} / run {r.round}: {r.error}" for r in failures]
    else:
        out.append("- No run failed.")
    out += [f"- {n}" for n in notes]
    out += ["", f"Raw runs: `{args.json}`", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description="folio vs Chromium, wkhtmltopdf and WeasyPrint, side by side")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per tool and document (default 5)")
    ap.add_argument("--quick", action="store_true", help="smoke test: 1 run, 3 documents")
    ap.add_argument("--out", default="/tmp/folio-compare.md", help="Markdown report (default %(default)s)")
    ap.add_argument("--folio", default=str(ROOT / "target" / "release" / "folio"), help="the folio binary")
    ap.add_argument("--folio-warm", default=str(ROOT / "target" / "release" / "examples" / "warm"),
                    help="folio's warm driver (default: %(default)s; skipped when missing)")
    ap.add_argument("--only", help="measure only the documents whose name contains one of these "
                    "comma-separated strings (e.g. generated, corpus/api)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (HTML files, generated pages)")
    ap.add_argument("--no-warm", action="store_true", help="skip the warm (in-process) drivers")
    ap.add_argument("--command", help="the command line to show in the report")
    args = ap.parse_args()
    if args.quick:
        args.runs = 1
    args.out = str(Path(args.out).resolve())
    args.json = str(Path(args.out).with_suffix(".json"))
    command = args.command or " ".join(shlex.quote(a) for a in sys.argv)
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

    work = Path(tempfile.mkdtemp(prefix="folio-compare-"))
    notes = []
    tools = Tools(Path(args.folio), work)
    if not become_subreaper():
        notes.append("could not become child subreaper: CPU time of processes orphaned by the measured "
                     "tool (Chromium's renderer) is not counted")
    missing = [t for t, ok in tools.available().items() if not ok]
    if missing:
        sys.exit(f"compare.py: missing tools: {', '.join(missing)} (bench/compare.sh installs them)")
    if not shutil.which("pdfinfo") or not os.path.exists("/usr/bin/time"):
        sys.exit("compare.py: needs pdfinfo (poppler-utils) and /usr/bin/time (time)")
    if not QUERYPIE.is_dir():
        notes.append(f"{QUERYPIE} does not exist: only the project's corpus was measured")

    machine = machine_info()
    vers = versions(tools)
    pages = find_pages()
    docs = make_documents(pages, work, args.quick)
    if args.only:
        docs = [d for d in docs if any(part in d.name for part in args.only.split(","))]
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    log(f"compare: {len(docs)} documents x {len(TOOLS)} tools x {args.runs} runs; work folder {work}")

    runs = []
    page_sizes = {}
    for i, doc in enumerate(docs):
        for round_ in range(0, args.runs + 1):  # round 0: untimed warm-up
            order = TOOLS[round_ % len(TOOLS):] + TOOLS[:round_ % len(TOOLS)]
            for tool in order:
                run = measure(tools, tool, doc, round_, work, sample_memory=round_ == 0)
                runs.append(run)
                if i == 0 and round_ == 0 and run.ok:
                    page_sizes[tool] = pdf_page_size(work / "out" / f"{tool}.pdf")
                if not run.ok:
                    log(f"  FAILED {doc.name} {tool} run {round_}: {run.error}")
        s = {t: median([r.wall_s for r in runs if r.document == doc.name and r.tool == t and r.round > 0 and r.ok])
             for t in TOOLS}
        log(f"[{i + 1}/{len(docs)}] {doc.name}: " + ", ".join(f"{t} {fmt(s[t], 2)} s" for t in TOOLS))

    warm, warm_errors = {}, {}
    if not args.no_warm:
        folio_warm = Path(args.folio_warm)
        if folio_warm.exists():
            log(f"warm: folio ({folio_warm})")
            try:
                warm["folio"], failed = warm_folio(folio_warm, docs, args.runs)
                if failed:
                    warm_errors["folio"] = "; ".join(f"{k}: {v}" for k, v in failed.items())
            except Exception as e:  # the report says why
                warm_errors["folio"] = str(e)[:400]
        else:
            warm_errors["folio"] = f"{folio_warm} does not exist (build it with " \
                                   "`cargo build --release -p folio --example warm`)"
        try:
            import websocket  # noqa: F401
            log("warm: chromium over the DevTools protocol")
            try:
                warm["chromium"] = warm_chromium(tools.chromium, docs, args.runs, work)
            except Exception as e:
                warm_errors["chromium"] = f"{type(e).__name__}: {str(e)[:400]}"
        except ImportError:
            warm_errors["chromium"] = "the Python package websocket-client is not installed"
        log("warm: weasyprint in one Python process")
        try:
            warm["weasyprint"] = warm_weasyprint(tools.weasyprint, docs, args.runs)
        except Exception as e:
            warm_errors["weasyprint"] = f"{type(e).__name__}: {str(e)[:400]}"

    machine["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    finished = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    table = summarize(runs, docs)
    text = report(args, command, machine, vers, docs, runs, table, warm, warm_errors, notes, started,
                  finished, page_sizes)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    raw = {"command": command, "started": started, "finished": finished, "machine": machine, "versions": vers,
           "documents": [{**asdict(d), "folio_input": str(d.folio_input), "html_file": str(d.html_file)}
                         for d in docs],
           "runs": [{**asdict(r), "cpu_s": r.cpu_s} for r in runs],
           "medians": [{"document": k[0], "tool": k[1], **v} for k, v in table.items()],
           "warm": warm, "warm_errors": warm_errors, "notes": notes}
    Path(args.json).write_text(json.dumps(raw, indent=1, ensure_ascii=False), encoding="utf-8")
    print(text)
    log(f"report: {args.out}\nraw runs: {args.json}")
    if args.keep:
        log(f"work folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
