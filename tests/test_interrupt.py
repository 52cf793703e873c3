"""Ctrl-C and SIGTERM during ``xxgk ingest``: the real console script, real signals, real documents.

A Ctrl-C is sent as a terminal sends it: the byte ``\\x03`` written to the pseudo-terminal that is the
command's controlling terminal, so the kernel signals the whole foreground process group (the command,
Prefect's temporary server unless it runs in its own session, the parser workers). With piped output
the test signals the process group itself (SIGINT, what a shell's Ctrl-C does to a pipeline) or only
the command (SIGTERM, what a service manager or ``kill`` does).

Each test asserts: the exit status (130 / 143), the time from the signal to the exit, the one
``interrupted: N loaded`` line, that the flow run is not left RUNNING (read back from the Prefect
database of the run's PREFECT_HOME), that nothing partial was committed, that the live warehouse
answered read-only queries at every moment once it existed, and that a second run converges to
exactly the truth facts of every document.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import sqlite3
import subprocess
import termios
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.warehouse.staging import staging_path
from tests.test_ingest import (
    assert_facts_match_truth,
    copy,
    documents_by_name,
    holding_one_file,
    kill_corpus,
    query,
)

pytestmark = pytest.mark.slow

EXIT_WITHIN_SECONDS = 10.0
DOCUMENTS = 12


class WarehousePoller:
    """Opens the live warehouse read-only every 50 ms in a thread, as an analyst's script would, and
    keeps every failure seen once the file existed (before the first run creates it, "does not exist"
    is the truth)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.failures: list[str] = []
        self.reads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WarehousePoller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        existed = False
        while not self._stop.is_set():
            if existed or self.db.exists():
                existed = True
                try:
                    con = duckdb.connect(str(self.db), read_only=True)
                    try:
                        con.execute("SELECT count(*) FROM reports").fetchall()
                        con.execute("SELECT count(*) FROM v_report").fetchall()
                    finally:
                        con.close()
                    self.reads += 1
                except Exception as exc:  # noqa: BLE001 - recorded and asserted by the test
                    self.failures.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.05)


