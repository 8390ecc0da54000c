"""The harness's Chain interface on anvil (the fuzz.vs_anvil benchmark's backend): the protocol
deploys with the same transactions, views and transactions agree, reverts decode to the same custom
errors, snapshots and time travel work, and the session's anvil is given back as it was. (Contract
addresses differ after the first call: the harness does not count a sender's nonce for calls.)"""

from __future__ import annotations

from flock.harness.anvil import AnvilChain, ape_request, borrowed
from flock.harness.evm import Chain
from flock.harness.system import deploy_system


def test_the_same_calls_give_the_same_results_on_anvil(chain):
    request = ape_request()
    height = chain.blocks.height
    with borrowed(request):
        on_anvil = deploy_system(AnvilChain(request, n_accounts=4))
        here = deploy_system(Chain(n_accounts=4, timestamp=on_anvil.chain.now))
        assert set(on_anvil.contracts) == set(here.contracts) and on_anvil.token.address == here.token.address
        for system in (on_anvil, here):
            c = system.chain
            receipt = system.token.transfer(c.accounts[1], 5, sender=system.treasury)
            assert [e.name for e in receipt.events] == ["Transfer"] and receipt.gas_used > 21_000
            with c.reverts("ERC20InsufficientBalance", balance=5, needed=6):
                system.token.transfer(c.accounts[2], 6, sender=c.accounts[1])
            snap = c.snapshot()
            c.warp(86_400)
            em = system.emissions
            assert em.currentEpoch() == (c.now - em.genesis()) // em.epochLength()  # views see the jump
            system.token.transfer(c.accounts[2], 5, sender=c.accounts[1])
            c.revert(snap)
            assert system.token.balanceOf(c.accounts[1]) == 5
        assert on_anvil.chain.tx_count == here.chain.tx_count
    assert chain.blocks.height == height
    stranger = {"from": "0x" + "42" * 20, "to": "0x" + "43" * 20, "gasPrice": "0x0"}
    assert "error" in request("eth_sendTransaction", [stranger])  # impersonation is off again
