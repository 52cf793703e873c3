"""Ingest benchmarks (not tests): speed per format against the bare libraries, scaling with workers,
peak memory of the whole process tree, the no-op re-run, and the views over 100,000 reports.

    python benchmarks/run.py corpus  --n 1000 --formats pdf,docx,html,txt --out /tmp/xxgk-bench/c1000
    python benchmarks/run.py marginal --n 540                  # marginal cost per doc vs serial bare parse
    python benchmarks/run.py startup --repeat 3                # fixed cost of a run, per milestone
    python benchmarks/run.py formats --n 200                   # docs/s per format + bare-library ratio
    python benchmarks/run.py speedup --n 240                   # --workers 1 vs all cores, mixed formats
    python benchmarks/run.py scale   --n 10000                 # peak RSS, then the no-op re-run
    python benchmarks/run.py workermem --n 2400 --formats docx  # one parser worker's RSS over many files
    python benchmarks/run.py views   --db WAREHOUSE --reports 100000

Every command prints one JSON object per measurement (``--json-out`` appends them to a file too).

How the corpus is made new: each file is a committed corpus document (seeds + synthetic, scans left
out) with its numbers rewritten, so no two files share a sha256 and each one must be parsed:
- txt, html: every number of 2+ digits that is not a year (19xx/20xx) is raised by k (k = 1, 2, …:
  the k-th copy of that source); for HTML only text between tags is touched (never colspan/rowspan).
  Byte-level, so GBK and UTF-8 files stay valid.
- docx: the same rewrite inside ``<w:t>`` runs of word/document.xml, re-zipped.
- pdf: values are NOT varied (rewriting a PDF content stream is not cheap and honest); each copy gets
  a trailing comment line after ``%%EOF`` (``%xxgk-bench <k>``), which readers ignore but which makes
  the bytes, hence the sha256, new.
Copies of one source keep its agency and year, so from the second copy on the writer records them as
new versions of that report (one more UPDATE per document than a corpus of distinct reports).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import duckdb
import psutil

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
FORMATS = ("pdf", "docx", "html", "txt")
XXGK = Path(sys.executable).with_name("xxgk")
DEFAULT_ROOT = Path(os.environ.get("XXGK_BENCH_DIR", "/tmp/xxgk-bench"))

_JSON_OUT: Path | None = None
_ROOT = DEFAULT_ROOT


def emit(name: str, **values: object) -> dict:
    record = {"measure": name, **values}
    line = json.dumps(record, ensure_ascii=False, default=str)
    print(line, flush=True)
    if _JSON_OUT is not None:
        with _JSON_OUT.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    return record


# ---- corpus -------------------------------------------------------------------------------------------

_NUMBER = re.compile(rb"\d+")
_HTML_TEXT = re.compile(rb">([^<]+)<")
_DOCX_TEXT = re.compile(rb"(<w:t(?:\s[^>]*)?>)([^<]*)(</w:t>)")


def _bump(data: bytes, k: int) -> bytes:
    def repl(m: re.Match[bytes]) -> bytes:
        s = m.group()
        if len(s) < 2 or (len(s) == 4 and s[:2] in (b"19", b"20")):
            return s
        return str(int(s) + k).encode()

    return _NUMBER.sub(repl, data)


def vary(src: Path, k: int) -> bytes:
    data = src.read_bytes()
    fmt = src.suffix.lstrip(".")
    if fmt == "txt":
        return _bump(data, k)
    if fmt == "html":
        return _HTML_TEXT.sub(lambda m: b">" + _bump(m.group(1), k) + b"<", data)
    if fmt == "docx":
        out = bytearray()
        import io

        buf = io.BytesIO()
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w") as zout:
            for info in zin.infolist():
                body = zin.read(info)
                if info.filename == "word/document.xml":
                    body = _DOCX_TEXT.sub(lambda m: m.group(1) + _bump(m.group(2), k) + m.group(3), body)
                zout.writestr(info, body, compress_type=info.compress_type)
        out += buf.getvalue()
        return bytes(out)
    if fmt == "pdf":
        return data + b"\n%xxgk-bench " + str(k).encode() + b"\n"
    raise ValueError(fmt)


def sources(fmt: str) -> list[Path]:
    return sorted(
        p
        for sub in ("seeds", "synthetic")
        for p in (CORPUS / sub).glob(f"*.{fmt}")
        if not p.name.endswith(".scanned.pdf")
    )


def make_corpus(out: Path, n: int, formats: list[str]) -> dict[str, list[Path]]:
    """n files split evenly over ``formats`` under out/<fmt>/; reuses an existing complete corpus."""
    files: dict[str, list[Path]] = {}
    per = [n // len(formats) + (1 if i < n % len(formats) else 0) for i in range(len(formats))]
    old = time.time() - 3600  # older than any settle window
    for fmt, count in zip(formats, per, strict=True):
        folder = out / fmt
        srcs = sources(fmt)
        existing = sorted(folder.glob(f"*.{fmt}")) if folder.is_dir() else []
        if len(existing) == count:
            files[fmt] = existing
            continue
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        made = []
        for j in range(count):
            src = srcs[j % len(srcs)]
            k = 1 + j // len(srcs)
            dst = folder / f"{j:05d}-{src.stem}.{fmt}"
            dst.write_bytes(vary(src, k))
            os.utime(dst, (old, old))
            made.append(dst)
        files[fmt] = made
    return files


def distinct(files: list[Path]) -> int:
    import hashlib

    return len({hashlib.sha256(p.read_bytes()).hexdigest() for p in files})


def mixed_drop(root: Path, files: dict[str, list[Path]]) -> Path:
    """One drop dir of hard links to every format's files (same inode: no extra disk, same mtime)."""
    drop = root / "mixed"
    if drop.is_dir():
        shutil.rmtree(drop)
    drop.mkdir(parents=True)
    for fmt, paths in files.items():
        (drop / fmt).mkdir()
        for p in paths:
            os.link(p, drop / fmt / p.name)
    return drop


