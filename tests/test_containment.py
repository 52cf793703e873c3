"""Containment: nothing outside the drop directory is read, and no single input can take the machine.

Real links, FIFOs and devices on the real file system; real bombs built byte by byte (tests.bombs);
a real ``xxgk ingest`` process tree whose resident memory is summed from /proc while it runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from flows.ingest.discovery import Skipped, walk_drop_dir
from flows.ingest.limits import Limits
from flows.ingest.parsing import init_worker, parse_file, sha256_file
from tests.bombs import glyph_bomb, stream_bomb
from tests.test_ingest import SEEDS, assert_facts_match_truth, documents_by_name, run_ingest

OLD_ATIME = 1_000_000_000  # 2001: any read of the file moves its atime to now (relatime: atime < mtime)


class FifoProbe:
    """Watches FIFOs from a thread: opening a FIFO's write end without blocking succeeds only while
    some process holds it open for reading, so a success means the ingest opened it."""

    def __init__(self, *fifos: Path) -> None:
        self.fifos = fifos
        self.opened: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for fifo in self.fifos:
                try:
                    fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                except OSError:  # ENXIO: nobody reads it
                    continue
                self.opened.add(str(fifo))
                os.close(fd)  # the reader then sees EOF and is not left blocked
            time.sleep(0.005)

    def __enter__(self) -> FifoProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _untouched(path: Path) -> Path:
    os.utime(path, (OLD_ATIME, time.time()))
    return path


@pytest.fixture
def hostile_drop(tmp_path: Path) -> dict[str, Any]:
    """A drop directory with one real report and every kind of entry that must not be read."""
    outside = tmp_path / "elsewhere"
    (outside / "dir").mkdir(parents=True)
    secret = _untouched(shutil.copyfile(SEEDS / "ninghai-2021.txt", outside / "secret-report.txt"))
    in_dir = _untouched(shutil.copyfile(SEEDS / "longwan-2023.txt", outside / "dir" / "report.txt"))
    outside_fifo = outside / "fifo"
    os.mkfifo(outside_fifo)
    drop = tmp_path / "drop"
    (drop / "sub").mkdir(parents=True)
    shutil.copyfile(SEEDS / "yinzhou-2023.txt", drop / "sub" / "yinzhou-2023.txt")
    inside_fifo = drop / "sub" / "pipe.txt"
    os.mkfifo(inside_fifo)
    links = {
        "to-file.txt": secret,
        "to-dir": outside / "dir",
        "zero.pdf": Path("/dev/zero"),
        "to-fifo.txt": outside_fifo,
        "dangling.docx": tmp_path / "missing.docx",
    }
    for name, target in links.items():
        (drop / name).symlink_to(target)
    (drop / "sub" / "inside-link.txt").symlink_to(drop / "sub" / "yinzhou-2023.txt")  # inside: read
    expected_skips = [
        (str(drop / "dangling.docx"), "dangling_link"),
        (str(drop / "sub" / "pipe.txt"), "special_file"),
        (str(drop / "to-dir"), "outside_drop_dir"),
        (str(drop / "to-fifo.txt"), "outside_drop_dir"),
        (str(drop / "to-file.txt"), "outside_drop_dir"),
        (str(drop / "zero.pdf"), "outside_drop_dir"),
    ]
    return {
        "drop": drop,
        "outside_files": [secret, in_dir],
        "fifos": [inside_fifo, outside_fifo],
        "skips": sorted(expected_skips),
    }


def test_walk_skips_every_entry_outside_the_root_or_not_a_file(hostile_drop: dict[str, Any]) -> None:
    drop = hostile_drop["drop"]
    skipped: list[Skipped] = []
    files = walk_drop_dir(drop, skipped=skipped)
    assert [f.path for f in files] == [
        str(drop / "sub" / "inside-link.txt"),
        str(drop / "sub" / "yinzhou-2023.txt"),
    ]
    assert [(s.path, s.reason) for s in skipped] == hostile_drop["skips"]


def test_follow_links_reads_regular_files_elsewhere_but_never_devices_fifos_or_dirs(
    hostile_drop: dict[str, Any],
) -> None:
    drop = hostile_drop["drop"]
    skipped: list[Skipped] = []
    files = walk_drop_dir(drop, follow_links=True, skipped=skipped)
    assert str(drop / "to-file.txt") in [f.path for f in files]
    assert [(s.path, s.reason) for s in skipped] == sorted(
        [
            (str(drop / "dangling.docx"), "dangling_link"),
            (str(drop / "sub" / "pipe.txt"), "special_file"),
            (str(drop / "to-dir"), "outside_drop_dir"),
            (str(drop / "to-fifo.txt"), "special_file"),
            (str(drop / "zero.pdf"), "special_file"),
        ]
    )


@pytest.mark.slow
def test_ingest_opens_nothing_outside_the_drop_dir(
    prefect_harness: None, hostile_drop: dict[str, Any], tmp_path: Path
) -> None:
    drop, db = hostile_drop["drop"], tmp_path / "w.duckdb"
    with FifoProbe(*hostile_drop["fifos"]) as probe:
        summary = run_ingest(drop, db)
    assert probe.opened == set(), "a FIFO was opened for reading"
    for path in hostile_drop["outside_files"]:
        assert os.stat(path).st_atime == OLD_ATIME, f"{path} was read"
    assert [(s["path"], s["reason"]) for s in summary["skipped"]] == hostile_drop["skips"]
    assert (summary["seen"], summary["loaded"], summary["duplicate"], summary["rejected"]) == (2, 1, 1, 0)
    docs = documents_by_name(db)
    assert set(docs) == {"yinzhou-2023.txt", "inside-link.txt"}  # skipped entries are not documents
    assert_facts_match_truth(db, docs["yinzhou-2023.txt"]["report_id"], SEEDS / "yinzhou-2023.txt")
    from flows.ingest.artifacts import run_report_markdown

    markdown = run_report_markdown(summary, [])
    assert "## Skipped, not read (6)" in markdown
    for path, reason in hostile_drop["skips"]:
        assert f"| {Path(path).relative_to(drop)} | {reason} |" in markdown


# ---- per-file limits ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bombs")
    return {"stream": stream_bomb(root / "stream-bomb.pdf"), "glyph": glyph_bomb(root / "glyph-bomb.pdf")}


def _in_child(target, *args) -> Any:
    """Run ``target`` in a fresh process (limits are per process) and return its result."""
    import multiprocessing as mp

    ctx = mp.get_context("forkserver")
    with ctx.Pool(1) as pool:
        return pool.apply(target, args)


def _parse_capped(path: str, limits: Limits) -> tuple[bool, str | None, str | None]:
    init_worker("", limits)
    outcome = parse_file(path, sha256_file(path))
    return outcome.ok, outcome.reason_code, outcome.reason


@pytest.mark.parametrize("which", ["stream", "glyph"])
def test_bomb_is_rejected_as_resource_limit_with_the_figure(bombs: dict[str, Path], which: str) -> None:
    ok, code, reason = _in_child(_parse_capped, str(bombs[which]), Limits(memory_mb=400))
    assert (ok, code) == (False, "resource_limit")
    assert "memory cap of 400 MB" in reason


def test_a_file_over_its_time_cap_is_rejected_as_timeout(tmp_path: Path) -> None:
    """The timer interrupts the parse itself (the fault sleeps forever) and the caller goes on."""
    path = shutil.copyfile(SEEDS / "longwan-2023.txt", tmp_path / "hang-me.txt")
    try:
        init_worker("hang:hang-me", Limits(file_seconds=1, memory_mb=None))
        started = time.monotonic()
        outcome = parse_file(str(path), sha256_file(path))
    finally:
        init_worker("", None)
    assert (outcome.ok, outcome.reason_code) == (False, "timeout")
    assert "cap of 1 s" in outcome.reason and time.monotonic() - started < 10


def _tree_rss_mb(root_pid: int) -> float:
    """Resident memory of ``root_pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total / 2**20


