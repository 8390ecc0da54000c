"""Gas of FL Alliance rounds, whole-transaction, measured on anvil.

One approved Alliance task per participant count; every participant is a fresh account that
joined the task with its own gmFLOCK. A round is played in full (enroll, secrets, draw, two
proposals, every voter commits and reveals) and measured at each step:

- ``gas.alliance_vote_commit`` and ``gas.alliance_vote_reveal``: the dearest commit and reveal
  of the round (a reveal is dearest for the first voter of a vote pattern: the tally's per-pattern
  stake slot goes from zero to non-zero);
- ``gas.alliance_finalize_4`` and ``gas.alliance_finalize_16``: finalizing a decided round (both
  proposals accepted, a lineage entry written, the reward computed) with 4 and with 16
  participants;
- ``gas.alliance_commit_proposal`` and ``gas.alliance_reveal_proposal``: the dearest proposal
  commitment and reveal (issue 11: proposals by commit-reveal);
- settlement, per participant: ``gas.alliance_settle_slash`` (a losing voter slashed through the
  task registry, FLOCK routed) and ``gas.alliance_settle_credit`` (an accepted proposer credited
  its reward and slash share), and ``gas.alliance_withdraw`` (that proposer's reward as FLOCK and
  its slash share as a new gmFLOCK lock of the maximum duration, decision 195); the emission epoch
  of the moment is opened first (``checkpoint``), as for ``gas.task_join``: a slash reports the
  task's stake to the emission controller, and the first call into it in a new epoch opens the
  epoch and mints its
  emission (``gas.emission_checkpoint_1_task``, about 83,000 here), whoever makes it;
- ``gas.alliance_round_16``: a whole 16-participant round settled (finalize, then every
  participant settled in its own transaction, one of them outvoted and slashed), and
  ``gas.alliance_round_16_per_participant`` its share per participant (issue 16);
  ``gas.alliance_round_16_one_call`` the same round settled by one ``settle`` call with every
  participant (what a keeper settling whole rounds pays; measured from the same state, reverted);
- ``gas.alliance_evict``: evicting a participant that skipped the last ``evictionRounds`` rounds
  (issue 11: slot squatting).
"""

from __future__ import annotations

import os
from typing import Any

from flock.alliance.chain import ApeClock, RoundDriver, address_of, run_round
from flock.alliance.protocol import seed_commitment, vote_commitment
from flock.bench.registry import Results, benchmark
from flock.chain.clock import advance
from flock.chain.local import new_accounts
from flock.chain.protocol import LiveProtocol
from flock.deploy.ape_backend import deploy_fresh
from flock.tasks import Role, TaskKind, spec_hash
from flock.units import DAY, WAD

COUNTS = (4, 16)


def _stake(p: LiveProtocol, accounts: list[Any], flock: int) -> None:
    for account in accounts:
        p.token.transfer(account, flock * WAD, sender=p.deployer)
        p.token.approve(p.gmflock, flock * WAD, sender=account)
        p.gmflock.lock(flock * WAD, 365 * DAY, sender=account)


def _play(n: int, losing_voter: bool) -> tuple[Results, dict[str, Any]]:
    """A full round with ``n`` participants; returns its gas and the handles to settle it."""
    p = deploy_fresh()
    creator, keeper, *people = new_accounts(n + 2, p.deployer)
    _stake(p, [creator, *people], 20_000)
    p.tasks.createTask(
        TaskKind.ALLIANCE, 20 * DAY, spec_hash("bench"), "ipfs://bench", 2, n + 1, sender=creator
    )
    task_id = p.tasks.taskCount()
    p.tasks.approveTask(task_id, sender=p.admin)
    for i, account in enumerate(people):
        p.tasks.join(task_id, Role.PARTICIPANT, (2_000 + 100 * i) * WAD, 0, sender=account)
    advance(DAY)
    p.emissions.checkpoint(sender=keeper)
    d = RoundDriver(p.alliance, task_id, ApeClock(), keeper)
    out: Results = {}
    out["open"] = d.open().gas_used
    secrets = {}
    enroll_gas = []
    for account in people:
        secret = os.urandom(32)
        commitment = seed_commitment(task_id, d.round_id, address_of(account), secret)
        enroll_gas.append(p.alliance.enroll(task_id, d.round_id, commitment, sender=account).gas_used)
        secrets[address_of(account)] = secret
    out["enroll"] = max(enroll_gas)
    d.to_seed_reveal()
    out["reveal_seed"] = max(d.reveal_seed(a, secrets[address_of(a)]).gas_used for a in people)
    d.to_draw()
    out["draw"] = p.alliance.drawRoles(task_id, d.round_id, sender=keeper).gas_used
    proposers = d.proposers()
    by_address = {address_of(a): a for a in people}
    commits, reveals = d.propose(
        [(by_address[a], bytes([i + 1]) * 32, f"store://{i}") for i, a in enumerate(proposers)]
    )
    out["commit_proposal"] = max(r.gas_used for r in commits)
    out["reveal_proposal"] = max(r.gas_used for r in reveals)
    voters = [a for a in people if address_of(a) not in proposers]
    d.to_commit()
    votes = {address_of(v): 0b11 for v in voters}
    votes[address_of(voters[0])] = 0b00 if losing_voter else 0b11  # the smallest voter: outvoted
    salts, commit_gas = {}, []
    for v in voters:
        salt = os.urandom(32)
        commitment = vote_commitment(task_id, d.round_id, address_of(v), votes[address_of(v)], salt)
        commit_gas.append(p.alliance.commitVote(task_id, d.round_id, commitment, sender=v).gas_used)
        salts[address_of(v)] = salt
    out["commit"] = max(commit_gas)
    d.to_reveal()
    out["reveal"] = max(d.reveal(v, votes[address_of(v)], salts[address_of(v)]).gas_used for v in voters)
    d.to_tally()
    out["finalize"] = d.finalize().gas_used
    assert d.info().acceptedMask == 0b11
    return out, {
        "p": p,
        "driver": d,
        "proposers": [by_address[a] for a in proposers],
        "voters": voters,
        "people": people,
        "keeper": keeper,
    }


