"""Every path xxgk assumes, defined once.

The defaults are relative to the working directory on purpose: the quick start runs ``xxgk ingest``
from a clone, where ``data/drop`` holds the bundled samples. The repository paths locate the plain
``.sql`` files and the generated docs next to the package, wherever the clone is.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_DROP_DIR = "data/drop"
"""Where ``xxgk ingest`` and ``xxgk serve`` look for reports when no DROP_DIR is given."""
DEFAULT_DB = "data/warehouse.duckdb"
"""The warehouse every command opens when no ``--db`` is given."""

REPO_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = REPO_ROOT / "sql"
"""All DDL and views, applied in path order on every read-write open."""
SQL_LAYERS = ("schema", "models", "staging", "checks", "marts", "ops")
"""The folders of ``sql/`` in the order they run: tables; the materialised fact model (only when stale);
staging views over it; the cross-year checks; the analyst views (marts); operator views."""
VIEW_LAYERS = ("staging", "checks", "marts", "ops")
"""The folders that hold views only: created after the model tables they read exist."""
MODEL_DIR = SQL_DIR / "models"
"""The materialised fact model, rebuilt by the writer when its inputs changed."""
DICTIONARY_DOC = REPO_ROOT / "docs" / "dictionary.md"
