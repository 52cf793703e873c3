"""``xxgk serve`` against a real ``prefect server start`` (session fixture ``prefect_server``).

What is tested for real: the deployment is registered with the cron schedule and the run parameters;
a run of that deployment (triggered with ``prefect deployment run``, i.e. what the scheduler does at
02:00, without waiting for 02:00) is picked up by the serving process, loads the drop directory into
the warehouse, and leaves its runs row and its markdown artifact on the server. Whether the server's
scheduler fires at the cron time is Prefect's own business and not waited for here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.corpus_index import CORPUS
from tests.test_ingest import query

SEEDS = CORPUS / "seeds"
pytestmark = pytest.mark.slow
T = TypeVar("T")


def api(url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        url + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def wait_for(probe: Callable[[], T | None], seconds: float, what: str) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.5)
    pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}")


def test_serve_refuses_without_a_prefect_server(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    result = subprocess.run(
        [xxgk_bin, "serve", str(tmp_path), "--db", str(tmp_path / "w.duckdb")],
        env=cli_env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    for line in (
        "prefect server start",
        "export PREFECT_API_URL=http://127.0.0.1:4200/api",
        "xxgk serve",
        "http://127.0.0.1:4200",
    ):
        assert line in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_registers_the_schedule_and_a_run_of_it_loads_the_drop(
    prefect_server: dict[str, Any], tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    url = prefect_server["url"]
    print(f"prefect server start: healthy after {prefect_server['start_seconds']:.1f} s")
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    drop.mkdir()
    for name in ("ninghai-2021.txt", "weibin-2023.html"):
        shutil.copyfile(SEEDS / name, drop / name)
        old = time.time() - 60  # settled: older than the 2 s settle window
        os.utime(drop / name, (old, old))
    env = {
        **cli_env,
        "PREFECT_HOME": str(prefect_server["home"]),
        "PREFECT_API_URL": url,
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    log = (tmp_path / "serve.log").open("wb")  # a file, not a pipe: nobody reads it while it runs
    serving = subprocess.Popen(
        [xxgk_bin, "serve", str(drop), "--db", str(db), "--cron", "0 2 * * *", "--workers", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:

        def deployment() -> dict[str, Any] | None:
            found = [d for d in api(url, "/deployments/filter", {}) if d["name"] == "nightly"]
            return found[0] if found else None

        dep = wait_for(deployment, 120, "the nightly deployment")
        assert [s["schedule"]["cron"] for s in dep["schedules"]] == ["0 2 * * *"]
        assert all(s["active"] for s in dep["schedules"])
        assert dep["parameters"]["db_path"] == str(db.resolve())
        assert dep["parameters"]["drop_dir"] == str(drop.resolve())

        triggered = subprocess.run(
            [str(Path(sys.executable).with_name("prefect")), "deployment", "run", "xxgk-ingest/nightly"],
            env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert triggered.returncode == 0, triggered.stdout + triggered.stderr
        match = re.search(r"UUID: ([0-9a-f-]{36})", triggered.stdout)
        assert match, triggered.stdout
        flow_run_id = match.group(1)

        def final_state() -> str | None:
            state = api(url, f"/flow_runs/{flow_run_id}")["state"]["type"]
            return state if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

        assert wait_for(final_state, 300, "the triggered run to finish") == "COMPLETED"
    finally:
        os.killpg(serving.pid, signal.SIGTERM)
        try:
            serving.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(serving.pid, signal.SIGKILL)
            serving.wait()
        log.close()

    assert query(db, "SELECT count(*) FROM reports") == [(2,)]
    assert query(db, "SELECT flow_run_id, status, loaded, rejected, deferred FROM runs") == [
        (flow_run_id, "completed", 2, 0, 0)
    ]
    artifacts = api(url, "/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}})
    assert [(a["key"], a["type"]) for a in artifacts] == [("xxgk-ingest-run", "markdown")]
    assert "# xxgk ingest: completed" in artifacts[0]["data"]
    assert "| 2 | 0 | 2 | 2 | 0 | 0 | 0 |" in artifacts[0]["data"]