class Command:
    """The console script with its output on a pseudo-terminal (``tty=True``) or a pipe."""

    def __init__(self, argv: list[str], env: dict[str, str], tty: bool) -> None:
        self.tty = tty
        self.output = b""
        if tty:
            master, slave = pty.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, b"\x18\x00\x78\x00\x00\x00\x00\x00")  # 24 x 120

            def controlling_terminal() -> None:
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

            self.proc = subprocess.Popen(
                argv, env=env, stdin=slave, stdout=slave, stderr=slave,
                preexec_fn=controlling_terminal, close_fds=True,
            )  # fmt: skip
            os.close(slave)
            self.fd = master
        else:
            self.proc = subprocess.Popen(
                argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
            assert self.proc.stdout is not None
            self.fd = self.proc.stdout.fileno()

    def read(self, timeout: float) -> bool:
        """Append what arrives within ``timeout``; False once the output is closed."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the terminal's last writer is gone
            chunk = b""
        self.output += chunk
        return bool(chunk)

    def read_until(self, pattern: bytes, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not re.search(pattern, self.output):
            if self.proc.poll() is not None and not self.read(0.1):
                pytest.fail(f"the command ended before {pattern!r}:\n{self.text}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {pattern!r} within {seconds:.0f} s:\n{self.text}")
            self.read(0.2)

    def ctrl_c(self) -> None:
        """A Ctrl-C: on the terminal the byte the keyboard sends; on a pipe SIGINT to the group."""
        if self.tty:
            os.write(self.fd, b"\x03")
        else:
            os.killpg(self.proc.pid, signal.SIGINT)

    def wait(self, seconds: float) -> int:
        deadline = time.monotonic() + seconds
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.read(0.1)
        if self.proc.poll() is None:
            self.kill()
            pytest.fail(f"still running {seconds:.0f} s after the signal:\n{self.text}")
        while self.read(0.1):
            pass
        return self.proc.returncode

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill()
        if self.tty:
            os.close(self.fd)
        elif self.proc.stdout is not None:
            self.proc.stdout.close()

    @property
    def text(self) -> str:
        return self.output.decode(errors="replace")


def flow_runs_of(prefect_home: Path, db: Path) -> list[tuple[str, str, str | None]]:
    """(id, state type, state message) of every flow run of this warehouse, from the Prefect database
    the command's temporary server wrote (the server is gone once the command has exited)."""
    con = sqlite3.connect(f"file:{prefect_home / 'prefect.db'}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT r.id, r.state_type, s.message, r.parameters FROM flow_run AS r "
            "LEFT JOIN flow_run_state AS s ON s.id = r.state_id"
        ).fetchall()
    finally:
        con.close()
    return [(r[0], r[1], r[2]) for r in rows if json.loads(r[3]).get("db_path") == str(db.resolve())]


def loaded_documents(db: Path) -> dict[str, dict[str, Any]]:
    return {name: d for name, d in documents_by_name(db).items() if d["status"] == "loaded"}


def assert_nothing_partial(db: Path, sources: dict[str, Path]) -> None:
    """Every committed document is complete: a loaded document has its report, the report has exactly
    its truth file's facts, and no report or fact exists without a loaded document."""
    docs = documents_by_name(db)
    assert {d["status"] for d in docs.values()} <= {"loaded"}, docs
    assert query(db, "SELECT count(*) FROM reports") == [(len(docs),)]
    assert query(db, "SELECT count(*) FROM reports WHERE report_id NOT IN (SELECT report_id FROM facts)") == [
        (0,)
    ]
    assert query(db, "SELECT count(*) FROM facts WHERE report_id NOT IN (SELECT report_id FROM reports)") == [
        (0,)
    ]
    for name, doc in docs.items():
        assert_facts_match_truth(db, doc["report_id"], sources[name])


def rerun_converges(argv: list[str], env: dict[str, str], db: Path, sources: dict[str, Path]) -> None:
    rerun = subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    docs = documents_by_name(db)
    assert {name: d["status"] for name, d in docs.items()} == {name: "loaded" for name in sources}
    assert query(db, "SELECT count(*), count(DISTINCT path) FROM documents") == [(len(sources), len(sources))]
    assert (
        query(db, "SELECT report_id, table_id, code, party FROM facts GROUP BY ALL HAVING count(*) > 1") == []
    )
    for name, src in sources.items():
        assert_facts_match_truth(db, docs[name]["report_id"], src)
    assert not staging_path(db).exists()


def setup_drop(tmp_path: Path) -> tuple[Path, Path, dict[str, Path]]:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    sources = {src.name: src for src in kill_corpus(DOCUMENTS)}
    for name, src in sources.items():
        copy(src, drop / name)
    return drop, db, sources


def ingest_argv(xxgk_bin: str, drop: Path, db: Path) -> list[str]:
    return [
        xxgk_bin,
        "ingest",
        str(drop),
        "--db",
        str(db),
        "--workers",
        "2",
        "--batch-size",
        "2",
        "--settle",
        "0",
    ]


@pytest.mark.parametrize(
    ("tty", "signum"),
    [(True, signal.SIGINT), (False, signal.SIGINT), (False, signal.SIGTERM)],
    ids=["ctrl-c-on-a-terminal", "sigint-to-the-group-piped", "sigterm-to-the-command-piped"],
)
def test_a_signal_mid_run_stops_cleanly_and_the_rerun_converges(
    tty: bool, signum: int, tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    drop, db, sources = setup_drop(tmp_path)
    argv = ingest_argv(xxgk_bin, drop, db)
    command = Command(argv, holding_one_file(cli_env, sources), tty)
    try:
        with WarehousePoller(db) as poller:
            # the first document loaded: the bar's "loaded <file>" on a terminal, a plain line on a pipe
            command.read_until(rb"loaded[\t ]\S+", 600)
            sent = time.monotonic()
            if signum == signal.SIGINT:
                command.ctrl_c()
            else:
                command.proc.send_signal(signal.SIGTERM)
            status = command.wait(60)
            took = time.monotonic() - sent
    finally:
        command.close()
    print(f"{signal.Signals(signum).name} ({'tty' if tty else 'pipe'}) -> exit {status} in {took:.1f} s")
    assert status == 128 + signum, command.text
    assert took < EXIT_WITHIN_SECONDS, command.text

    lines = re.findall(r"interrupted: (\d+) loaded, run again to continue", command.text)
    assert len(lines) == 1, command.text
    for noise in ("Traceback", "Error logging to API", "ConnectError"):
        assert noise not in command.text, command.text

    loaded = loaded_documents(db)
    assert int(lines[0]) == len(loaded)
    assert 1 <= len(loaded) < len(sources), "the signal did not land mid-run"
    assert_nothing_partial(db, sources)
    assert not staging_path(db).exists(), "what was committed is swapped in"
    assert poller.reads > 0 and poller.failures == [], poller.failures

    name = signal.Signals(signum).name
    (run,) = query(db, "SELECT flow_run_id, status, error, loaded FROM runs")
    assert run[1:] == (
        "interrupted",
        f"interrupted by {name}{' (Ctrl-C)' if name == 'SIGINT' else ''}",
        len(loaded),
    )
    assert flow_runs_of(Path(cli_env["PREFECT_HOME"]), db) == [
        (run[0], "CANCELLED", f"{run[2]}: {len(loaded)} loaded, the rest is left for the next run")
    ]

    rerun_converges(argv, cli_env, db, sources)
    assert [r[0] for r in query(db, "SELECT status FROM runs ORDER BY started_at")] == [
        "interrupted",
        "completed",
    ]


def test_a_second_ctrl_c_exits_at_once_and_the_next_run_resumes(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    drop, db, sources = setup_drop(tmp_path)
    argv = ingest_argv(xxgk_bin, drop, db)
    command = Command(argv, holding_one_file(cli_env, sources), tty=True)
    try:
        with WarehousePoller(db) as poller:
            command.read_until(rb"loaded[\t ]\S+", 600)
            command.ctrl_c()
            command.read_until(rb"press Ctrl-C again", 10)
            sent = time.monotonic()
            command.ctrl_c()
            status = command.wait(30)
            took = time.monotonic() - sent
    finally:
        command.close()
    print(f"second Ctrl-C -> exit {status} in {took:.2f} s")
    assert status == 130, command.text
    assert took < 2.0, command.text
    assert "interrupted again: exiting now" in command.text
    assert "Traceback" not in command.text

    # the live warehouse is there and answers (the empty one the first run published, or the copy if
    # the first Ctrl-C's close-out got as far as the swap); the poller never saw it missing or broken
    assert poller.reads > 0 and poller.failures == [], poller.failures
    assert_nothing_partial(db, sources)
    # the flow run was reported CRASHED on the way out (it must not stay RUNNING)
    states = flow_runs_of(Path(cli_env["PREFECT_HOME"]), db)
    assert [s[1] for s in states] in (["CRASHED"], ["CANCELLED"]), states
    if staging_path(db).exists():  # what the run committed before the exit is kept for the next run
        assert_nothing_partial(staging_path(db), sources)

    rerun_converges(argv, cli_env, db, sources)


def test_ctrl_c_while_waiting_for_the_run_lock_exits_130_and_writes_nothing(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    from tests.test_operations import hold_lock

    drop, db, _ = setup_drop(tmp_path)
    holder = hold_lock(db)
    command = Command([*ingest_argv(xxgk_bin, drop, db), "--wait", "600"], cli_env, tty=True)
    try:
        command.read_until(rb"waiting for the run lock", 120)
        sent = time.monotonic()
        command.ctrl_c()
        status = command.wait(30)
        took = time.monotonic() - sent
    finally:
        command.close()
        holder.kill()
        holder.wait()
    assert status == 130, command.text
    assert took < EXIT_WITHIN_SECONDS
    assert re.findall(r"interrupted: (\d+) loaded", command.text) == ["0"], command.text
    assert "Traceback" not in command.text
    assert not db.exists() and not staging_path(db).exists()
