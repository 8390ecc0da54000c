"""docs/governance.md's access matrix, written from the tested table.

``flock.testing.privileged`` is the one statement of who may call what: ``PRIVILEGED`` (each
privileged function, its holder and the error everyone else gets), ``OPEN`` and ``CREATED`` (every
state-changing function anyone may call, and why that is safe). tests/access proves each row;
``flock.deploy.governed.ROLE_HOLDERS`` names who holds each role after deployment and ``deploy verify``
checks it on chain. This module renders those tables as the matrix between the markers in
docs/governance.md, as ``ape run bench`` writes docs/gas.md's table; tests/docs fails when the doc
and the tables differ. Rewrite it with ``python -m flock.testing.access_table``.
"""

from __future__ import annotations

from collections.abc import Iterable

from flock.deploy.governed import ROLE_HOLDERS
from flock.deploy.plan import Deploy, protocol_plan
from flock.files import replace_between_markers
from flock.paths import DOCS_DIR, PROJECT_ROOT
from flock.testing.privileged import (
    CREATED,
    GOVERNANCE,
    NOBODY,
    OPEN,
    OPERATOR,
    ORACLE,
    PRIVILEGED,
    REWARD_GUARDIAN,
    SAME_AS,
    SELF,
    Privileged,
)

ACCESS_DOC = DOCS_DIR / "governance.md"
START = "<!-- access:table:start -->"
END = "<!-- access:table:end -->"

_HOLDER_WORDS = {
    GOVERNANCE: "governance only: the timelock while it executes one of this governor's proposals "
    "(the timelock calling on its own is refused too)",
    SELF: "the contract itself: governance (a proposal the timelock executes)",
    ORACLE: "a member of the reward distributor's oracle set (`setOracles`; a list, not a role)",
    OPERATOR: "a member of the gateway operator set (`setOperators`; a list, not a role)",
    REWARD_GUARDIAN: "a `GUARDIAN_ROLE` holder of the reward distributor (the guardians of reward roots)",
    NOBODY: "nobody: it ran once, in the proxy's deployment, and every implementation refuses it",
}

_REFERENCE_WORDS = {"timelock": "the timelock (governance)", "burn": "anyone (the zero address)"}


def contract_names() -> dict[str, str]:
    """Plan key -> contract name, for every contract the plan deploys (a key deployed several times,
    as the genesis vesting wallets, under the key the access tables classify it by)."""
    names = {step.key: step.contract for step in protocol_plan() if isinstance(step, Deploy)}
    for contract, key in SAME_AS.items():
        names[key] = contract
    return names


def _holder_names(key: str, role: str, names: dict[str, str]) -> str:
    refs: list[str] = []
    from_config = False
    for row in ROLE_HOLDERS:
        if (row.key, row.role) == (key, role):
            refs += [ref for ref in row.holders if ref not in refs]
            from_config |= row.from_config is not None
    words = [_REFERENCE_WORDS.get(ref) or names.get(ref, ref) for ref in refs]
    if from_config:
        words.append("a guardian the deploy config names, if any")
    return ", ".join(words) if words else "nobody after deployment"


def who(row: Privileged, names: dict[str, str]) -> str:
    """The matrix's "who" cell of a privileged row: the holder, and for a role who holds it."""
    if row.holder in _HOLDER_WORDS:
        return _HOLDER_WORDS[row.holder]
    return f"`{row.holder}`: {_holder_names(row.contract, row.holder, names)}"


def refused(row: Privileged) -> str:
    """The error a refused caller gets, and where some caller gets another one, that too."""
    others = "".join(f"; the {caller}: `{error}`" for caller, error in sorted(row.error_for.items()))
    return f"`{row.error}`{others}"


def _grouped(cells: Iterable[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """Rows (contract, function, who, refused) with the functions of one (contract, who, refused)
    joined in first-seen order, then the contracts of one (functions, who, refused) joined."""
    by_contract: dict[tuple[str, str, str], list[str]] = {}
    for contract, function, holder, error in cells:
        functions = by_contract.setdefault((contract, holder, error), [])
        if function not in functions:
            functions.append(function)
    by_functions: dict[tuple[str, str, str], list[str]] = {}
    for (contract, holder, error), functions in by_contract.items():
        joined = ", ".join(f"`{f}`" for f in functions)
        by_functions.setdefault((joined, holder, error), []).append(contract)
    return [(", ".join(cs), fs, h, e) for (fs, h, e), cs in by_functions.items()]


def privileged_markdown() -> str:
    names = contract_names()
    cells = ((names[r.contract], r.function, who(r, names), refused(r)) for r in PRIVILEGED)
    lines = ["| contract | function | who may call it | everyone else gets |", "|---|---|---|---|"]
    lines += [f"| {c} | {f} | {h} | {e} |" for c, f, h, e in _grouped(cells)]
    return "\n".join(lines)


def open_markdown() -> str:
    names = contract_names()
    lines = ["| contract | function | why anyone may call it |", "|---|---|---|"]
    for key, functions in OPEN.items():
        lines += [f"| {names[key]} | `{f}` | {why} |" for f, why in functions.items()]
    for contract, functions in CREATED.items():
        lines += [f"| {contract} (created at run time) | `{f}` | {why} |" for f, why in functions.items()]
    return "\n".join(lines)


def matrix_markdown() -> str:
    """The whole generated section: the privileged functions, then the open ones."""
    return (
        "Privileged functions (tests/access/test_privileged.py proves every row: each refuses every other\n"
        "known account with the error named and succeeds for its holder):\n\n"
        f"{privileged_markdown()}\n\n"
        "State-changing functions open to anyone, by design (tests/access checks that with the rows\n"
        "above they cover every non-view function of every deployed contract):\n\n"
        f"{open_markdown()}"
    )


def current_text() -> str:
    """The generated section as docs/governance.md holds it now ('' without markers)."""
    text = ACCESS_DOC.read_text()
    if START not in text or END not in text:
        return ""
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


def write() -> None:
    replace_between_markers(ACCESS_DOC, START, END, matrix_markdown())


if __name__ == "__main__":
    write()
    print(f"wrote the access matrix into {ACCESS_DOC.relative_to(PROJECT_ROOT)}")
