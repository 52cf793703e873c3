"""``xxgk serve`` against a real ``prefect server start`` (session fixture ``prefect_server``).

What is tested for real: the deployment is registered with the cron schedule and the run parameters;
a run of that deployment (triggered with ``prefect deployment run``, i.e. what the scheduler does at
02:00, without waiting for 02:00) is picked up by the serving process, loads the drop directory into
the warehouse, and leaves its runs row and its markdown artifact on the server; and a schedule due
within the minute (cron ``* * * * *``) makes the server's scheduler create a run that nobody triggered,
which the serving process executes to completion (a broken scheduler, e.g. Prefect 3.8 next to
SQLAlchemy 2.1, logs a traceback every minute and creates no run at all).
"""

from __future__ import annotations

import inspect
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
from tests.test_ingest import assert_facts_match_truth, documents_by_name, query

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


SCHEDULER_FAILURE = re.compile(r"Traceback|sqlalchemy\.exc\.|Unexpected error in", re.IGNORECASE)


def test_a_schedule_due_within_the_minute_fires_by_itself_and_its_run_loads_the_drop(
    prefect_server: dict[str, Any], tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    """Nothing in this test triggers a run: the only way a flow run of the deployment can appear is the
    server's scheduler turning the cron schedule into one. The runner's poll interval is left at
    Prefect's default, so the measured delay from the cron minute to the run's start is what an
    operator gets."""
    url, server_log = prefect_server["url"], prefect_server["home"] / "server.log"
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    drop.mkdir()
    sources = {name: SEEDS / name for name in ("ninghai-2021.txt", "yinzhou-2018.docx")}
    for name, src in sources.items():
        shutil.copyfile(src, drop / name)
        old = time.time() - 60  # settled: older than the 2 s settle window
        os.utime(drop / name, (old, old))
    env = {**cli_env, "PREFECT_HOME": str(prefect_server["home"]), "PREFECT_API_URL": url}
    log_path = tmp_path / "serve.log"
    log = log_path.open("wb")
    serving = subprocess.Popen(
        [xxgk_bin, "serve", str(drop), "--db", str(db), "--cron", "* * * * *", "--workers", "1",
         "--name", "every-minute"],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:

        def deployment() -> dict[str, Any] | None:
            found = [d for d in api(url, "/deployments/filter", {}) if d["name"] == "every-minute"]
            return found[0] if found else None

        dep = wait_for(deployment, 120, "the every-minute deployment")
        assert [s["schedule"]["cron"] for s in dep["schedules"]] == ["* * * * *"]
        runs_filter = {
            "flow_runs": {"deployment_id": {"any_": [dep["id"]]}},
            "sort": "EXPECTED_START_TIME_ASC",
        }

        def first_finished_run() -> dict[str, Any] | None:
            failure = SCHEDULER_FAILURE.search(server_log.read_text(errors="replace"))
            if failure:
                pytest.fail(
                    f"the server's scheduler failed:\n{server_log.read_text(errors='replace')[-3000:]}"
                )
            runs = api(url, "/flow_runs/filter", runs_filter)
            if runs and runs[0]["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                return runs[0]
            return None

        # the next full minute after registration, plus the run itself, on a shared 2-core machine
        run = wait_for(first_finished_run, 240, "a scheduled run of the every-minute deployment to finish")
        serve_output = log_path.read_text(errors="replace")  # before SIGTERM: its shutdown is tested apart
    finally:
        os.killpg(serving.pid, signal.SIGTERM)
        try:
            serving.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(serving.pid, signal.SIGKILL)
            serving.wait()
        log.close()

    assert run["state"]["type"] == "COMPLETED", run["state"]
    # created by the scheduler: the scheduled-run idempotency key and tag Prefect's scheduler gives it,
    # and the first state of its history is the Scheduled state the scheduler inserted
    assert run["idempotency_key"].startswith(f"scheduled {dep['id']} "), run["idempotency_key"]
    assert run["auto_scheduled"] is True and "auto-scheduled" in run["tags"]
    history = api(url, f"/flow_run_states/?flow_run_id={run['id']}")
    assert sorted(history, key=lambda s: s["timestamp"])[0]["type"] == "SCHEDULED"
    from datetime import datetime

    expected = datetime.fromisoformat(run["expected_start_time"])
    started = datetime.fromisoformat(run["start_time"])
    assert (expected.second, expected.microsecond) == (0, 0), "a cron run is due on the minute"
    delay = (started - expected).total_seconds()
    print(f"cron minute {expected:%H:%M:%S} -> run started {delay:.1f} s later")
    # Prefect's runner submits every run due within its prefetch window (10 s by default) as soon as
    # its poll sees it, so a run may start up to that long before its cron minute (CI saw -0.4 s)
    from prefect.runner import Runner

    prefetch = inspect.signature(Runner).parameters["prefetch_seconds"].default
    assert -prefetch <= delay < 60, delay

    # what it loaded: the facts of each file exactly as its truth file has them, and the run's own row
    docs = documents_by_name(db)
    assert {name: d["status"] for name, d in docs.items()} == {name: "loaded" for name in sources}
    for name, src in sources.items():
        assert_facts_match_truth(db, docs[name]["report_id"], src)
    assert query(
        db,
        "SELECT status, seen, parsed, loaded, rejected, deferred, error FROM runs WHERE flow_run_id = ?",
        [run["id"]],
    ) == [("completed", 2, 2, 2, 0, 0, None)]
    server_text = server_log.read_text(errors="replace")
    assert not SCHEDULER_FAILURE.search(server_text), server_text[-3000:]
    assert "Traceback" not in serve_output, serve_output


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("command", ["serve", "ingest"])
def test_an_unreachable_prefect_api_url_is_one_line_saying_what_to_do(
    command: str, tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    url = f"http://127.0.0.1:{free_port()}/api"  # nothing listens there: a stale PREFECT_API_URL
    (tmp_path / "drop").mkdir()
    shutil.copyfile(SEEDS / "ninghai-2021.txt", tmp_path / "drop" / "ninghai-2021.txt")
    started = time.monotonic()
    result = subprocess.run(
        [xxgk_bin, command, str(tmp_path / "drop"), "--db", str(tmp_path / "w.duckdb"), "--settle", "0"],
        env={**cli_env, "PREFECT_API_URL": url}, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    took = time.monotonic() - started
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    remedy = "or point PREFECT_API_URL at a running one" if command == "serve" else "or unset PREFECT_API_URL"
    assert len(lines) == 1 and lines[0].startswith(
        f"error: no Prefect server answers at PREFECT_API_URL={url}"
    )
    assert "prefect server start" in lines[0] and remedy in lines[0], lines
    print(f"{command}: exit 2 after {took:.1f} s")
    assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize("stdout", ["file", "pipe", "tty"])
def test_serve_stops_on_sigterm_within_10_s_whatever_its_stdout_is(
    stdout: str, prefect_server: dict[str, Any], tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    from tests.test_interrupt import Command

    (tmp_path / "drop").mkdir()
    env = {**cli_env, "PREFECT_HOME": str(prefect_server["home"]), "PREFECT_API_URL": prefect_server["url"]}
    argv = [xxgk_bin, "serve", str(tmp_path / "drop"), "--db", str(tmp_path / "w.duckdb"),
            "--name", f"sigterm-{stdout}"]  # fmt: skip
    if stdout == "file":
        log_path = tmp_path / "serve.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                argv, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
            try:
                wait_for(
                    lambda: b"Serving xxgk-ingest" in log_path.read_bytes() or None, 120, "serve to start"
                )
                time.sleep(2)  # into the runner's polling loop
                sent = time.monotonic()
                proc.send_signal(signal.SIGTERM)
                status = proc.wait(timeout=60)
                took = time.monotonic() - sent
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        output = log_path.read_text(errors="replace")
    else:
        command = Command(argv, env, tty=stdout == "tty")
        try:
            command.read_until(rb"Serving xxgk-ingest", 120)
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                command.read(0.2)
            sent = time.monotonic()
            command.proc.send_signal(signal.SIGTERM)
            status = command.wait(60)
            took = time.monotonic() - sent
        finally:
            command.close()
        output = command.text
    print(f"serve (stdout: {stdout}) stopped {took:.1f} s after SIGTERM")
    assert status == 0, output
    assert took < 10, output
    assert "Traceback" not in output and "was never awaited" not in output, output
    assert "stopped serving" in output
