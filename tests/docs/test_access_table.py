"""docs/governance.md's access matrix is the tested table, rendered (flock.testing.access_table)."""

from __future__ import annotations

from flock.testing.access_table import (
    ACCESS_DOC,
    current_text,
    matrix_markdown,
    privileged_markdown,
)
from flock.testing.privileged import OPEN, PRIVILEGED


def test_the_access_matrix_in_the_docs_is_the_tested_table() -> None:
    assert current_text() == matrix_markdown(), (
        f"{ACCESS_DOC.name}'s access matrix differs from flock/testing/privileged.py: "
        "run `python -m flock.testing.access_table`"
    )


def test_every_row_and_open_function_appears() -> None:
    text = matrix_markdown()
    for row in PRIVILEGED:
        assert f"`{row.function}`" in text and f"`{row.error}`" in text
    for functions in OPEN.values():
        assert all(f"| `{f}` |" in text for f in functions)


def test_role_rows_name_who_holds_the_role() -> None:
    """A role's holders come from the table deploy verify checks (flock.deploy.governed)."""
    table = privileged_markdown()
    assert "| FlockToken | `mint` | `MINTER_ROLE`: EmissionController |" in table
    assert "`SLASHER_ROLE`: AllianceRounds, ArenaSlasher" in table
    assert "`EXECUTOR_ROLE`" not in table  # nobody's privilege: the zero address holds it
