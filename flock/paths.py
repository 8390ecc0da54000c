"""Where the project keeps things: one place, so scripts and tests agree."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUILD_MANIFEST = PROJECT_ROOT / ".build" / "__local__.json"
CONFIG_DIR = PROJECT_ROOT / "config"
DEPLOYMENTS_DIR = PROJECT_ROOT / "deployments"
REPORTS_DIR = PROJECT_ROOT / "reports"
DOCS_DIR = PROJECT_ROOT / "docs"
