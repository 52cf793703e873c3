"""The tally of one ingest run, returned by the flow as a plain (serialisable) dict."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Rejection:
    path: str
    reason_code: str
    reason: str


@dataclass(slots=True)
class RunSummary:
    drop_dir: str
    db_path: str
    seen: int = 0
    """Files found in the drop directory."""
    unchanged: int = 0
    """Already recorded with the same bytes: not parsed."""
    parsed: int = 0
    """Files handed to a parser worker (0 on a no-op re-run)."""
    loaded: int = 0
    """New reports committed."""
    duplicate: int = 0
    """New paths whose bytes were already loaded (copies, moves): recorded, not loaded again."""
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    ocr_documents: int = 0
    """Loaded reports whose text was read by OCR, wholly or in part (reports.ocr_pages not empty)."""
    deferred: int = 0
    """Files still being written (too fresh, or changed while read): no row, the next run takes them."""
    deferrals: list[str] = field(default_factory=list)
    """Paths of the deferred files."""
    skipped: list[dict[str, str]] = field(default_factory=list)
    """Directory entries that were not files to look at: ``{"path", "reason", "detail"}`` with a
    reason of ``flows.ingest.discovery.SKIP_REASONS`` (not documents, so not rejections)."""
    seconds: float = 0.0
    parse_seconds: float = 0.0
    """Sum of per-file parse times in the workers."""
    worker_crashes: int = 0
    flow_run_id: str | None = None
    status: str = "completed"
    """completed | failed | interrupted (a failed or interrupted run still records what it committed)."""
    error: str | None = None
    resumed: bool = False
    """The run continued the staging copy an interrupted run left (see flows.warehouse.staging)."""
    copy_seconds: float = 0.0

    def count(
        self, status: str, path: str, reason_code: str | None = None, reason: str | None = None
    ) -> None:
        if status == "loaded":
            self.loaded += 1
        elif status == "deferred":
            self.deferred += 1
            self.deferrals.append(path)
        elif status == "duplicate":
            self.duplicate += 1
        else:
            self.rejected += 1
            self.rejections.append(Rejection(path, reason_code or "unknown", reason or ""))

    def skip(self, entries: Iterable[Any]) -> None:
        self.skipped.extend({"path": e.path, "reason": e.reason, "detail": e.detail} for e in entries)

    def counts(self) -> dict[str, int]:
        return {
            "seen": self.seen,
            "unchanged": self.unchanged,
            "parsed": self.parsed,
            "loaded": self.loaded,
            "duplicate": self.duplicate,
            "rejected": self.rejected,
            "deferred": self.deferred,
        }

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rejections"] = sorted(data["rejections"], key=lambda r: r["path"])
        data["deferrals"] = sorted(data["deferrals"])
        data["skipped"] = sorted(data["skipped"], key=lambda e: e["path"])
        return data
