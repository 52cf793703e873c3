"""What ``xxgk ingest`` shows while it runs and when it ends: a progress bar on a terminal, one line per
document when piped, and the summary tables."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table


class ProgressMode(StrEnum):
    auto = "auto"
    bar = "bar"
    plain = "plain"
    none = "none"


class Display:
    """Turns flow progress events into a rich progress bar or one plain line per document."""

    def __init__(self, mode: ProgressMode, console: Console, drop_dir: Path) -> None:
        self.mode = mode
        self.console = console
        self.root = drop_dir.resolve()
        self.bar: Progress | None = None
        self.task_id: Any = None
        self.loaded = 0
        """Documents reported loaded so far (what an interrupted run says it kept)."""

    def __enter__(self) -> Display:
        if self.mode is ProgressMode.bar:
            self.bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[last]}"),
                console=Console(stderr=True),
                transient=False,
            )
            self.bar.start()
            self.task_id = self.bar.add_task("starting Prefect", total=None, last="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def _rel(self, path: str) -> str:
        try:
            return str(Path(path).relative_to(self.root))
        except ValueError:
            return path

    def on_event(self, event: str, data: dict[str, Any]) -> None:
        if event == "planned":
            work = data["to_parse"] + data["copies"] + data["unreadable"] + data.get("deferred", 0)
            if self.bar is not None:
                self.bar.update(self.task_id, description="ingesting", total=work, completed=0)
            elif self.mode is ProgressMode.plain:
                print(
                    f"planned\t{data['seen']} seen\t{data['unchanged']} unchanged\t{data['to_parse']} to parse",
                    flush=True,
                )
        elif event == "document":
            if data["status"] == "loaded":
                self.loaded += 1
            rel = self._rel(data["path"])
            if self.bar is not None:
                self.bar.update(self.task_id, advance=1, last=f"{data['status']} {rel}")
            elif self.mode is ProgressMode.plain:
                detail = (
                    data["reason_code"] if data["status"] in ("rejected", "deferred") else data["report_id"]
                )
                print(f"{data['status']}\t{detail}\t{rel}", flush=True)


def print_summary(
    console: Console, summary: dict[str, Any], drop_dir: Path, wall: float, startup: float | None = None
) -> None:
    """The tables and the ``Summary:`` line. ``wall`` is the command's time; with ``startup`` (the part
    of it spent outside the run itself: Prefect's server start, flow-run bookkeeping) the line reports
    the run's own time and that overhead apart, so that a run that parsed nothing does not read as
    "parsed 0 in 9 s"."""
    table = Table(title="xxgk ingest", show_header=True, header_style="bold")
    table.add_column("files", justify="left")
    table.add_column("count", justify="right")
    for key in ("seen", "unchanged", "parsed", "loaded", "duplicate", "rejected", "deferred"):
        table.add_row(key, str(summary[key]))
    console.print(table)
    if summary["rejections"]:
        rejected = Table(title="rejected files", show_header=True, header_style="bold", expand=False)
        rejected.add_column("file", overflow="fold")
        rejected.add_column("reason_code")
        rejected.add_column("reason", overflow="fold")
        root = drop_dir.resolve()
        for r in summary["rejections"]:
            path = Path(r["path"])
            rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
            rejected.add_row(rel, r["reason_code"], r["reason"])
        console.print(rejected)
    if summary.get("skipped"):
        entries = summary["skipped"]
        console.print(
            f"skipped {len(entries)} "
            + ("entry that is not a document: " if len(entries) == 1 else "entries that are not documents: ")
            + "; ".join(
                f"{_relative(e['path'], drop_dir)} ({e['reason']}{': ' + e['detail'] if e['detail'] else ''})"
                for e in entries
            )
        )
    if summary["seen"] == 0:
        console.print(f"the drop directory {drop_dir} holds no files: nothing to ingest")
    if summary.get("deferrals"):
        console.print(
            f"deferred (still being written, left for the next run): {', '.join(summary['deferrals'])}"
        )
    console.print(
        f"Summary: {summary['seen']} seen, {summary['unchanged']} unchanged, {summary['loaded']} loaded, "
        f"{summary['rejected']} rejected, {summary['duplicate']} duplicate, {summary.get('deferred', 0)} deferred, "
        f"{len(summary.get('skipped', []))} skipped; "
        f"parsed {summary['parsed']} "
        f"in {wall if startup is None else wall - startup:.1f} s"
        + ("" if startup is None else f", plus {startup:.1f} s of Prefect start-up")
        + f"; {summary.get('ocr_documents', 0)} read by OCR (warehouse {summary['db_path']})"
    )


def _relative(path: str, drop_dir: Path) -> str:
    root = drop_dir.resolve()
    return str(Path(path).relative_to(root)) if Path(path).is_relative_to(root) else path
