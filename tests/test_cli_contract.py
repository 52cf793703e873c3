"""What the command line promises without running an ingest: the exit-status table (README = code),
the exit status and message of the cheap failure cases, ``xxgk query``'s one-statement rule, and help
texts a user reads. In-process (typer's CliRunner) against a real, empty DuckDB warehouse; the exit
statuses of a real run (1 rejections, 3 locked, 130/143 interrupted) are asserted by the tests that
run one (test_cli, test_operations, test_interrupt)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import exit_codes
from flows.cli.main import app
from flows.warehouse import staging

README = Path(__file__).resolve().parents[1] / "README.md"
COMMANDS = ("ingest", "serve", "query", "export", "report", "convert-storage")


def readme_exit_table() -> dict[int, str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("| code | meaning |")
    rows: dict[int, str] = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        code, meaning = (cell.strip() for cell in line.strip("|").split("|", 1))
        rows[int(code)] = meaning
    return rows


def test_the_readme_exit_table_is_the_one_the_commands_use() -> None:
    assert readme_exit_table() == exit_codes.TABLE
    assert README.read_text(encoding="utf-8").count("| code | meaning |") == 1, (
        "one table, not one per command"
    )


@pytest.fixture
def empty_warehouse(tmp_path: Path) -> Path:
    """A real warehouse with every table and view and no rows (what a first run publishes first)."""
    db = tmp_path / "w.duckdb"
    staging._create_empty(db)
    return db


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})  # help rows unwrapped
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize("sql", ["", "   ", ";", " ; ;"])
def test_query_without_a_statement_is_a_clear_error_exit_1(sql: str, empty_warehouse: Path) -> None:
    code, output = run("query", sql, "--db", str(empty_warehouse))
    assert code == exit_codes.REFUSED, output
    assert "no SQL statement given" in output and "Traceback" not in output


def test_query_refuses_several_statements_instead_of_showing_only_the_last(empty_warehouse: Path) -> None:
    code, output = run("query", "SELECT 1 AS a; SELECT 2 AS b", "--db", str(empty_warehouse))
    assert code == exit_codes.REFUSED, output
    assert "2 SQL statements given; xxgk query runs exactly one" in output
    assert not re.search(r"\b2\b.*\n.*1 row", output)  # no result table at all

    code, output = run("query", "SELECT 41 + 1 AS answer;", "--db", str(empty_warehouse))
    assert code == exit_codes.OK and "42" in output  # one statement with its trailing semicolon is fine


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["query", "SELEC 1"], exit_codes.REFUSED),
        (["query", "SELECT * FROM no_such_table"], exit_codes.REFUSED),
        (["query", "SELECT 1", "--db", "{missing}"], exit_codes.CANNOT_RUN),
        (["ingest", "{missing}"], exit_codes.CANNOT_RUN),
        (["ingest", "--workers", "0"], exit_codes.CANNOT_RUN),  # a usage error: click's own status 2
        (["query"], exit_codes.CANNOT_RUN),
        (["report", "--out", "x.html"], exit_codes.REFUSED),
    ],
    ids=[
        "sql-syntax",
        "sql-binder",
        "missing-warehouse",
        "missing-drop-dir",
        "bad-option",
        "missing-arg",
        "no-target",
    ],
)
def test_exit_status_of_each_kind_of_failure(
    args: list[str], status: int, empty_warehouse: Path, tmp_path: Path
) -> None:
    args = [a.replace("{missing}", str(tmp_path / "missing")) for a in args]
    if "--db" not in args and args[0] in ("query", "report"):
        args += ["--db", str(empty_warehouse)]
    code, output = run(*args)
    assert code == status, output
    assert "Traceback" not in output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_texts_read_as_text(command: str) -> None:
    code, output = run(command, "--help")
    assert code == 0
    assert "``" not in output, "reST markup shown as is"
    if command in ("ingest", "serve"):
        assert re.search(
            r"Parser processes.*\(default:\s+the\s+number\s+of\s+CPUs\)", " ".join(output.split())
        )
    if command == "convert-storage":
        assert "read-only" not in output and "rewritten in place" in output
