"""Shared fixtures: ONE Prefect test server for the whole session, and an isolated Prefect home for
tests that run the real ``xxgk`` entry point in a subprocess.

Telemetry is switched off before Prefect is imported anywhere: offline, its heartbeat fails and has
been seen to lock the harness's SQLite database.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A temporary Prefect server + database for every in-process flow run of the session.

    Started once (~15–25 s: schema migration), not per test; 120 s startup timeout for slow CI boxes.
    """
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for ``xxgk`` subprocesses: a private PREFECT_HOME (never the developer's ~/.prefect),
    no API URL (the CLI must work with no Prefect server configured), shared by the session so the
    temporary server's database is migrated only once."""
    home = tmp_path_factory.mktemp("prefect-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(home)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="session")
def xxgk_bin() -> str:
    """The installed console script next to the running interpreter (the venv's ``bin/xxgk``)."""
    candidate = Path(sys.executable).with_name("xxgk")
    if not candidate.exists():
        pytest.skip("the xxgk console script is not installed in this environment (pip install -e .)")
    return str(candidate)


SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def scanned_documents() -> list[Path]:
    """The committed scanned PDF, plus ../shared's when that corpus sits beside the repository."""
    from tests.corpus_index import CORPUS

    found = {p.name: p for p in CORPUS.rglob("*.scanned.pdf")}
    if SHARED_CORPUS.is_dir():
        found.update({p.name: p for p in SHARED_CORPUS.rglob("*.scanned.pdf")})
    return sorted(found.values())


@pytest.fixture(scope="session")
def corpus_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The whole committed corpus (every format of every seed, all synthetic documents, the scanned
    PDFs) through ONE real ingest run into a real DuckDB file, shared by every test of the session.

    Read it with read-only connections only (``tests.test_ingest.query``): tests must not change it.
    ``docs`` maps each file name to its latest documents row.
    """
    from tests.corpus_index import documents
    from tests.test_ingest import documents_by_name, run_ingest

    root = tmp_path_factory.mktemp("corpus")
    drop, db = root / "drop", root / "warehouse.duckdb"
    for path in [*documents(), *scanned_documents()]:
        dst = drop / path.parent.name / path.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dst)
    # OCR off: a scan read by OCR would load as a new version of its text twin (same agency and year)
    # and change what every corpus test sees as current; the OCR path is tested in tests/test_ocr*.py
    summary = run_ingest(drop, db, ocr=False)
    return {"db": db, "drop": drop, "summary": summary, "docs": documents_by_name(db)}


SEEDS = ("longwan-2023", "ninghai-2021", "weibin-2023", "yinzhou-2018", "yinzhou-2023")


@pytest.fixture(scope="session")
def seed_run(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """ONE file per seed — the docx of each of the five seeds, nothing else — through one real ingest run
    into a real DuckDB file (the corpus holds 4–5 formats of each seed, i.e. versions of one agency+year,
    so only this warehouse has every seed current). Read-only for tests, like ``corpus_run``.
    ``report_ids`` maps each seed (``yinzhou-2023``) to its report_id.
    """
    from tests.corpus_index import CORPUS
    from tests.test_ingest import documents_by_name, run_ingest

    root = tmp_path_factory.mktemp("seeds")
    drop, db = root / "drop", root / "warehouse.duckdb"
    drop.mkdir()
    for seed in SEEDS:
        shutil.copyfile(CORPUS / "seeds" / f"{seed}.docx", drop / f"{seed}.docx")
    summary = run_ingest(drop, db)
    docs = documents_by_name(db)
    report_ids = {seed: docs[f"{seed}.docx"]["report_id"] for seed in SEEDS}
    return {"db": db, "drop": drop, "summary": summary, "docs": docs, "report_ids": report_ids}


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A real ``prefect server start`` (scheduler included) on a free port with its own PREFECT_HOME,
    for the tests of ``xxgk serve``. Started once per session and only when asked for; measured:
    ~20–30 s to healthy on a fresh home here (schema migration), the bulk of those tests' time.

    Yields ``url`` (the API URL), ``home`` and ``start_seconds``.
    """
    import socket
    import subprocess
    import time
    import urllib.request

    home = tmp_path_factory.mktemp("prefect-server-home")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_UI_ENABLED="false")
    prefect = str(Path(sys.executable).with_name("prefect"))
    log = (home / "server.log").open("wb")
    started = time.monotonic()
    proc = subprocess.Popen(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api"
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"prefect server exited with {proc.returncode}: {(home / 'server.log').read_text()}"
                )
            if time.monotonic() - started > 180:
                pytest.fail("prefect server did not become healthy within 180 s")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        yield {"url": url, "home": home, "start_seconds": time.monotonic() - started}
    finally:
        import signal

        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