# ---- bare library parse -------------------------------------------------------------------------------


def bare_parse(path: str) -> int:
    """What the libraries alone cost for one file: the floor our extract+transform sits on."""
    fmt = Path(path).suffix.lstrip(".")
    if fmt == "pdf":
        import pdfplumber

        n = 0
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                n += len(page.extract_tables())
                n += len(page.extract_text() or "")
                page.close()
        return n
    if fmt == "docx":
        import docx

        document = docx.Document(path)
        n = 0
        for table in document.tables:
            for row in table.rows:
                for cell in row.cells:
                    n += len(cell.text)
        n += sum(len(p.text) for p in document.paragraphs)
        return n
    if fmt == "html":
        import lxml.html

        return len(lxml.html.fromstring(Path(path).read_bytes()).text_content())
    return len(Path(path).read_bytes().decode("utf-8", errors="replace"))


def time_bare(paths: list[Path], processes: int) -> float:
    started = time.perf_counter()
    if processes <= 1:
        for p in paths:
            bare_parse(str(p))
    else:
        ctx = mp.get_context("forkserver")
        with ctx.Pool(processes) as pool:
            list(pool.imap_unordered(bare_parse, [str(p) for p in paths], chunksize=4))
    return time.perf_counter() - started


# ---- ingest through the real CLI ----------------------------------------------------------------------


def _role(proc: psutil.Process) -> str:
    """What a process of the ingest's tree is, from its command line (a parser worker is forked from
    the forkserver and shows the forkserver's command line)."""
    cmd = proc.cmdline()
    text = " ".join(cmd)
    if "forkserver import main" in text:
        parent = proc.parent()
        return (
            "parser_workers"
            if parent is not None and "forkserver" in " ".join(parent.cmdline())
            else "forkserver"
        )
    if "resource_tracker" in text:
        return "resource_tracker"
    if "uvicorn" in cmd or "flows.cli.prefect_server" in cmd:  # Prefect's own start, or xxgk's
        return "prefect_server"
    if len(cmd) > 1 and Path(cmd[1]).name == "xxgk":
        return "cli_flow_process"
    return "other"


