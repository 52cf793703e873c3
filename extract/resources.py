"""A hook for the process that runs the readers, called before a step that needs far more memory than
reading text: OCR (its models and page images are several hundred MB). A process that parses under a
memory cap registers the allowance such a step gets; extract itself knows nothing of the caps, and this
module imports nothing, so registering the hook costs a worker nothing."""

from __future__ import annotations

from collections.abc import Callable

_before_ocr: Callable[[], object] | None = None


def set_before_ocr(hook: Callable[[], object] | None) -> None:
    """Register the hook ``before_ocr`` calls (None: none)."""
    global _before_ocr
    _before_ocr = hook


def before_ocr() -> None:
    """Called by extract.ocr before the engine runs."""
    if _before_ocr is not None:
        _before_ocr()
