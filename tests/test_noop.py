"""The no-op shortcut (flows.ingest.noop): an unchanged drop directory is recognised before Prefect starts,
and anything else falls through to the real run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from flows.ingest.noop import nothing_to_do
from flows.warehouse.staging import staging_path
from tests.test_ingest import SEEDS, query, run_ingest

pytestmark = pytest.mark.slow


@pytest.fixture()
def loaded(prefect_harness: None, tmp_path: Path) -> tuple[Path, Path]:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    drop.mkdir()
    for name in ("ninghai-2021.txt", "weibin-2023.scanned.pdf"):  # one loaded, one rejected (OCR off)
        shutil.copyfile(SEEDS / name, drop / name)
    run_ingest(drop, db, settle_seconds=0, ocr=False)
    return drop, db


def test_unchanged_drop_is_a_noop(loaded: tuple[Path, Path]) -> None:
    drop, db = loaded
    summary = nothing_to_do(drop, db, ocr=False)
    assert summary is not None
    assert (summary["seen"], summary["unchanged"], summary["parsed"], summary["loaded"]) == (2, 2, 0, 0)
    # with OCR on, the scan the --no-ocr run rejected must be read again: not a no-op
    assert nothing_to_do(drop, db) is None


def test_new_changed_or_interrupted_is_not_a_noop(loaded: tuple[Path, Path], tmp_path: Path) -> None:
    drop, db = loaded
    assert nothing_to_do(drop, tmp_path / "missing.duckdb", ocr=False) is None
    staging_path(db).write_bytes(b"")  # an interrupted run's staging copy: the real run resumes it
    assert nothing_to_do(drop, db, ocr=False) is None
    staging_path(db).unlink()
    target = drop / "ninghai-2021.txt"
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # touched: must be hashed
    assert nothing_to_do(drop, db, ocr=False) is None
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert nothing_to_do(drop, db, ocr=False) is not None
    shutil.copyfile(SEEDS / "longwan-2023.txt", drop / "longwan-2023.txt")
    assert nothing_to_do(drop, db, ocr=False) is None


def test_cli_shortcut_starts_no_prefect_and_records_no_run(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    drop.mkdir()
    shutil.copyfile(SEEDS / "ninghai-2021.txt", drop / "ninghai-2021.txt")

    def xxgk(*args: str) -> str:
        done = subprocess.run(
            [xxgk_bin, "ingest", str(drop), "--db", str(db), "--settle", "0", "--verbose", *args],
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        return done.stdout + done.stderr

    assert "Starting temporary server" in xxgk()
    again = xxgk()
    assert "Starting temporary server" not in again
    assert "Summary: 1 seen, 1 unchanged, 0 loaded" in again
    assert query(db, "SELECT count(*) FROM ingest_runs") == [(1,)]
    assert "Starting temporary server" in xxgk("--no-shortcut")
    assert query(db, "SELECT count(*) FROM ingest_runs") == [(2,)]
