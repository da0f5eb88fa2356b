#!/usr/bin/env python3
"""Benchmark: whole processes, side by side in one run, medians, with ratios.

    .venv/bin/python bench/run.py            # full run (a few minutes)
    .venv/bin/python bench/run.py --quick    # fewer repetitions, 8-issue archive

Measures (see bench/README.md): (1) the floor — WeasyPrint alone rendering the
sample's plain text as unstyled HTML in the body font, cold process; (2) a cold
full build (PDF + PPTX + HTML, empty output); (3) a rebuild with nothing
changed; (4) a watch-mode rebuild after one paragraph is edited (warm process);
(5) an archive of copies of the sample built with --jobs 1 and --jobs 2:
per-issue time, speed-up, peak memory per worker. Also the output sizes, (6) the
typesetting of the sample and of the test issues, measured from their PDFs by
huoye.typography (``--typography`` measures only that), and (7) `huoye serve`: from a
save to the browser (headless Chromium) having the new HTML edition.
``--scale``: only (5) and (9) with --jobs 2, interleaved (24, 330, 24 issues) so that the
per-issue cost at both sizes sees the same moments of the shared machine.
(8) ``--largest``: cold full builds of the largest issue.md the loader accepts (the
sample's sections repeated up to just under 1 MB), on one core and on all: time, CPU time
and peak memory (targets: under
60 s and 600 MB). (9) the series at scale, 330 issues: cold per-issue time with
--jobs 2, a rebuild with nothing changed, peak memory per worker after its first issue
and at the end (``--series N``; skipped by --quick).
(10) ``--against REV``: the cold full build (2) of this tree and of another commit (or
checkout folder), alternated run by run, each tree building its own copy of its own
sample: medians of wall time and of CPU time (user + sys of the build and every process
it waited for), and their ratios.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SAMPLE = "2020-03"

TARGETS = {
    "full_vs_floor": 1.5, "full_s": 1.2, "nochange_s": 0.15, "watch_s": 0.5,
    "archive_per_issue_s": 0.6, "speedup": 1.7, "worker_mb": 300, "pdf_kb": 600,
    "series_nochange_s": 0.3, "reload_s": 0.2,
    "largest_s": 60, "largest_mb": 600,
}
LARGEST_DRIVER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - start, "status": run.returncode,
                  "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
                  "error": run.stderr.strip().splitlines()[-3:] if run.returncode else []}))
"""


def make_largest(work: Path) -> tuple[Path, int]:
    """A content folder whose issue.md is the sample with its sections before the
    recommendations repeated, up to just under the loader's 1 MB limit."""
    from huoye.load.text import MAX_TEXT_BYTES

    content = work / "largest"
    shutil.copytree(ROOT / "content", content)
    path = content / SAMPLE / "issue.md"
    text = path.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    at = body.index("{.recommendations}")
    at = body.rindex("\n## ", 0, at) + 1
    sections, recommendations = body[:at], body[at:]
    middle = sections
    while len((head + "\n---\n" + middle + sections + recommendations).encode()) < MAX_TEXT_BYTES - 1024:
        middle += sections
    path.write_text(head + "\n---\n" + middle + recommendations, encoding="utf-8")
    return content, path.stat().st_size


def largest(work: Path, jobs: int | None = 1) -> dict:
    """(8): one cold build (PDF, PPTX, HTML) of the largest issue: seconds, CPU seconds,
    peak MB of its largest process; `jobs` None: as the editor runs it (every core: the
    PDF in its own process beside the deck and the HTML edition)."""
    content, size = make_largest(work)
    cmd = [PY, "-c", LARGEST_DRIVER, PY, str(ROOT / "build.py"), str(content), "--out",
           str(work / f"out-largest-{jobs}"), "--force"] + (["--jobs", str(jobs)] if jobs else [])
    run = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["bytes"] = size
    result["jobs"] = jobs or "default"
    return result


