"""The harness lets a contract send a transaction (as anvil's impersonation does), keeping its
storage, nonce and code, and refuses a contract sending to itself."""

from __future__ import annotations

import pytest

from flock.harness.system import deploy_system


def test_a_contract_sends_and_keeps_its_state():
    system = deploy_system()
    chain, timelock, gm = system.chain, system.timelock, system.gmflock
    code, delay = chain.evm.get_code(timelock.address), timelock.getMinDelay()
    snap = chain.snapshot()
    receipt = gm.setWithdrawalFee(100, timelock.address, sender=timelock.address)
    assert receipt.events_named("WithdrawalFeeSet")
    assert gm.withdrawalFee() == (100, timelock.address)
    assert chain.evm.get_code(timelock.address) == code
    assert timelock.getMinDelay() == delay and timelock.hasRole(bytes(32), timelock.address)
    with chain.reverts("AccessControlUnauthorizedAccount"):  # a refused call leaves the code too
        gm.setWithdrawalFee(100, timelock.address, sender=system.governor.address)
    assert chain.evm.get_code(system.governor.address)
    chain.revert(snap)
    assert gm.withdrawalFee().feeBps == 513


def test_a_contract_cannot_send_to_itself():
    system = deploy_system()
    timelock = system.timelock
    with pytest.raises(ValueError, match="cannot send a transaction to itself"):
        timelock.updateDelay(1, sender=timelock.address)