def _open_epoch(handles: dict[str, Any]) -> None:
    """Opens the emission epoch of the moment (if due), so that a settlement's gas is its own."""
    handles["p"].emissions.checkpoint(sender=handles["keeper"])


def _round_16(gas: Results, handles: dict[str, Any]) -> tuple[int, int]:
    """Finalize plus every participant of the round settled, each in its own transaction (the
    outvoted voter first: its slash feeds the honest pot), and finalize plus one ``settle`` of them
    all (from the same state: the chain is reverted in between)."""
    from ape import chain

    d = handles["driver"]
    order = [handles["voters"][0], *handles["proposers"], *handles["voters"][1:]]
    _open_epoch(handles)
    snapshot = chain.snapshot()
    one_call = int(gas["finalize"]) + d.settle(order).gas_used
    chain.restore(snapshot)
    return int(gas["finalize"]) + sum(d.settle([a]).gas_used for a in order), one_call


def _evict_gas(handles: dict[str, Any]) -> int:
    """Evicts a participant that joined and then skipped ``evictionRounds`` rounds in a row."""
    p, d, keeper = handles["p"], handles["driver"], handles["keeper"]
    squatter = new_accounts(1, p.deployer)[0]
    _stake(p, [squatter], 5_000)
    p.tasks.join(d.task_id, Role.PARTICIPANT, 2_000 * WAD, 0, sender=squatter)
    honest = handles["people"][:3]
    for _ in range(int(p.alliance.evictionRounds())):
        run_round(d, honest)
        d.finalize()
    return int(p.alliance.evict(d.task_id, squatter, sender=keeper).gas_used)


@benchmark("alliance", needs_chain=True)
def alliance_gas() -> Results:
    out: Results = {}
    rounds = {}
    for n in COUNTS:
        gas, handles = _play(n, losing_voter=True)
        rounds[n] = (gas, handles)
        out[f"gas.alliance_finalize_{n}"] = gas["finalize"]
    small, small_handles = rounds[COUNTS[0]]
    out["gas.alliance_vote_commit"] = small["commit"]
    out["gas.alliance_vote_reveal"] = small["reveal"]
    out["gas.alliance_open_round"] = small["open"]
    out["gas.alliance_enroll"] = small["enroll"]
    out["gas.alliance_reveal_seed"] = small["reveal_seed"]
    out["gas.alliance_commit_proposal"] = small["commit_proposal"]
    out["gas.alliance_reveal_proposal"] = small["reveal_proposal"]
    out["gas.alliance_draw_roles_4"] = small["draw"]
    out["gas.alliance_draw_roles_16"] = rounds[COUNTS[1]][0]["draw"]
    # Settlement, one participant per transaction: the outvoted voter (its slash goes through the
    # registry and gmFLOCK), then an accepted proposer (reward and its share of that slash).
    d, p = small_handles["driver"], small_handles["p"]
    loser, proposer = small_handles["voters"][0], small_handles["proposers"][0]
    _open_epoch(small_handles)
    out["gas.alliance_settle_slash"] = d.settle([loser]).gas_used
    out["gas.alliance_settle_credit"] = d.settle([proposer]).gas_used
    out["gas.alliance_withdraw"] = p.alliance.withdraw(proposer, sender=proposer).gas_used
    big_gas, big = rounds[COUNTS[1]]
    out["gas.alliance_round_16"], out["gas.alliance_round_16_one_call"] = _round_16(big_gas, big)
    out["gas.alliance_round_16_per_participant"] = round(out["gas.alliance_round_16"] / COUNTS[1], 1)
    out["gas.alliance_evict"] = _evict_gas(big)
    return out
