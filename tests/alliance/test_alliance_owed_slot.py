"""An account's credit slot is opened once and stays open (decision 237): enrolling marks `_owed[a]`
with its top bit, `withdraw` empties it to the marker instead of zero, so every credit rewrites a
non-zero slot; the marker never shows in `owed` nor in what `withdraw` pays."""

from __future__ import annotations

import ape
from alliance_helpers import events
from eth_abi import encode
from eth_utils import keccak

from flock.alliance.chain import owed_of, run_round
from flock.alliance.protocol import Owed

# ERC-7201 namespace of AllianceRoundsStorage; `_owed` is its field after `_params` (two slots),
# `_books`, `_rounds`, `_lineage` and `_accepted`.
_NAMESPACE = 0xBA1C4FF623C846BE84EEF4E5C2E4DDE920CAA0E58F67435B967024B6DA7EF200
_OWED_FIELD = 6
_OPEN = 1 << 255


def _owed_word(alliance, account) -> int:
    key = encode(["address", "uint256"], [account.address, _NAMESPACE + _OWED_FIELD])
    slot = int.from_bytes(keccak(key), "big")
    return int.from_bytes(bytes(ape.chain.provider.get_storage(alliance.address, slot)), "big")


def test_enrolling_opens_the_slot_and_withdrawing_keeps_it_open(alliance, driver, participants, stranger):
    run = run_round(driver, participants)
    for account in participants:  # enrolled, nothing credited yet: open, empty
        assert _owed_word(alliance, account) == _OPEN
        assert owed_of(alliance, account) == Owed()
        with ape.reverts(alliance.AllianceNothingToWithdraw, account=account.address):
            alliance.withdraw(account, sender=account)
    driver.finalize(sender=stranger)
    receipt = driver.settle(participants)
    credits = {e.account: e for e in events(receipt, "Credited", alliance)}
    proposer = next(p for p in participants if p.address == run["proposers"][0])
    credit = credits[proposer.address]
    # The slot holds the marker and the packed credits the view reports without it.
    word = _owed_word(alliance, proposer)
    assert word == _OPEN | (credit.honestShare << 128) | credit.reward
    assert owed_of(alliance, proposer) == Owed(liquid=credit.reward, relock=credit.honestShare)

    receipt = alliance.withdraw(stranger, sender=proposer)
    (withdrawn,) = events(receipt, "Withdrawn", alliance)
    assert withdrawn.amount == credit.reward  # the marker is not paid out
    assert not events(receipt, "Relocked", alliance)  # nor relocked: nothing came from a slash
    assert _owed_word(alliance, proposer) == _OPEN  # emptied, still open
    assert owed_of(alliance, proposer) == Owed()
    with ape.reverts(alliance.AllianceNothingToWithdraw, account=proposer.address):
        alliance.withdraw(proposer, sender=proposer)


def test_a_stranger_never_enrolled_has_a_closed_slot(alliance, stranger):
    assert _owed_word(alliance, stranger) == 0
    assert owed_of(alliance, stranger) == Owed()
    with ape.reverts(alliance.AllianceNothingToWithdraw, account=stranger.address):
        alliance.withdraw(stranger, sender=stranger)