def archive_run(work: Path, archive: Path, out: str, jobs: int, env: dict) -> dict:
    """One cold build of a whole archive in a fresh process (ARCHIVE_DRIVER): wall time,
    peak memory of each worker, and each worker's peak after its first issue."""
    r = subprocess.run([PY, "-c", ARCHIVE_DRIVER, str(archive), str(work / out), str(jobs)],
                       capture_output=True, text=True, env=env, cwd=work)
    if r.returncode:
        sys.exit(f"bench: archive driver failed:\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def scale(n_small: int, n_series: int, runs: int) -> list[tuple[str, float, str, str]]:
    """(5) and (9) alone, --jobs 2: a small archive, the series, the small archive again
    (its two runs bracket the series', so a drift of the machine shows), then a rebuild of
    the series with nothing changed, as a whole process."""
    work = Path(tempfile.mkdtemp(prefix="huoye-bench-"))
    try:
        shutil.copytree(ROOT / "content", work / "content")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        small, series = make_archive(work, n_small), make_archive(work, n_series)
        before = archive_run(work, small, "out-small-1", 2, env)
        big = archive_run(work, series, "out-series", 2, env)
        after = archive_run(work, small, "out-small-2", 2, env)
        quiet = [PY, str(ROOT / "build.py"), str(series), "-q", "-o", str(work / "out-series")]
        nochange = [timed(quiet, work, env) for _ in range(runs)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    per_small = [r["wall"] / n_small for r in (before, after)]
    per_big = big["wall"] / n_series
    mean_small = statistics.mean(per_small)
    rows = [
        (f"(5) archive of {n_small}, --jobs 2, per issue, before", per_small[0], "", ""),
        (f"(9) series of {n_series}, --jobs 2, per issue", per_big,
         f"{per_big / mean_small:.2f} × the {n_small}-issue cost", "no worse: ≤ 1.00"),
        (f"(5) archive of {n_small}, --jobs 2, per issue, after", per_small[1], "", ""),
        (f"(9) series of {n_series}, rebuild, nothing changed (median)", statistics.median(nochange),
         f"{min(nochange):.3f}–{max(nochange):.3f} s", f"≤ {TARGETS['series_nochange_s']} s"),
    ]
    for label, r in ((f"{n_small}", before), (f"{n_series}", big), (f"{n_small}", after)):
        peaks = ", ".join(f"{mb:.0f}" for _, mb in sorted(r["workers"].items()))
        rows.append((f"    peak MB per worker, {label} issues: first issue → all", r["first"],
                     f"→ {peaks}", f"≤ {TARGETS['worker_mb']} MB, flat"))
    return rows


def cold_usage(python: str, tree: Path, content: Path, work: Path) -> tuple[float, float]:
    """One cold full build (2) of the sample in `content` by `tree`'s build.py run by
    `python`, into a new output folder under `work`: (wall seconds, CPU seconds of the
    build and of the processes it waited for)."""
    out = work / f"out-{time.monotonic_ns()}"
    cmd = [python, str(tree / "build.py"), str(content / SAMPLE), "-q", "-o", str(out)]
    # Python's bytecode is cached as in an installed package (pip compiles it): a shell
    # with PYTHONDONTWRITEBYTECODE=1 would have each build compile huoye's source again,
    # which weighs on the tree with more code and is no cost of a build.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=dict(env, PYTHONPATH=str(tree)))
    err = proc.stderr.read() if proc.stderr else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{err.decode(errors='replace')}")
    shutil.rmtree(out, ignore_errors=True)
    return wall, usage.ru_utime + usage.ru_stime


def against(rev: str, runs: int) -> dict:
    """(10): cold full builds of this tree and of `rev` (a commit, or a checkout folder with
    its own .venv), alternated; each tree's python is its .venv's when it has one."""
    work = Path(tempfile.mkdtemp(prefix="huoye-against-"))
    other, made = Path(rev), False
    try:
        if not other.is_dir():
            other, made = work / "other-tree", True
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(other), rev],
                           check=True, capture_output=True)
        trees = {"this": ROOT.resolve(), "other": other.resolve()}
        pythons = {}
        for name, tree in trees.items():
            venv = tree / ".venv" / "bin" / "python"
            pythons[name] = str(venv) if venv.exists() else PY
            shutil.copytree(tree / "content", work / f"content-{name}")
        for name in trees:  # warm-up: font caches, pre-parsed declarations, the page cache
            cold_usage(pythons[name], trees[name], work / f"content-{name}", work)
        samples: dict[str, list[tuple[float, float]]] = {"this": [], "other": []}
        for k in range(runs):
            order = ("other", "this") if k % 2 else ("this", "other")
            for name in order:
                samples[name].append(cold_usage(pythons[name], trees[name],
                                                work / f"content-{name}", work))
        result = {"rev": rev, "runs": runs}
        for name in trees:
            result[f"{name}_wall_s"] = statistics.median(w for w, _c in samples[name])
            result[f"{name}_cpu_s"] = statistics.median(c for _w, c in samples[name])
        result["wall_ratio"] = result["this_wall_s"] / result["other_wall_s"]
        result["cpu_ratio"] = result["this_cpu_s"] / result["other_cpu_s"]
        result["samples"] = samples
        return result
    finally:
        if made:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)],
                           capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


