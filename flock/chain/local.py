"""Accounts on a local chain (anvil through ape): impersonation and brand-new funded accounts."""

from __future__ import annotations

from typing import Any

from ape import accounts, chain


def impersonate(address: str, eth: int = 10**20) -> Any:
    """An ape account that sends as ``address`` on a local chain (anvil), funded for gas."""
    chain.provider.set_balance(address, eth)
    return accounts.test_accounts.impersonate_account(address)


def new_accounts(n: int, funder: Any, eth: int = 10**18) -> list[Any]:
    """``n`` brand-new funded accounts (no FLOCK, no history)."""
    fresh = []
    for _ in range(n):
        account = accounts.test_accounts.generate_test_account()
        funder.transfer(account, eth)
        fresh.append(account)
    return fresh
