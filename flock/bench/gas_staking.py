"""Gas of FLOCK and gmFLOCK operations, whole-transaction, measured on anvil."""

from __future__ import annotations

from ape import chain

from flock.bench.registry import Results, benchmark
from flock.chain.clock import advance
from flock.chain.local import new_accounts
from flock.deploy.ape_backend import deploy_fresh
from flock.units import DAY, WAD


@benchmark("staking", needs_chain=True)
def staking_gas() -> Results:
    p = deploy_fresh()
    token, gm, admin, deployer = p.token, p.gmflock, p.admin, p.deployer
    early, fresh, slashed_one, slashed_many = new_accounts(4, deployer)
    for account in (early, fresh, slashed_one, slashed_many):
        token.transfer(account, 100_000 * WAD, sender=deployer)

    out: Results = {}
    receipt = token.transfer(early, 1 * WAD, sender=fresh)
    out["gas.flock_transfer"] = receipt.gas_used

    # Others have locked before; a brand-new user locks at a new timestamp, approving exactly.
    token.approve(gm, 1_000 * WAD, sender=early)
    gm.lock(1_000 * WAD, 365 * DAY, sender=early)
    advance(60)
    token.approve(gm, 1_000 * WAD, sender=fresh)
    out["gas.gm_lock_first"] = gm.lock(1_000 * WAD, 365 * DAY, sender=fresh).gas_used
    advance(60)
    token.approve(gm, 500 * WAD, sender=fresh)
    out["gas.gm_lock_again"] = gm.lock(500 * WAD, 30 * DAY, sender=fresh).gas_used
    advance(60)
    out["gas.gm_extend"] = gm.extend(1, 180 * DAY, sender=fresh).gas_used
    advance(181 * DAY)
    out["gas.gm_unlock"] = gm.unlock(1, sender=fresh).gas_used
    # Anyone removes an expired lock's boost (issue 11): a stranger kicks the early 365-day lock.
    advance(185 * DAY)
    out["gas.gm_kick"] = gm.kick(early, 0, sender=fresh).gas_used

    # Slashing is O(1): one lock or fifty, the same work.
    gm.grantRole(gm.SLASHER_ROLE(), admin, sender=admin)
    gm.grantRole(gm.STAKE_MANAGER_ROLE(), admin, sender=admin)
    token.approve(gm, 1_000 * WAD, sender=slashed_one)
    gm.lock(1_000 * WAD, 30 * DAY, sender=slashed_one)
    token.approve(gm, 50_000 * WAD, sender=slashed_many)
    for _ in range(50):
        gm.lock(1_000 * WAD, 30 * DAY, sender=slashed_many)
    for account in (slashed_one, slashed_many):
        gm.allocate(account, 100 * WAD, sender=admin)
    # Each slash at a fresh timestamp, so both write the same checkpoint slots.
    advance(60)
    # Seized FLOCK goes to an account that already holds FLOCK (the deployer): the timelock, which
    # holds the slasher role here, starts with none, and a first credit would cost a fresh slot.
    out["gas.gm_slash_1_lock"] = gm.slash(slashed_one, 10 * WAD, deployer, sender=admin).gas_used
    advance(60)
    out["gas.gm_slash_50_locks"] = gm.slash(slashed_many, 10 * WAD, deployer, sender=admin).gas_used
    out["gas.gm_slash_50_locks_vs_1"] = round(out["gas.gm_slash_50_locks"] / out["gas.gm_slash_1_lock"], 4)
    out["gas.proxy_overhead"] = _proxy_overhead(
        str(gm.address), p.manifest.implementations["gmflock"].address, fresh
    )
    return out


def _proxy_overhead(proxy: str, implementation: str, sender: object) -> int:
    """What entering an upgradeable contract through its ERC-1967 proxy adds to a transaction: the
    same call (gmFLOCK's `decimals()`, which reads nothing) sent to the proxy and to the
    implementation, estimated by anvil; the difference is the proxy's hop (the implementation slot,
    a cold read, and the implementation's code, a cold account, then the delegatecall)."""

    def estimate(to: str) -> int:
        tx = {"from": str(getattr(sender, "address", sender)), "to": to, "data": "0x313ce567"}  # decimals()
        return int(chain.provider.make_request("eth_estimateGas", [tx]), 16)

    return estimate(proxy) - estimate(implementation)