def timed(cmd: list[str], cwd: Path, env=None) -> float:
    start = time.perf_counter()
    run = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{run.stderr}")
    return elapsed


def median_of(n: int, fn) -> float:
    return statistics.median(fn() for _ in range(n))


def floor_html(work: Path) -> Path:
    """The sample's plain text as unstyled HTML in the body font."""
    sys.path.insert(0, str(ROOT))
    from huoye.load import load_archive

    [issue] = load_archive(work / "content", [work / "content" / SAMPLE])
    texts = [issue.theme, issue.note] + [p.text for p in issue.paragraphs]
    body = "".join(f"<p>{html.escape(t)}</p>" for t in texts)
    path = work / "floor.html"
    head = '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>'
    path.write_text(f'{head}<body style="font-family: \'{issue.series.brand.serif}\'">'
                    f"{body}</body></html>", encoding="utf-8")
    return path


def make_archive(work: Path, n: int) -> Path:
    """A content folder with n copies of the sample under generated names and numbers."""
    content = work / f"archive-{n}"
    if content.exists():
        shutil.rmtree(content)
    content.mkdir()
    shutil.copy(work / "content" / "series.yaml", content / "series.yaml")
    text = (work / "content" / SAMPLE / "issue.md").read_text(encoding="utf-8")
    for k in range(n):
        year, number = 2001 + k // 12, k % 12 + 1
        issue = (text.replace("year: 2020", f"year: {year}").replace("number: 3", f"number: {number}")
                 .replace("serial: 328", f"serial: {100 + k}")
                 .replace("date: 2020-04-25", f"date: {year}-{number:02d}-25"))
        folder = content / f"{year}-{number:02d}"
        folder.mkdir()
        (folder / "issue.md").write_text(issue, encoding="utf-8")
    return content


ARCHIVE_DRIVER = """
import json, sys, time
from pathlib import Path
from huoye.build import BuildRequest, build
start = time.perf_counter()
results = build(BuildRequest(paths=[Path(sys.argv[1])], out_dir=Path(sys.argv[2]), force=True,
                             jobs=int(sys.argv[3])))
wall = time.perf_counter() - start
assert not any(r.error for r in results), [r.error for r in results if r.error]
workers, first = {}, {}
for r in results:  # a worker's peak only grows: its least is its peak after its first issue
    workers[r.worker] = max(workers.get(r.worker, 0), r.peak_rss_mb)
    first[r.worker] = min(first.get(r.worker, r.peak_rss_mb), r.peak_rss_mb)
print(json.dumps({"wall": wall, "issues": len(results), "workers": workers,
                  "first": max(first.values())}))
"""

