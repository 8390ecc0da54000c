"""The metering store's two back ends: SQLite in a temporary file, and a real PostgreSQL server the
tests start themselves (pgserver: PostgreSQL in a PyPI wheel; it runs as root too, which Debian's
server refuses), one per session."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from flock.gateway.store import metadata


@pytest.fixture(scope="session")
def postgres_url():
    """As root, pgserver runs the server as its own system user, which must reach the data folder:
    pytest's temporary folders are private to root (0700), so the server gets a folder of its own
    under the system's temporary directory."""
    folder = Path(tempfile.mkdtemp(prefix="flock-pg-"))
    with warnings.catch_warnings():  # platformdirs: no XDG_RUNTIME_DIR in CI containers
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(folder, cleanup_mode="stop")
    yield server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh, empty store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'metering.db'}"
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    metadata.drop_all(engine)
    engine.dispose()
    return url