def _ingest_measured(drop: Path, db: Path, cli_env: dict[str, str], xxgk_bin: str) -> dict[str, Any]:
    """``xxgk ingest`` with two workers, its process tree's summed RSS sampled every 20 ms."""
    proc = subprocess.Popen(
        [
            xxgk_bin,
            "ingest",
            str(drop),
            "--db",
            str(db),
            "--workers",
            "2",
            "--settle",
            "0",
            "--progress",
            "plain",
        ],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    peak = 0.0
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)
    reader.start()
    while proc.poll() is None:
        peak = max(peak, _tree_rss_mb(proc.pid))
        time.sleep(0.02)
    reader.join()
    return {"peak_mb": peak, "returncode": proc.returncode, "output": "".join(output)}


@pytest.mark.slow
@pytest.mark.parametrize("which", ["stream", "glyph"])
def test_a_bomb_in_a_real_run_is_rejected_and_the_tree_stays_under_1_gb(
    bombs: dict[str, Path], which: str, tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    """One hostile input among good ones, two workers: the bomb is rejected with the cap it hit, the
    good files load exactly, and the whole tree (CLI, its Prefect server, forkserver, workers) stays
    under 1 GB resident at every sample."""
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    drop.mkdir()
    bomb = shutil.copyfile(bombs[which], drop / bombs[which].name)
    for name in ("yinzhou-2023.pdf", "ninghai-2021.docx"):
        shutil.copyfile(SEEDS / name, drop / name)
    run = _ingest_measured(drop, db, cli_env, xxgk_bin)
    assert run["returncode"] == 1, run["output"][-3000:]
    docs = documents_by_name(db)
    assert (docs[bomb.name]["status"], docs[bomb.name]["reason_code"]) == ("rejected", "resource_limit")
    assert "memory cap of 320 MB" in docs[bomb.name]["reason"]
    for name in ("yinzhou-2023.pdf", "ninghai-2021.docx"):
        assert docs[name]["status"] == "loaded"
        assert_facts_match_truth(db, docs[name]["report_id"], SEEDS / name)
    print(f"{which} bomb: peak RSS of the ingest process tree {run['peak_mb']:.0f} MB")
    assert 0 < run["peak_mb"] < 1024


@pytest.mark.slow
def test_local_pool_rejects_sleeping_and_stuck_files_and_the_run_goes_on(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same caps as on Dask (tests/test_dask.py), on the local pool: a file sleeping past the time
    cap is stopped by its worker's timer; one stuck with the timer's signal blocked is killed by the
    pool; both are rejected as ``timeout`` and the good files load exactly."""
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    drop.mkdir()
    for name in ("longwan-2023.txt", "yinzhou-2023.pdf"):
        shutil.copyfile(SEEDS / name, drop / name)
    for name in ("sleepy-hang.txt", "stuck-hang.txt"):
        (drop / name).write_bytes((SEEDS / "weibin-2023.txt").read_bytes() + name.encode())
    monkeypatch.setenv("XXGK_FAULT_INJECT", "hang:sleepy-,stuck:stuck-")
    summary = run_ingest(drop, db, file_timeout=3)
    docs = documents_by_name(db)
    for name in ("sleepy-hang.txt", "stuck-hang.txt"):
        assert (docs[name]["status"], docs[name]["reason_code"]) == ("rejected", "timeout"), docs[name]
        assert "cap of 3 s" in docs[name]["reason"]
    for name in ("longwan-2023.txt", "yinzhou-2023.pdf"):
        assert docs[name]["status"] == "loaded", docs[name]["reason"]
        assert_facts_match_truth(db, docs[name]["report_id"], SEEDS / name)
    assert (summary["loaded"], summary["rejected"]) == (2, 2)