WATCH_DRIVER = """
import json, logging, sys, time
from pathlib import Path
from huoye.build import BuildRequest, default_jobs
from huoye.watch import rebuild
content, out, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
issue = content / "{sample}" / "issue.md"
request = BuildRequest(paths=[content], out_dir=out, jobs=default_jobs(),  # as huoye watch
                       html_first=True, warm=True)
logging.getLogger("huoye.progress").setLevel(logging.INFO)
rebuild(request)                      # warm up: templates compiled, fonts configured
original = issue.read_text(encoding="utf-8")
times = []
for k in range(n):
    edited = original.replace("产业链的本质是", f"产业链的本质{'是' * (k + 2)}", 1)
    issue.write_text(edited, encoding="utf-8")
    start = time.perf_counter()
    rebuild(request)
    times.append(time.perf_counter() - start)
issue.write_text(original, encoding="utf-8")
print(json.dumps({"all": times}))
""".replace("{sample}", SAMPLE)


def serve_reload(content: Path, runs: int) -> dict | None:
    """(7) `huoye serve` on `content`, the sample's HTML edition open in headless Chromium:
    save an edited paragraph, and time until the browser has received the new page (the
    reloaded document's responseEnd, on the same clock as the save) and until it has
    parsed it (domContentLoadedEventEnd). None when Selenium or chromedriver is missing."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError:
        return None
    if not Path("/usr/bin/chromedriver").exists():
        return None
    import queue
    import re
    import threading
    from urllib.parse import quote

    proc = subprocess.Popen([PY, "-m", "huoye", "serve", str(content), "--port", "0", "-o",
                             str(content.parent / "out-serve")], cwd=content.parent,
                            stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), HUOYE_LANG="en"))
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stderr], daemon=True).start()
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,900"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    driver = None
    try:
        url = None
        while url is None:
            m = re.search(r"serving (http://\S+/)", lines.get(timeout=120))
            url = m and m.group(1)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.get(url + quote(f"{SAMPLE}/财经活页-{SAMPLE}.html"))
        issue = content / SAMPLE / "issue.md"
        original = issue.read_text(encoding="utf-8")
        received, parsed = [], []
        timing = ("var n = performance.getEntriesByType('navigation')[0];"
                  "return [performance.timeOrigin + n.responseEnd, "
                  "performance.timeOrigin + n.domContentLoadedEventEnd];")
        for k in range(runs + 1):  # the first edit warms the server: not counted
            word = f"本质{'是' * (k + 2)}"
            time.sleep(1.5)  # let the previous PDF and deck go on: a save comes now and then
            start = time.time()
            issue.write_text(original.replace("产业链的本质是", f"产业链的{word}", 1), encoding="utf-8")
            WebDriverWait(driver, 60, poll_frequency=0.02).until(
                lambda d, w=word: w in d.execute_script("return document.body.innerText"))
            at = driver.execute_script(timing)
            if k:
                received.append(at[0] / 1000 - start)
                parsed.append(at[1] / 1000 - start)
        issue.write_text(original, encoding="utf-8")
        return {"received": received, "parsed": parsed}
    finally:
        if driver is not None:
            driver.quit()
        proc.terminate()
        proc.wait(timeout=60)


def test_issues() -> list[Path]:
    """The sample and the test corpus (tests/fixtures/issues/*, when there)."""
    corpus = ROOT / "tests" / "fixtures" / "issues"
    found = sorted(p for p in corpus.glob("*") if (p / "issue.md").is_file()) if corpus.is_dir() else []
    return [ROOT / "content" / SAMPLE, *found]


def typography_rows(work: Path) -> list[tuple[str, dict]]:
    """Each issue's PDF built (PDF only) into `work` and measured by huoye.typography."""
    sys.path.insert(0, str(ROOT))
    from huoye import typography

    rows = []
    for folder in test_issues():
        out = work / f"typo-{folder.name}"
        run = subprocess.run([PY, str(ROOT / "build.py"), str(folder), "--format", "pdf", "-q",
                              "--force", "-o", str(out)], capture_output=True, text=True, cwd=work,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
        pdfs = sorted(out.rglob("*.pdf"))
        if run.returncode or not pdfs:
            rows.append((folder.name, {"error": (run.stderr or "no PDF").strip().splitlines()[-1]}))
            continue
        rows.append((folder.name, typography.measure(str(pdfs[0])).summary()))
    return rows


def print_typography(rows: list[tuple[str, dict]]) -> None:
    print("\n(6) typesetting, measured from each PDF (huoye.typography)\n")
    for name, figures in rows:
        print(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))


def main() -> None:
    # Python's bytecode is cached as in an installed package (pip compiles it): a shell with
    # PYTHONDONTWRITEBYTECODE=1 would have every measured process compile huoye's changed
    # modules again (a rebuild with nothing changed, 330 issues: 0.31 s with, measured).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 repetitions and an 8-issue archive")
    ap.add_argument("--runs", type=int, default=None, help="repetitions per measure (default 5)")
    ap.add_argument("--archive", type=int, default=None, help="issues in the archive (default 24)")
    ap.add_argument("--series", type=int, default=None,
                    help="issues in the series-scale archive (default 330, --quick 0: skipped)")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers as JSON here")
    ap.add_argument("--typography", action="store_true",
                    help="only (6): build each test issue's PDF and measure its typesetting")
    ap.add_argument("--scale", action="store_true",
                    help="only (5) and (9) with --jobs 2: per-issue cost, memory and freshness at scale")
    ap.add_argument("--largest", action="store_true",
                    help="only (8): time and peak memory of a build of the largest issue.md allowed")
    ap.add_argument("--against", metavar="REV", default=None,
                    help="only (10): cold full builds of this tree and of REV (a commit, or a "
                         "checkout folder with its own .venv), alternated: medians and ratios")
    args = ap.parse_args()
    if args.against:
        runs = args.runs or 10
        r = against(args.against, runs)
        print(f"(10) cold full build, this tree against {args.against}, {runs} alternated runs, "
              f"medians:\n  wall {r['this_wall_s']:.3f} s against {r['other_wall_s']:.3f} s: "
              f"× {r['wall_ratio']:.3f}\n  CPU  {r['this_cpu_s']:.3f} s against "
              f"{r['other_cpu_s']:.3f} s: × {r['cpu_ratio']:.3f}  (target: ≤ 1.05)")
        if args.json:
            args.json.write_text(json.dumps(r, indent=2))
        return
    if args.scale:
        rows = scale(args.archive or 24, args.series or 330, args.runs or 5)
        print(f"\nhuoye benchmark at scale; machine: {os.cpu_count()} cores\n")
        for name, sec, ratio, target in rows:
            print(f"{name:58s} {sec:8.3f}  {ratio:26s} {target}")
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if args.largest:
        sys.path.insert(0, str(ROOT))
        results = []
        for jobs in (1, None):  # one core, then as an editor runs it
            with tempfile.TemporaryDirectory(prefix="huoye-bench-") as work:
                r = largest(Path(work), jobs)
            results.append(r)
            print(f"(8) largest issue.md ({r['bytes'] / 2**20:.2f} MB), --jobs {r['jobs']}: exit "
                  f"{r['status']}, {r['seconds']:.1f} s (target ≤ {TARGETS['largest_s']} s; CPU "
                  f"{r['cpu_s']:.1f} s), peak {r['peak_mb']:.0f} MB (target ≤ "
                  f"{TARGETS['largest_mb']} MB)")
            for line in r["error"]:
                print(f"    {line}")
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
        return
    if args.typography:
        with tempfile.TemporaryDirectory(prefix="huoye-bench-") as work:
            print_typography(typography_rows(Path(work)))
        return
    runs = args.runs or (3 if args.quick else 5)
    n_archive = args.archive or (8 if args.quick else 24)
    n_series = args.series if args.series is not None else (0 if args.quick else 330)

    work = Path(tempfile.mkdtemp(prefix="huoye-bench-"))
    shutil.copytree(ROOT / "content", work / "content")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    build = [PY, str(ROOT / "build.py")]
    issue_dir = str(work / "content" / SAMPLE)
    rows, numbers = [], {}
    try:
        floor = floor_html(work)
        render_floor = "weasyprint.HTML(sys.argv[1]).write_pdf(sys.argv[2])"
        commands = {
            "floor": [PY, "-c", f"import sys, weasyprint; {render_floor}"],
            # For the record: the same, importing WeasyPrint as huoye does (preparsed).
            "floor_preparsed": [PY, "-c", "import sys; from huoye.render.weasyprint import preparsed; "
                                f"preparsed.install(); import weasyprint; {render_floor}"],
        }

        def cold():
            out = work / f"out-cold-{time.monotonic_ns()}"
            return timed(build + [issue_dir, "-q", "-o", str(out)], work, env)

        # Interleaved (floor, floor imported as huoye does, cold build; again ...), so that the
        # three medians see the same moments of a shared machine and their ratio is fair.
        samples = {"floor": [], "floor_preparsed": [], "full": []}
        for _ in range(runs):
            for name, command in commands.items():
                samples[name].append(timed(command + [str(floor), str(work / "floor.pdf")], work, env))
            samples["full"].append(cold())
        f, fp, full = (statistics.median(samples[k]) for k in ("floor", "floor_preparsed", "full"))
        numbers.update(floor_s=f, floor_preparsed_s=fp, full_s=full)
        rows.append(("(1) floor: WeasyPrint alone, plain text, cold", f, "1.00 × floor", ""))
        rows.append(("(1b) floor, WeasyPrint imported as huoye does", fp, f"{fp / f:.2f} × floor",
                     "(for reference)"))
        rows.append(("(2) cold full build (PDF+PPTX+HTML)", full, f"{full / f:.2f} × floor",
                     f"≤ {TARGETS['full_vs_floor']} × floor and ≤ {TARGETS['full_s']} s"))

        out = work / "out"
        timed(build + [issue_dir, "-q", "-o", str(out)], work, env)
        nochange = median_of(runs, lambda: timed(build + [issue_dir, "-q", "-o", str(out)], work, env))
        numbers["nochange_s"] = nochange
        rows.append(("(3) rebuild, nothing changed", nochange, f"{nochange / f:.2f} × floor",
                     f"≤ {TARGETS['nochange_s']} s"))

        w = subprocess.run([PY, "-c", WATCH_DRIVER, str(work / "content"), str(work / "out-watch"),
                            str(runs)], capture_output=True, text=True, env=env, cwd=work)
        if w.returncode:
            sys.exit(f"bench: watch driver failed:\n{w.stderr}")
        watched = json.loads(w.stdout.strip().splitlines()[-1])
        watch = statistics.median(watched["all"])
        numbers.update(watch_s=watch)
        rows.append(("(4) watch rebuild after one paragraph edit", watch, f"{watch / f:.2f} × floor",
                     f"≤ {TARGETS['watch_s']} s"))

        archive = make_archive(work, n_archive)
        results = {}
        for jobs in (1, 2):
            r = subprocess.run([PY, "-c", ARCHIVE_DRIVER, str(archive), str(work / f"out-a{jobs}"),
                                str(jobs)], capture_output=True, text=True, env=env, cwd=work)
            if r.returncode:
                sys.exit(f"bench: archive driver failed:\n{r.stderr}")
            results[jobs] = json.loads(r.stdout.strip().splitlines()[-1])
        half = make_archive(work, n_archive // 2)
        r = subprocess.run([PY, "-c", ARCHIVE_DRIVER, str(half), str(work / "out-half"), "2"],
                           capture_output=True, text=True, env=env, cwd=work)
        results["half"] = json.loads(r.stdout.strip().splitlines()[-1])
        per1 = results[1]["wall"] / n_archive
        per2 = results[2]["wall"] / n_archive
        per_half = results["half"]["wall"] / (n_archive // 2)
        speedup = results[1]["wall"] / results[2]["wall"]
        peak = max(max(r["workers"].values()) for r in (results[1], results[2]))
        numbers.update(archive_per_issue_1=per1, archive_per_issue_2=per2, speedup=speedup,
                       worker_mb=peak, archive_per_issue_half=per_half)
        rows.append((f"(5) archive of {n_archive}, --jobs 1, per issue", per1, "", ""))
        rows.append((f"(5) archive of {n_archive}, --jobs 2, per issue", per2,
                     f"speed-up {speedup:.2f}×",
                     f"≤ {TARGETS['archive_per_issue_s']} s, ≥ {TARGETS['speedup']}×"))
        rows.append((f"(5) archive of {n_archive // 2}, --jobs 2, per issue", per_half,
                     f"{per_half / per2:.2f} × the {n_archive}-issue cost", "linear: ≈ 1.00"))

        if n_series:
            series = make_archive(work, n_series)
            r = subprocess.run([PY, "-c", ARCHIVE_DRIVER, str(series), str(work / "out-series"),
                                "2"], capture_output=True, text=True, env=env, cwd=work)
            if r.returncode:
                sys.exit(f"bench: archive driver failed:\n{r.stderr}")
            results["series"] = json.loads(r.stdout.strip().splitlines()[-1])
            per_series = results["series"]["wall"] / n_series
            series_mb = max(results["series"]["workers"].values())
            quiet = [str(series), "-q", "-o", str(work / "out-series")]
            series_nochange = median_of(runs, lambda: timed(build + quiet, work, env))
            numbers.update(series_per_issue_2=per_series, series_worker_mb=series_mb,
                           series_worker_first_mb=results["series"]["first"],
                           series_nochange_s=series_nochange)
            rows.append((f"(9) series of {n_series}, --jobs 2, per issue", per_series,
                         f"{per_series / per2:.2f} × the {n_archive}-issue cost",
                         "no worse: ≤ 1.00"))
            rows.append((f"(9) series of {n_series}, rebuild, nothing changed", series_nochange,
                         "", f"≤ {TARGETS['series_nochange_s']} s"))
            rows.append((f"(9) series of {n_series}, peak MB per worker: first issue → all",
                         series_mb, f"{results['series']['first']:.0f} → {series_mb:.0f} MB",
                         "flat"))
        reload = serve_reload(work / "content", runs)
        if reload is None:
            rows.append(("(7) serve: save → browser has the new page", float("nan"), "",
                         "skipped: needs selenium and chromium-driver (make setup-test)"))
        else:
            got, shown = statistics.median(reload["received"]), statistics.median(reload["parsed"])
            numbers.update(reload_s=got, reload_parsed_s=shown)
            rows.append(("(7) serve: save → browser has the new page", got, "",
                         f"≤ {TARGETS['reload_s']} s"))
            rows.append(("(7) serve: save → the new page parsed", shown, "", "(for reference)"))

        out_files = {p.suffix: p.stat().st_size for p in (out / SAMPLE).iterdir()
                     if not p.name.startswith(".")}
        numbers["pdf_kb"] = out_files.get(".pdf", 0) / 1024
        numbers["pptx_kb"] = out_files.get(".pptx", 0) / 1024
        numbers["html_kb"] = out_files.get(".html", 0) / 1024
        typesetting = typography_rows(work)
        numbers["typography"] = dict(typesetting)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nhuoye benchmark — {runs} runs each, medians; machine: {os.cpu_count()} cores\n")
    print(f"{'measure':50s} {'seconds':>8s}  {'ratio':22s} target")
    for name, sec, ratio, target in rows:
        print(f"{name:50s} {sec:8.3f}  {ratio:22s} {target}")
    print(f"{'peak memory per worker (MB)':50s} {numbers['worker_mb']:8.0f}  {'':22s} "
          f"≤ {TARGETS['worker_mb']} MB")
    print(f"{'sizes: PDF / PPTX / HTML (KB)':50s} {numbers['pdf_kb']:8.0f}  "
          f"{numbers['pptx_kb']:.0f} / {numbers['html_kb']:.0f}{'':12s} PDF ≤ {TARGETS['pdf_kb']} KB")
    print_typography(typesetting)
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2))


if __name__ == "__main__":
    main()
