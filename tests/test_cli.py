"""Smoke tests of the real ``xxgk`` console script, run as a subprocess with no Prefect server
configured (the CLI starts Prefect's temporary local server itself)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus_index import CORPUS
from tests.test_ingest import query

SEEDS = CORPUS / "seeds"
pytestmark = pytest.mark.slow


def xxgk(xxgk_bin: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [xxgk_bin, *args], env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
    )


def test_ingest_exit_codes_and_summary(tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str) -> None:
    drop, db = tmp_path / "drop", tmp_path / "out" / "w.duckdb"
    drop.mkdir()
    shutil.copyfile(SEEDS / "ninghai-2021.txt", drop / "ninghai-2021.txt")
    shutil.copyfile(SEEDS / "weibin-2023.html", drop / "weibin-2023.html")

    # --settle 0: the files were written just now, and the run discovers them within a second or two
    ok = xxgk(xxgk_bin, cli_env, "ingest", str(drop), "--db", str(db), "--settle", "0")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Summary: 2 seen, 0 unchanged, 2 loaded, 0 rejected" in ok.stdout
    # the run's own time and Prefect's start-up apart; the run's own is what the runs row records
    timing = re.search(r"parsed 2 in ([\d.]+) s, plus ([\d.]+) s of Prefect start-up", ok.stdout)
    assert timing, ok.stdout
    (recorded,) = query(db, "SELECT duration_seconds FROM runs")[0]
    assert abs(float(timing.group(1)) - recorded) < 0.06 and float(timing.group(2)) > 0
    assert "loaded\t" in ok.stdout  # stdout is not a TTY: one plain progress line per document
    assert "Traceback" not in ok.stderr

    (drop / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with_rejection = xxgk(
        xxgk_bin, cli_env, "ingest", str(drop), "--db", str(db), "--progress", "none", "--settle", "0"
    )
    assert with_rejection.returncode == 1, with_rejection.stdout + with_rejection.stderr
    assert "Summary: 3 seen, 2 unchanged, 0 loaded, 1 rejected" in with_rejection.stdout
    assert "scan.png" in with_rejection.stdout and "unsupported_format" in with_rejection.stdout


def test_locked_warehouse_exits_2_with_a_clear_message(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    drop.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        locked = xxgk(xxgk_bin, cli_env, "ingest", str(drop), "--db", str(db))
    finally:
        holder.kill()
        holder.wait()
    assert locked.returncode == 2
    assert "in use by another process" in locked.stderr


def test_missing_drop_dir_exits_2(tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str) -> None:
    result = xxgk(xxgk_bin, cli_env, "ingest", str(tmp_path / "nope"), "--db", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_help_lists_the_ingest_command(cli_env: dict[str, str], xxgk_bin: str) -> None:
    result = xxgk(xxgk_bin, cli_env, "--help")
    assert result.returncode == 0 and "ingest" in result.stdout
