"""The role draw: no participant chooses its own role by choosing its secret after seeing the
others', and withholding a secret buys a slash, not a better role (docs/alliance.md, "Randomness").

Runs on the in-process harness, where the test controls ``block.prevrandao`` and so can play the
strongest attacker: one that knows even the randomness of the block the roles will be drawn in.
Secrets and block randomness come from a generator seeded per test (``rng``), so every run draws the
same roles: the counts below are measured once, never left to chance (one run in about 24,000 drew
a proposer share outside the fairness bound with ``os.urandom``)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from flock.alliance.chain import HarnessClock, RoundDriver
from flock.alliance.protocol import SlashReason, draw_proposers, draw_seed, seed_commitment, xor32
from flock.harness.system import deploy_system
from flock.tasks import Role, TaskKind
from flock.units import DAY, WAD

N = 5


@pytest.fixture(scope="module")
def world():
    system = deploy_system()
    chain = system.chain
    people = chain.accounts[1 : 1 + N + 1]
    for user in people:
        system.token.transfer(user, 100_000 * WAD, sender=system.treasury)
        system.token.approve(system.gmflock.address, 2**256 - 1, sender=user)
        system.gmflock.lock(50_000 * WAD, 365 * DAY, sender=user)
    task = system.tasks.createTask(
        TaskKind.ALLIANCE, 10 * DAY, b"\x11" * 32, "ipfs://draw", 2, 8, sender=people[-1]
    ).return_value
    for i, user in enumerate(people[:N]):
        system.tasks.join(task, Role.PARTICIPANT, (1_000 + 500 * i) * WAD, 0, sender=user)
    return [system, task, people[:N], chain.snapshot()]


@pytest.fixture
def rng(request) -> random.Random:
    """The test's secrets and prevrandao values: the same every run (seeded by the test's name)."""
    return random.Random(request.node.name)


@pytest.fixture
def setup(world):
    """The module's world, back at its snapshot for each test."""
    system, task, participants, snap = world
    world[3] = system.chain.restore(snap)
    return system, task, participants


def _enrolled(system, task, participants, attacker_secret, rng):
    driver = RoundDriver(system.alliance, task, HarnessClock(system.chain), system.deployer)
    driver.open()
    secrets = {p: rng.randbytes(32) for p in participants[:-1]}
    secrets[participants[-1]] = attacker_secret
    for p, secret in secrets.items():
        driver.enroll(p, secret)
    return driver, secrets


def test_a_participant_cannot_pick_its_role_by_choosing_its_secret_late(setup, rng):
    system, task, participants = setup
    chain, alliance = system.chain, system.alliance
    attacker = participants[-1]
    proposers = alliance.roundRules().proposers
    # The attacker commits to a secret in the enrollment phase, before anyone reveals anything.
    committed = rng.randbytes(32)
    driver, secrets = _enrolled(system, task, participants, committed, rng)
    driver.to_seed_reveal()
    for p in participants[:-1]:
        driver.reveal_seed(p, secrets[p])
    # It has now seen every other secret, and (the worst case) knows the draw block's randomness.
    info = driver.info()
    randao = rng.randbytes(32)
    others = [secrets[p] for p in participants[:-1]]
    seeded = [*participants[:-1], attacker]

    def role_with(secret: bytes) -> bool:
        seed = draw_seed(xor32([*others, secret]), randao, task, driver.round_id)
        return attacker in draw_proposers(seed, seeded, proposers)

    # Without the commitment, grinding a proposer's secret takes a few tries.
    forged = next(s for s in (rng.randbytes(32) for _ in range(500)) if role_with(s) != role_with(committed))
    # The commitment refuses it, whichever role it would have bought.
    with chain.reverts("AllianceSeedMismatch"):
        driver.reveal_seed(attacker, forged)
    # Nor can it commit again to the new secret: enrollment is over, and it is enrolled already.
    with chain.reverts("AllianceOutsidePhase"):
        system.alliance.enroll(
            task, driver.round_id, seed_commitment(task, driver.round_id, attacker, forged), sender=attacker
        )
    # Its committed secret is the only one it can reveal; the roles follow from it.
    driver.reveal_seed(attacker, committed)
    chain.set_time(info.drawAt)
    chain.set_prevrandao(randao)
    drawn = driver.draw()
    assert drawn == draw_proposers(
        draw_seed(xor32([*others, committed]), randao, task, driver.round_id), seeded, proposers
    )
    assert (attacker in drawn) == role_with(committed) != role_with(forged)


def test_withholding_a_secret_buys_no_role_and_a_slash(setup, rng):
    system, task, participants = setup
    chain, alliance = system.chain, system.alliance
    attacker = participants[-1]
    driver, secrets = _enrolled(system, task, participants, rng.randbytes(32), rng)
    driver.to_seed_reveal()
    for p in participants[:-1]:
        driver.reveal_seed(p, secrets[p])
    driver.to_draw()
    drawn = driver.draw()
    assert attacker not in drawn
    entry = driver.entry(attacker)
    assert entry.enrolled and not entry.seedRevealed and not entry.proposer
    with chain.reverts("AllianceNotProposer"):
        driver.commit_proposal(attacker, b"\x01" * 32)
    chain.set_time(driver.info().proposalRevealEnd)
    with chain.reverts("AllianceNotVoter"):
        driver.commit(attacker, 1)
    driver.to_tally()
    driver.finalize()
    settlement = alliance.settlementOf(task, driver.round_id, attacker)
    assert settlement[0] == SlashReason.SEED_WITHHELD and settlement[1] > 0
    receipt = driver.settle([attacker])
    (slash,) = receipt.events_named("ParticipantSlashed")
    assert slash["account"] == attacker and slash["reason"] == SlashReason.SEED_WITHHELD


def test_at_the_reveal_deadline_the_secrets_do_not_decide_the_roles(setup, rng):
    """The last revealer sees every secret before deciding to reveal or withhold, but the roles also
    depend on the draw block's prevrandao, which does not exist yet: with the same secrets, other
    draw blocks give other roles, so neither choice tells it which role it gets."""
    system, task, participants = setup
    attacker = participants[-1]
    secrets = [rng.randbytes(32) for _ in participants]
    entropy = xor32(secrets)
    proposers = system.alliance.roundRules().proposers
    outcomes = Counter(
        attacker in draw_proposers(draw_seed(entropy, rng.randbytes(32), task, 1), participants, proposers)
        for _ in range(400)
    )
    assert outcomes[True] > 100 and outcomes[False] > 100  # about 2/5 and 3/5


def test_the_contract_draws_what_the_mirror_predicts_and_fairly(setup, rng):
    system, task, participants = setup
    chain, alliance = system.chain, system.alliance
    driver, secrets = _enrolled(system, task, participants, rng.randbytes(32), rng)
    driver.to_seed_reveal()
    for p in participants:
        driver.reveal_seed(p, secrets[p])
    seeded = [alliance.seededAt(task, driver.round_id, i) for i in range(N)]
    entropy = xor32(list(secrets.values()))
    driver.to_draw()
    randao = rng.randbytes(32)
    chain.set_prevrandao(randao)
    expected = draw_proposers(draw_seed(entropy, randao, task, driver.round_id), seeded, 2)
    assert driver.draw() == expected
    # Over many seeds each participant proposes about 2 rounds in 5.
    counts = Counter()
    draws = 3_000
    for _ in range(draws):
        counts.update(draw_proposers(rng.randbytes(32), seeded, 2))
    for p in seeded:
        assert abs(counts[p] / draws - 2 / N) < 0.04, counts
