"""The worked examples in docs/gmflock.md are what the contract computes."""

import re
from decimal import Decimal

import pytest

from flock.harness.system import deploy_system
from flock.paths import DOCS_DIR
from flock.units import DAY, WAD

DOC = (DOCS_DIR / "gmflock.md").read_text()


def table(name: str) -> list[list[str]]:
    block = DOC.split(f"<!-- example:{name}:start -->")[1].split(f"<!-- example:{name}:end -->")[0]
    rows = [line.strip().strip("|").split("|") for line in block.strip().splitlines()[2:]]
    return [[cell.strip() for cell in row] for row in rows]


def number(cell: str) -> Decimal:
    return Decimal(cell.replace(",", ""))


@pytest.fixture(scope="module")
def system():
    return deploy_system()


@pytest.mark.parametrize("row", table("boost"), ids=lambda row: row[0])
def test_boost_rows(system, row):
    days = int(re.match(r"(\d+) days", row[0]).group(1))
    assert Decimal(system.gmflock.boost(days * DAY)) / WAD == number(row[1])
    assert Decimal(system.gmflock.previewLock(1_000 * WAD, days * DAY)) / WAD == number(row[2])


def test_slash_rows(system):
    gm, token, chain = system.gmflock, system.token, system.chain
    account, admin = chain.accounts[1], system.admin
    token.transfer(account, 2_000 * WAD, sender=system.treasury)
    token.approve(gm.address, 2_000 * WAD, sender=account)
    gm.grantRole(gm.STAKE_MANAGER_ROLE(), admin, sender=admin)
    gm.grantRole(gm.SLASHER_ROLE(), admin, sender=admin)
    gm.lock(1_000 * WAD, 7 * DAY, sender=account)
    gm.lock(1_000 * WAD, 365 * DAY, sender=account)
    gm.allocate(account, 1_000 * WAD, sender=admin)

    def observed(seized: int | None) -> list[Decimal]:
        (_, a0, g0, _, _), (_, a1, g1, _, _) = gm.locksOf(account, 0, 2)
        values = [gm.balanceOf(account), gm.lockedOf(account), a0, g0, a1, g1]
        return [Decimal(v) / WAD for v in values] + ([Decimal(seized) / WAD] if seized is not None else [])

    def documented(row: list[str]) -> list[Decimal]:
        lock0, lock1 = (cell.split("/") for cell in row[3:5])
        cells = [row[1], row[2], lock0[0], lock0[1], lock1[0], lock1[1]] + ([row[5]] if row[5] else [])
        return [number(c) for c in cells]

    after_locks, after_slash = table("slash")
    assert observed(None) == documented(after_locks)
    seized = gm.slash(account, 401 * WAD, admin, sender=admin).return_value
    assert observed(seized) == documented(after_slash)
