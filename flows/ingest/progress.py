"""Progress events from the flow to whoever displays them (the CLI's progress bar or plain lines).

A module-level hook rather than a flow parameter: flow parameters must stay serialisable for Prefect,
and a callback is not. The flow and its tasks run in threads of the calling process, so the hook the
CLI installs is the one they see. With no hook installed, events are dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

ProgressHook = Callable[[str, dict[str, Any]], None]
"""``hook(event, data)``. Events:

- ``planned``: ``{"seen", "unchanged", "to_parse", "copies", "unreadable"}`` once discovery is done;
- ``document``: ``{"path", "status", "report_id", "reason_code", "reason"}`` after each file is written
  (loaded / rejected / duplicate) — for parsed files, copies and unreadable files alike.
"""

_hook: ProgressHook | None = None
_lock = threading.Lock()


def install(hook: ProgressHook | None) -> None:
    """Set (or with ``None`` remove) the hook."""
    global _hook
    _hook = hook


def emit(event: str, **data: Any) -> None:
    """Call the hook; a failing display must never fail the ingest, so errors are swallowed."""
    hook = _hook
    if hook is None:
        return
    with _lock:
        try:
            hook(event, data)
        except Exception:  # noqa: BLE001
            pass