class TreeSampler:
    """Peak RSS summed over a process and all its descendants (shared pages are counted in each
    process, so this over-states real use a little)."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.proc = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self.breakdown: list[tuple[int, str]] = []
        self.cpu: dict[int, tuple[str, float]] = {}
        """pid → (command, CPU seconds user + system) when last seen. A process's own time only: every
        descendant is sampled itself, so the children's times its parent collects would count twice."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def cpu_seconds(self) -> float:
        """CPU of the whole tree as last sampled (each process's last < ``every`` s is not seen)."""
        return sum(cpu for _, cpu in self.cpu.values())

    def cpu_by_role(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for role, cpu in self.cpu.values():
            out[role] = round(out.get(role, 0.0) + cpu, 2)
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
            except psutil.Error:
                return
            parts = []
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    parts.append((rss >> 20, " ".join(p.cmdline()[1:3])[-60:]))
                    total += rss
                    t = p.cpu_times()
                    role = self.cpu[p.pid][0] if p.pid in self.cpu else _role(p)  # a zombie has no cmdline
                    self.cpu[p.pid] = (role, t.user + t.system)
                except psutil.Error:
                    pass
            if total > self.peak:
                self.peak, self.breakdown = total, sorted(parts, reverse=True)
            self._stop.wait(self.every)


def prefect_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PREFECT_HOME", str(_ROOT / "prefect-home"))
    Path(env["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    return env


def ingest(drop: Path, db: Path, workers: int | None = None, *extra: str, progress: str = "none") -> dict:
    """One ``xxgk ingest`` subprocess: CLI wall time, flow body time (ingest_runs.duration_seconds),
    counts, and the peak RSS of the CLI's whole process tree (Prefect's temporary server included)."""
    cmd = [str(XXGK), "ingest", str(drop), "--db", str(db), "--progress", progress, *extra]
    if workers:
        cmd += ["--workers", str(workers)]
    runs_before = _run_count(db)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=prefect_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: list[str] = []
    with TreeSampler(proc.pid) as sampler:
        assert proc.stdout is not None
        for raw in proc.stdout:  # each output line with the time it arrived (the start-up figures)
            lines.append(f"{time.perf_counter() - started:.3f}\t{raw.decode(errors='replace')}")
        proc.wait()
    out = "".join(line.split("\t", 1)[1] for line in lines).encode()
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"xxgk ingest failed ({proc.returncode}):\n{out.decode()[-3000:]}")
    text = "".join(lines)
    if _run_count(db) == runs_before:  # the no-op shortcut ended the run before Prefect: no row
        m = _SUMMARY.search(out.decode(errors="replace"))
        if m is None:
            raise RuntimeError(f"no run recorded and no summary line:\n{text[-3000:]}")
        counts = {k: int(v) for k, v in m.groupdict().items()}
        return {"cli_wall": round(wall, 2), "flow_seconds": None, "recorded": False, **counts,
                "peak_rss_mb": sampler.peak >> 20, "tree_cpu_s": round(sampler.cpu_seconds, 2),
                "output": text}  # fmt: skip
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            "SELECT duration_seconds, seen, unchanged, parsed, loaded, duplicate, rejected "
            "FROM ingest_runs ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    keys = ("flow_seconds", "seen", "unchanged", "parsed", "loaded", "duplicate", "rejected")
    return {
        "cli_wall": round(wall, 2),
        **dict(zip(keys, row, strict=True)),
        "recorded": True,
        "peak_rss_mb": sampler.peak >> 20,
        "peak_breakdown_mb": sampler.breakdown[:6],
        "tree_cpu_s": round(sampler.cpu_seconds, 2),
        "cpu_by_process_s": sampler.cpu_by_role(),
        "output": text,
    }


_SUMMARY = re.compile(
    r"Summary: (?P<seen>\d+) seen, (?P<unchanged>\d+) unchanged, (?P<loaded>\d+) loaded, "
    r"(?P<rejected>\d+) rejected, (?P<duplicate>\d+) duplicate(?:, \d+ deferred)?(?:, \d+ skipped)?; "
    r"parsed (?P<parsed>\d+)"
)


def _run_count(db: Path) -> int:
    if not db.exists():
        return 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0]
    finally:
        con.close()


def fresh(db: Path) -> Path:
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    db.parent.mkdir(parents=True, exist_ok=True)
    return db


def machine() -> dict:
    import importlib.metadata as md

    return {
        "nproc": os.cpu_count(),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        **{pkg: md.version(pkg) for pkg in ("duckdb", "prefect", "pdfplumber", "python-docx", "lxml")},
    }


# ---- commands -----------------------------------------------------------------------------------------


def cmd_corpus(args: argparse.Namespace) -> None:
    files = make_corpus(args.out, args.n, args.formats)
    for fmt, paths in files.items():
        emit("corpus", format=fmt, files=len(paths), distinct_sha256=distinct(paths), dir=str(args.out / fmt))


def cmd_formats(args: argparse.Namespace) -> None:
    """Per format: bare libraries on 1 and all cores, then our ingest on all cores."""
    root = args.root / f"formats-{args.n}"
    files = make_corpus(root / "corpus", args.n, args.formats)
    workers = os.cpu_count() or 1
    for fmt, paths in files.items():
        bare_1 = time_bare(paths, 1)
        bare_n = time_bare(paths, workers)
        run = ingest(root / "corpus" / fmt, fresh(root / f"{fmt}.duckdb"), workers)
        emit(
            "format",
            format=fmt,
            docs=len(paths),
            workers=workers,
            bare_1core_s=round(bare_1, 2),
            bare_allcores_s=round(bare_n, 2),
            **_strip(run),
            docs_per_s_flow=round(len(paths) / run["flow_seconds"], 2),
            docs_per_s_cli=round(len(paths) / run["cli_wall"], 2),
            # against the faster of the two bare timings (a pool's start-up dominates tiny corpora)
            ratio_flow_vs_bare=round(run["flow_seconds"] / min(bare_1, bare_n), 2),
            ratio_cli_vs_bare=round(run["cli_wall"] / min(bare_1, bare_n), 2),
            machine=machine(),
        )


def cmd_speedup(args: argparse.Namespace) -> None:
    root = args.root / f"speedup-{args.n}"
    files = make_corpus(root / "corpus", args.n, args.formats)
    drop = mixed_drop(root, files)
    workers = os.cpu_count() or 1
    one = ingest(drop, fresh(root / "w1.duckdb"), 1)
    emit("speedup_run", workers=1, **_strip(one), machine=machine())
    many = ingest(drop, fresh(root / f"w{workers}.duckdb"), workers)
    emit("speedup_run", workers=workers, **_strip(many), machine=machine())
    emit(
        "speedup",
        docs=sum(len(v) for v in files.values()),
        workers=workers,
        flow_speedup=round(one["flow_seconds"] / many["flow_seconds"], 2),
        cli_speedup=round(one["cli_wall"] / many["cli_wall"], 2),
        tree_cpu_s=(one["tree_cpu_s"], many["tree_cpu_s"]),
    )


def cmd_scale(args: argparse.Namespace) -> None:
    """A large mixed run (peak RSS), then the same command again: the no-op re-run."""
    root = args.root / f"scale-{args.n}"
    files = make_corpus(root / "corpus", args.n, args.formats)
    drop = mixed_drop(root, files)
    db = root / "warehouse.duckdb"
    if not args.keep_db:
        fresh(db)
        run = ingest(drop, db, None)
        emit("scale_run", docs=sum(len(v) for v in files.values()), **_strip(run), machine=machine())
    for i in range(args.noop_runs):
        for extra in ((), ("--no-shortcut",)):  # the pre-Prefect check, and the full flow anyway
            run = ingest(drop, db, None, *extra)
            emit("noop_rerun", attempt=i + 1, shortcut=not extra, **_strip(run), machine=machine())


def _bare_serial(paths: list[Path]) -> tuple[float, float]:
    """(wall, CPU) seconds of the bare libraries over ``paths``, one file after another."""
    wall, cpu = time.perf_counter(), time.process_time()
    for p in paths:
        bare_parse(str(p))
    return time.perf_counter() - wall, time.process_time() - cpu


def _strip(run: dict) -> dict:
    return {k: v for k, v in run.items() if k != "output"}


def cmd_workermem(args: argparse.Namespace) -> None:
    """Resident memory of one parser worker over many files of one format: the worker entry point
    (collects each document's garbage) against bare ``parse_file`` (what the worker did before)."""
    files = make_corpus(args.root / f"workermem-{args.n}", args.n, args.formats)
    for fmt, paths in files.items():
        for entry in ("parse_in_worker", "parse_file"):
            code = (
                "import sys, time, psutil\n"
                f"from flows.ingest.parsing import {entry} as parse, sha256_file\n"
                "me, rss, cpu = psutil.Process(), [], time.process_time()\n"
                "for p in sys.argv[1:]:\n"
                "    parse(p, sha256_file(p)); rss.append(me.memory_info().rss >> 20)\n"
                "print(rss[0], max(rss), rss[-1], round(1000 * (time.process_time() - cpu) / len(rss), 1))\n"
            )
            out = subprocess.run(
                [sys.executable, "-c", code, *map(str, paths)], cwd=REPO, capture_output=True, text=True,
                check=True,
            ).stdout.split()  # fmt: skip
            first, peak, last, ms = (float(x) for x in out)
            emit(
                "worker_memory", format=fmt, entry=entry, files=len(paths), rss_first_mb=first,
                rss_peak_mb=peak, rss_last_mb=last, cpu_ms_per_file=ms, machine=machine(),
            )  # fmt: skip


def cmd_marginal(args: argparse.Namespace) -> None:
    """The marginal ingest cost per document against the serial bare parse, on a corpus made fresh:
    (T(n) − T(n/3)) / (B(n) − B(n/3)), T a default-workers ingest (flow body and CLI wall), B the bare
    libraries one file after another in one process. Also in CPU seconds (the whole process tree's
    against the bare parse's process time), which a loaded machine distorts far less than wall time."""
    root = args.root / f"marginal-{args.n}"
    shutil.rmtree(root, ignore_errors=True)
    files = make_corpus(root / "corpus", args.n, args.formats)
    small = {fmt: paths[: len(paths) // 3] for fmt, paths in files.items()}
    big_drop = mixed_drop(root / "big", files)
    small_drop = mixed_drop(root / "small", small)
    big_paths = [p for v in files.values() for p in v]
    small_paths = [p for v in small.values() for p in v]
    (b_big, c_big), (b_small, c_small) = _bare_serial(big_paths), _bare_serial(small_paths)
    t_big = ingest(big_drop, fresh(root / "big.duckdb"), args.workers)
    t_small = ingest(small_drop, fresh(root / "small.duckdb"), args.workers)
    emit(
        "marginal",
        docs=(len(small_paths), len(big_paths)),
        workers=args.workers or os.cpu_count(),
        bare_serial_s=(round(b_small, 2), round(b_big, 2)),
        bare_serial_cpu_s=(round(c_small, 2), round(c_big, 2)),
        flow_s=(t_small["flow_seconds"], t_big["flow_seconds"]),
        cli_wall_s=(t_small["cli_wall"], t_big["cli_wall"]),
        tree_cpu_s=(t_small["tree_cpu_s"], t_big["tree_cpu_s"]),
        cpu_by_process_s=(t_small["cpu_by_process_s"], t_big["cpu_by_process_s"]),
        peak_rss_mb=(t_small["peak_rss_mb"], t_big["peak_rss_mb"]),
        marginal_flow_vs_bare=round((t_big["flow_seconds"] - t_small["flow_seconds"]) / (b_big - b_small), 2),
        marginal_cli_vs_bare=round((t_big["cli_wall"] - t_small["cli_wall"]) / (b_big - b_small), 2),
        marginal_cpu_vs_bare_cpu=round((t_big["tree_cpu_s"] - t_small["tree_cpu_s"]) / (c_big - c_small), 2),
        loaded=(t_small["loaded"], t_big["loaded"]),
        rejected=(t_small["rejected"], t_big["rejected"]),
        machine=machine(),
    )


_LOG_TIME = re.compile(r"^(?P<at>[\d.]+)\t(?:\d\d:\d\d:\d\d\.\d+ \| \w+ +\| )?(?P<text>.*)$")
_MILESTONES = (
    ("flow_run_begins", "Beginning flow run"),
    ("staging_copied", "Task run 'prepare_staging"),
    ("discovered", "Task run 'discover_files"),
    ("first_document_loaded", "loaded\t"),
    ("model_refreshed", "Task run 'refresh_model"),
    ("run_recorded", "Task run 'record_run"),
    ("published", "Task run 'publish_warehouse"),
    ("run_report", "Task run 'publish_run_report"),
    ("flow_run_ends", "Flow run '"),
    ("summary_printed", "Summary:"),
)


def cmd_startup(args: argparse.Namespace) -> None:
    """The fixed cost of a run that loads something: one fresh document into a fresh warehouse, with
    the arrival time of each milestone of the run (seconds after the command started), and the CPU of
    the whole process tree. The Prefect home is reused (its first start migrates a database)."""
    root = args.root / "startup"
    for attempt in range(args.repeat):
        files = make_corpus(root / f"corpus-{attempt}", 1, ["txt"])
        for p in files["txt"]:  # a new hash every attempt: one document to parse and load
            p.write_bytes(p.read_bytes() + f"\n{time.time_ns()}\n".encode())
            os.utime(p, (time.time() - 3600,) * 2)
        run = ingest(root / f"corpus-{attempt}" / "txt", fresh(root / "w.duckdb"), None, "--verbose",
                     progress="plain")  # fmt: skip
        marks: dict[str, float] = {}
        for line in run["output"].splitlines():
            m = _LOG_TIME.match(line)
            if not m:
                continue
            for name, needle in _MILESTONES:
                if (
                    name not in marks
                    and needle in m.group("text")
                    and (name != "flow_run_ends" or "Finished" in m.group("text"))
                ):
                    marks[name] = float(m.group("at"))
        emit("startup", attempt=attempt + 1, **_strip(run), milestones_s=marks, machine=machine())


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall()]


def grow(con: duckdb.DuckDBPyConnection, reports: int) -> int:
    """Replicate the *current* reports until ``reports`` reports are current: copy c of report r gets
    report_id r~c, agency_id a~c (a new agency, so every copy stays current) and path p~c;
    facts/checks/narratives/documents follow. All in SQL, one INSERT … SELECT per table.

    Only current reports are copied: the benchmark corpus repeats each source document, so most of
    its reports are superseded versions, and views over current reports would otherwise see few rows."""
    base = con.execute("SELECT count(*) FROM reports WHERE is_current").fetchone()[0]
    copies = math.ceil(reports / base)
    tables = [
        t
        for (t,) in con.execute(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'report_id' "
            "AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE')"
        ).fetchall()
    ]
    suffixed = {"report_id", "agency_id", "supersedes", "path", "source_path", "sha256"}
    for table in tables:
        cols = [c for c in _columns(con, table) if c in suffixed]
        replace = ", ".join(f"CASE WHEN {c} IS NULL THEN NULL ELSE {c} || '~' || k END AS {c}" for c in cols)
        con.execute(
            f"CREATE TEMP TABLE base_{table} AS SELECT * FROM {table} "
            "WHERE report_id IN (SELECT report_id FROM reports WHERE is_current)"
        )
        con.execute(
            f"INSERT INTO {table} SELECT * EXCLUDE (k) REPLACE ({replace}) "
            f"FROM base_{table}, range(1, {copies}) t(k)"
        )
    return base * copies


def cmd_views(args: argparse.Namespace) -> None:
    big = args.root / f"views-{args.reports}.duckdb"
    if args.rebuild or not big.exists():
        fresh(big)
        shutil.copyfile(args.db, big)
        con = duckdb.connect(str(big))
        started = time.perf_counter()
        total = grow(con, args.reports)
        con.execute("CHECKPOINT")
        con.close()
        emit("views_build", reports=total, seconds=round(time.perf_counter() - started, 1))
    # re-create the views from the current sql/ files (they change while other work goes on)
    sys.path.insert(0, str(REPO))
    from flows.warehouse.writer import open_warehouse

    started = time.perf_counter()
    with open_warehouse(big):  # a read-write open also rebuilds stale materialised models (sql/models)
        pass
    emit("views_open_rw", seconds=round(time.perf_counter() - started, 2))
    con = duckdb.connect(str(big), read_only=True)
    counts = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("reports", "facts", "checks")
    }
    counts["current_reports"] = con.execute("SELECT count(*) FROM reports WHERE is_current").fetchone()[0]
    views = [
        v
        for (v,) in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal AND view_name LIKE 'v\\_%' ESCAPE '\\' "
            "ORDER BY view_name"
        ).fetchall()
    ]
    try:
        for view in views:
            best, rows = math.inf, 0
            for _ in range(args.repeat):
                # materialise every row and column inside DuckDB (no Python conversion in the timing);
                # a view slower than --limit seconds is interrupted and reported as such
                timer = threading.Timer(args.limit, con.interrupt)
                started = time.perf_counter()
                timer.start()
                try:
                    con.execute(f"CREATE OR REPLACE TEMP TABLE _bench AS SELECT * FROM {view}")
                except duckdb.InterruptException:
                    best = math.inf
                    break
                finally:
                    timer.cancel()
                best = min(best, time.perf_counter() - started)
                rows = con.execute("SELECT count(*) FROM _bench").fetchone()[0]
            seconds = round(best, 3) if best != math.inf else f"> {args.limit} (interrupted)"
            emit("view", view=view, rows=rows, seconds=seconds, **counts, machine=machine())
    finally:
        con.close()


