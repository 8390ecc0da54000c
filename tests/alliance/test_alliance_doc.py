"""The worked example in docs/alliance.md is what the contract does."""

from __future__ import annotations

import random
from decimal import Decimal

from flock.alliance.chain import HarnessClock, RoundDriver, owed_of
from flock.alliance.protocol import Owed, draw_proposers, draw_seed, xor32
from flock.harness.system import deploy_system
from flock.paths import DOCS_DIR
from flock.tasks import Role, TaskKind
from flock.units import DAY, WAD

DOC = (DOCS_DIR / "alliance.md").read_text()
VOTE_BITS = {("accept", "reject"): 0b01, ("reject", "accept"): 0b10}


def table(name: str) -> list[list[str]]:
    block = DOC.split(f"<!-- example:{name}:start -->")[1].split(f"<!-- example:{name}:end -->")[0]
    rows = [line.strip().strip("|").split("|") for line in block.strip().splitlines()[2:]]
    return [[cell.strip() for cell in row] for row in rows]


def wei(cell: str) -> int:
    return int(Decimal(cell.replace(",", "")) * WAD)


def test_the_worked_example():
    votes, settlement = table("votes"), table("settlement")
    system = deploy_system()
    chain, alliance, tasks, token = system.chain, system.alliance, system.tasks, system.token
    creator, finalizer, *people = chain.accounts[1:8]
    names = dict(zip((row[0] for row in votes), people, strict=False))
    for account in (creator, *names.values()):
        token.transfer(account, 100_000 * WAD, sender=system.treasury)
        token.approve(system.gmflock.address, 2**256 - 1, sender=account)
        system.gmflock.lock(20_000 * WAD, 30 * DAY, sender=account)  # boost 1: a gmFLOCK per FLOCK
    task = tasks.createTask(TaskKind.ALLIANCE, 2 * DAY, b"\x44" * 32, "ipfs://doc", 2, 5, sender=creator)
    task_id = task.return_value
    for name, stake, *_ in votes:
        tasks.join(task_id, Role.PARTICIPANT, wei(stake), 0, sender=names[name])
    token.approve(alliance.address, 12_000 * WAD, sender=creator)
    alliance.fund(task_id, 12_000 * WAD, sender=creator)
    assert "a round lasts 29,100 s" in DOC and alliance.roundDuration() == 29_100

    driver = RoundDriver(alliance, task_id, HarnessClock(chain), finalizer)
    driver.open()
    proposers_wanted = [
        names[row[0]] for row in sorted(votes, key=lambda r: r[2]) if row[2].startswith("proposer")
    ]
    rng = random.Random("alliance worked example")  # the same secrets every run: a bounded search
    randao = rng.randbytes(32)
    # The draw is random: pick the secrets (as the test may) that make A and E the proposers.
    while True:
        secrets = {name: rng.randbytes(32) for name in names}
        seed = draw_seed(xor32(list(secrets.values())), randao, task_id, driver.round_id)
        if draw_proposers(seed, list(names.values()), 2) == proposers_wanted:
            break
    for name, account in names.items():
        driver.enroll(account, secrets[name])
    driver.to_seed_reveal()
    for name, account in names.items():
        driver.reveal_seed(account, secrets[name])
    driver.to_draw()
    chain.set_prevrandao(randao)
    assert driver.draw() == proposers_wanted
    driver.propose(
        [(a, bytes([slot + 1]) * 32, f"store://{slot}") for slot, a in enumerate(proposers_wanted)]
    )
    driver.to_commit()
    salts = {}
    for name, _, role, on_a, on_e in votes:
        if role == "voter":
            salts[name] = driver.commit(names[name], VOTE_BITS[(on_a, on_e)])
    driver.to_reveal()
    for name, _, role, on_a, on_e in votes:
        if role == "voter":
            driver.reveal(names[name], VOTE_BITS[(on_a, on_e)], salts[name])
    driver.to_tally()
    assert alliance.roundsLeft(task_id, driver.info().revealEnd) == 5
    driver.finalize()
    info = driver.info()
    assert (info.acceptedMask, info.honestStake, info.reward) == (0b01, 12_000 * WAD, 2_400 * WAD)
    assert alliance.proposalsOf(task_id, driver.round_id).stakeFor == (7_000 * WAD, 2_000 * WAD)

    finalizer_before = owed_of(alliance, finalizer)
    receipt = driver.settle(list(names.values()))
    slashed = {e["account"]: e for e in receipt.events_named("ParticipantSlashed")}
    for name, _, gm, seized, reward, share in settlement:
        account = names[name]
        event = slashed.get(account)
        assert (event["gm"] if event else 0) == wei(gm), name
        assert (event["flockSeized"] if event else 0) == wei(seized), name
        assert owed_of(alliance, account) == Owed(wei(reward), wei(share)), (
            name
        )  # shares relock (decision 195)
    assert owed_of(alliance, finalizer) == finalizer_before.credit(slash_share=20 * WAD)
    assert info.honestPot == 0 and driver.info().honestPot == 180 * WAD
    assert alliance.poolOf(task_id).pool == 9_600 * WAD
