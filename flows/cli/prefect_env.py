"""Prefect reads most settings when it is imported, so every command that starts Prefect calls this
first; the user's explicit values win where that makes sense."""

from __future__ import annotations

import os


def configure_prefect_env(verbose: bool) -> None:
    """Settings Prefect reads at import time; the user's explicit values win where that makes sense."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    if not verbose:
        # Console only: run logs still go to the Prefect API (visible in the UI).
        os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "CRITICAL"
        os.environ["PREFECT_SERVER_LOGGING_LEVEL"] = "CRITICAL"
        os.environ["PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL"] = "CRITICAL"