def main() -> None:
    global _JSON_OUT, _ROOT
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="scratch directory")
    parser.add_argument("--json-out", type=Path, default=None)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, n: int) -> None:
        p.add_argument("--n", type=int, default=n, help="documents in the corpus")
        p.add_argument("--formats", type=lambda s: s.split(","), default=list(FORMATS))

    p = sub.add_parser("corpus", help="only build a corpus")
    common(p, 1000)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_corpus)
    p = sub.add_parser("formats", help="docs/s per format and the ratio to the bare libraries")
    common(p, 200)
    p.set_defaults(func=cmd_formats)
    p = sub.add_parser("marginal", help="marginal ingest cost per document vs the serial bare parse")
    common(p, 540)
    p.add_argument("--workers", type=int, default=None, help="ingest workers [default: CPU count]")
    p.set_defaults(func=cmd_marginal)
    p = sub.add_parser("workermem", help="one parser worker's RSS over many files, per format")
    common(p, 2400)
    p.set_defaults(func=cmd_workermem)
    p = sub.add_parser("startup", help="fixed cost of a run that loads one document, per milestone")
    p.add_argument("--repeat", type=int, default=3)
    p.set_defaults(func=cmd_startup)
    p = sub.add_parser("speedup", help="--workers 1 vs all cores on one mixed corpus")
    common(p, 240)
    p.set_defaults(func=cmd_speedup)
    p = sub.add_parser("scale", help="big mixed run (peak RSS), then no-op re-runs")
    common(p, 10000)
    p.add_argument("--noop-runs", type=int, default=2)
    p.add_argument("--keep-db", action="store_true", help="skip the big run; re-run over the existing db")
    p.set_defaults(func=cmd_scale)
    p = sub.add_parser("views", help="every v_* view over a warehouse grown to --reports reports")
    p.add_argument("--db", type=Path, required=True, help="a loaded warehouse to replicate")
    p.add_argument("--reports", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--rebuild", action="store_true")
    p.add_argument("--limit", type=float, default=120.0, help="give up on a view after this many seconds")
    p.set_defaults(func=cmd_views)
    args = parser.parse_args()
    _JSON_OUT, _ROOT = args.json_out, args.root
    args.func(args)


if __name__ == "__main__":
    main()
