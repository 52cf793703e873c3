"""Entries of the drop directory that are not documents (a directory that cannot be listed, a link to
nothing) are counted and named in the summary, and an empty drop directory says so — instead of being
passed over in silence. Real files, real links, the real console script."""

from __future__ import annotations

import os
import subprocess
from io import StringIO
from pathlib import Path

from rich.console import Console

from flows.cli.display import print_summary
from flows.ingest.discovery import SKIP_REASONS, Skipped, walk_drop_dir
from flows.ingest.summary import RunSummary
from flows.warehouse import staging
from tests.corpus_index import CORPUS


def unlistable_directory(parent: Path) -> Path:
    """A directory that exists but cannot be listed by its path, also for root (whom permission bits do
    not stop): nested so deep that its path exceeds PATH_MAX (scandir fails with ENAMETOOLONG)."""
    fd = os.open(parent, os.O_RDONLY)
    name = "d" * 250
    depth = 0
    while len(str(parent)) + depth * (len(name) + 1) <= 4200:
        os.mkdir(name, dir_fd=fd)
        child = os.open(name, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = child
        depth += 1
    os.close(fd)
    return parent / "/".join([name] * depth)


def test_the_walk_names_what_it_skips_and_why(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "report.txt").write_bytes((CORPUS / "seeds" / "ninghai-2021.txt").read_bytes())
    os.symlink(tmp_path / "gone.pdf", drop / "gone.pdf")
    deep = unlistable_directory(drop)
    skipped: list[Skipped] = []
    files = walk_drop_dir(drop, skipped)
    assert [Path(f.path).name for f in files] == ["report.txt"]
    reasons = {(Path(s.path).name if s.reason == "dangling_link" else "deep", s.reason) for s in skipped}
    assert reasons == {("gone.pdf", "dangling_link"), ("deep", "unreadable")}, skipped
    assert {s.reason for s in skipped} <= set(SKIP_REASONS)
    (unreadable,) = [s for s in skipped if s.reason == "unreadable"]
    assert unreadable.path.endswith("d" * 250) and "name too long" in unreadable.detail.lower()
    assert deep.name == "d" * 250
    (dangling,) = [s for s in skipped if s.reason == "dangling_link"]
    assert dangling.detail == f"links to {tmp_path / 'gone.pdf'}"


def test_the_summary_counts_and_names_skipped_entries(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    summary = RunSummary(drop_dir=str(drop), db_path=str(tmp_path / "w.duckdb"), seen=1, unchanged=1)
    summary.skip(
        [
            Skipped(str(drop / "a" / "sub"), "unreadable", "cannot list the directory: Permission denied"),
            Skipped(str(drop / "old.pdf"), "dangling_link", "links to /mnt/gone/old.pdf"),
        ]
    )
    out = StringIO()
    print_summary(Console(file=out, width=200), summary.as_dict(), drop, 1.0)
    text = out.getvalue()
    assert (
        "skipped 2 entries that are not documents: a/sub (unreadable: cannot list the directory: Permission "
        "denied); old.pdf (dangling_link: links to /mnt/gone/old.pdf)"
    ) in text
    assert "0 deferred, 2 skipped;" in text
    assert "holds no files" not in text


def test_an_empty_drop_directory_is_said_to_be_empty(
    tmp_path: Path, cli_env: dict[str, str], xxgk_bin: str
) -> None:
    drop, db = tmp_path / "drop", tmp_path / "w.duckdb"
    drop.mkdir()
    os.symlink(tmp_path / "nothing-here.docx", drop / "nothing-here.docx")
    staging._create_empty(db)  # an existing warehouse: the no-op shortcut answers without Prefect
    result = subprocess.run(
        [xxgk_bin, "ingest", str(drop), "--db", str(db)],
        env=cli_env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"the drop directory {drop} holds no files: nothing to ingest" in result.stdout
    assert (
        f"skipped 1 entry that is not a document: nothing-here.docx (dangling_link: links to "
        f"{tmp_path / 'nothing-here.docx'})"
    ) in result.stdout
    assert (
        "Summary: 0 seen, 0 unchanged, 0 loaded, 0 rejected, 0 duplicate, 0 deferred, 1 skipped;"
        in result.stdout
    )
