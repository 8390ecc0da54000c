"""RewardDistributor: k-of-n roots bounded by the budget, the challenge window and the veto, claims
(bitmap, bad proofs, batches), the burn of the claim fees, vesting, and every refusal by name."""

import ape
import pytest
from eth_utils import keccak, to_checksum_address
from reward_helpers import REPORT, Posted, TaskEpoch, finalize, leaves_for, open_epoch, post

from flock.chain.clock import head_time, mine_at, next_block_at
from flock.oracle.merkle import reward_tree
from flock.rewards import Status, claim_args
from flock.tasks import TaskKind
from flock.units import DAY, WAD

E = WAD
ROOT = b"\x11" * 32
ZERO = "0x0000000000000000000000000000000000000000"


def events(receipt, name, contract):
    return [e for e in receipt.events if e.event_name == name and e.contract_address == contract.address]


# ------------------------------------------------------------------------------------------ posting


def test_first_post_draws_the_budget_and_quorum_accepts(rewards, emissions, token, oracles, ended, budget):
    assert budget > 0
    leaves = leaves_for(oracles, [3 * E, 2 * E, 1 * E])
    tree = reward_tree(leaves)
    held = token.balanceOf(rewards)
    first = rewards.postRoot(ended.task, ended.epoch, tree.root, 6 * E, E, REPORT, sender=oracles[0])
    assert token.balanceOf(rewards) == held + budget
    # The first post draws everything the task accrued into its pool (decision 236).
    assert emissions.drawnBudget(ended.task) == emissions.accruedBudget(ended.task)
    assert [e.amount for e in events(first, "BudgetReserved", rewards)] == [budget]
    (drawn,) = events(first, "BudgetDrawn", emissions)
    assert (drawn.taskId, drawn.toEpoch, drawn.to, drawn.amount) == (
        ended.task,
        emissions.nextEpoch(),
        rewards.address,
        budget,
    )
    info = rewards.epochRewards(ended.task, ended.epoch)
    assert (
        info.status == Status.OPEN and rewards.unallocatedOf(ended.task) == budget and info.root == bytes(32)
    )

    second = rewards.postRoot(ended.task, ended.epoch, tree.root, 6 * E, E, REPORT, sender=oracles[1])
    (accepted,) = events(second, "RootAccepted", rewards)
    assert accepted.total == 6 * E and accepted.burn == E and accepted.reportHash == REPORT
    info = rewards.epochRewards(ended.task, ended.epoch)
    assert info.status == Status.ACCEPTED and info.root == tree.root
    assert rewards.unallocatedOf(ended.task) == budget - 7 * E
    assert info.finalizesAt == head_time() + rewards.rewardParameters()[0]
    assert (info.lockedShareBps, info.vestingPeriod) == rewards.rewardParameters()[1:]
    with ape.reverts(rewards.RewardRootAlreadyAccepted, taskId=ended.task, epoch=ended.epoch, root=tree.root):
        rewards.postRoot(ended.task, ended.epoch, tree.root, 6 * E, E, REPORT, sender=oracles[2])


def test_k_of_n_disagreement_accepts_nothing_until_two_agree(rewards, oracles, ended):
    a, b = reward_tree([(str(oracles[0]), E)]), reward_tree([(str(oracles[0]), 2 * E)])
    rewards.postRoot(ended.task, ended.epoch, a.root, E, 0, REPORT, sender=oracles[0])
    receipt = rewards.postRoot(ended.task, ended.epoch, b.root, 2 * E, 0, REPORT, sender=oracles[1])
    assert [e.votes for e in events(receipt, "RootPosted", rewards)] == [1]
    # The same root with another report hash, or another burn, is another tuple.
    receipt = rewards.postRoot(ended.task, ended.epoch, a.root, E, 0, b"\x08" * 32, sender=oracles[2])
    assert not events(receipt, "RootAccepted", rewards)
    assert rewards.epochRewards(ended.task, ended.epoch).status == Status.OPEN
    with ape.reverts(rewards.RewardAlreadyPosted, taskId=ended.task, epoch=ended.epoch, oracle=oracles[0]):
        rewards.postRoot(ended.task, ended.epoch, b.root, 2 * E, 0, REPORT, sender=oracles[0])


@pytest.mark.parametrize("field", ["total", "burn"])
def test_posts_that_differ_only_in_total_or_burn_are_not_a_quorum(rewards, oracles, ended, field):
    """A ballot counts the whole tuple: an oracle that copies the honest root and report but pays
    another total (or burns another amount) does not complete the quorum with the honest post, and
    the root accepted later carries the agreed figures, not the copier's."""
    tree = reward_tree([(str(oracles[0]), 3 * E)])
    honest = (tree.root, 3 * E, E, REPORT)
    copied = (tree.root, 4 * E, E, REPORT) if field == "total" else (tree.root, 3 * E, 2 * E, REPORT)
    rewards.postRoot(ended.task, ended.epoch, *honest, sender=oracles[0])
    receipt = rewards.postRoot(ended.task, ended.epoch, *copied, sender=oracles[1])
    assert [e.votes for e in events(receipt, "RootPosted", rewards)] == [1]
    assert not events(receipt, "RootAccepted", rewards)
    assert rewards.epochRewards(ended.task, ended.epoch).status == Status.OPEN
    receipt = rewards.postRoot(ended.task, ended.epoch, *honest, sender=oracles[2])
    (accepted,) = events(receipt, "RootAccepted", rewards)
    assert (accepted.total, accepted.burn) == (3 * E, E)
    info = rewards.epochRewards(ended.task, ended.epoch)
    assert (info.status, info.total, info.burn) == (Status.ACCEPTED, 3 * E, E)


def test_over_budget_root_is_refused(rewards, oracles, ended, budget):
    with ape.reverts(rewards.RewardBudgetExceeded, requested=budget + 1, unallocated=budget):
        rewards.postRoot(ended.task, ended.epoch, ROOT, budget, 1, REPORT, sender=oracles[0])
    with ape.reverts(rewards.RewardBudgetExceeded, requested=budget + 1, unallocated=budget):
        rewards.postRoot(ended.task, ended.epoch, ROOT, 1, budget, REPORT, sender=oracles[0])
    # Exactly the budget is fine.
    for oracle in oracles[:2]:
        rewards.postRoot(ended.task, ended.epoch, ROOT, budget - 5, 5, REPORT, sender=oracle)
    assert rewards.unallocatedOf(ended.task) == 0


def test_posting_refusals(rewards, tasks, admin, oracles, cast, earning, emissions, outsider):
    with ape.reverts(rewards.RewardNotOracle, account=outsider):
        rewards.postRoot(earning.task, earning.epoch, ROOT, E, 0, REPORT, sender=outsider)
    with ape.reverts(rewards.RewardEmptyRoot):
        rewards.postRoot(earning.task, earning.epoch, bytes(32), E, 0, REPORT, sender=oracles[0])
    with ape.reverts(rewards.RewardEmptyRoot):
        rewards.postRoot(earning.task, earning.epoch, ROOT, 0, 0, REPORT, sender=oracles[0])
    # An address-shaped root (upper 96 bits zero) would read as a final root's pot: refused.
    shaped = bytes(12) + bytes.fromhex(outsider.address[2:])
    with ape.reverts(rewards.RewardEmptyRoot, root=shaped, total=E):
        rewards.postRoot(earning.task, earning.epoch, shaped, E, 0, REPORT, sender=oracles[0])
    reveal_end = earning_reveal_end(rewards, earning)
    with ape.reverts(rewards.RewardTooEarly, taskId=earning.task, epoch=earning.epoch, revealEnd=reveal_end):
        rewards.postRoot(earning.task, earning.epoch, ROOT, E, 0, REPORT, sender=oracles[0])
    with ape.reverts(rewards.RewardKeyOutOfRange):
        rewards.postRoot(2**128, earning.epoch, ROOT, E, 0, REPORT, sender=oracles[0])
    # Alliance tasks are paid by their rounds, not here.
    tasks.createTask(TaskKind.ALLIANCE, 10 * DAY, b"\x01" * 32, "ipfs://a", 2, 3, sender=cast.creator)
    alliance = tasks.taskCount()
    open_epoch(emissions, outsider, earning.epoch + 1)
    with ape.reverts(rewards.RewardNotArenaTask, taskId=alliance):
        rewards.postRoot(alliance, earning.epoch, ROOT, E, 0, REPORT, sender=oracles[0])


def earning_reveal_end(rewards, at: TaskEpoch) -> int:
    from ape import project

    return project.ArenaSubmissions.at(rewards.submissions()).schedule(at.epoch).revealEnd


def test_first_post_opens_an_epoch_nobody_opened(rewards, emissions, oracles, arena_task):
    """An epoch's reveal phase can end before anyone opened the epoch: the first post opens it."""
    epoch = emissions.currentEpoch() + 1  # the task's first earning epoch
    mine_at(emissions.genesis() + (epoch + 1) * emissions.epochLength() + 60)
    assert emissions.nextEpoch() <= epoch
    rewards.postRoot(arena_task, epoch, ROOT, E, 0, REPORT, sender=oracles[0])
    assert emissions.nextEpoch() == epoch + 2
    budget = emissions.accruedBudget(arena_task)
    assert rewards.unallocatedOf(arena_task) == budget == emissions.drawnBudget(arena_task) > 0


def test_an_oracle_set_change_voids_open_ballots(rewards, admin, oracles, ended, accounts):
    rewards.postRoot(ended.task, ended.epoch, ROOT, E, 0, REPORT, sender=oracles[0])
    rewards.setOracles([oracles[0], oracles[1], accounts[9]], 2, sender=admin)
    receipt = rewards.postRoot(ended.task, ended.epoch, ROOT, E, 0, REPORT, sender=oracles[1])
    assert [e.votes for e in events(receipt, "RootPosted", rewards)] == [1]  # the old vote is void
    with ape.reverts(rewards.RewardNotOracle):
        rewards.postRoot(ended.task, ended.epoch, ROOT, E, 0, REPORT, sender=oracles[2])
    receipt = rewards.postRoot(ended.task, ended.epoch, ROOT, E, 0, REPORT, sender=oracles[0])
    assert events(receipt, "RootAccepted", rewards)


def test_an_oracles_seat_is_its_ballot_bit_in_the_current_set(rewards, admin, oracles, accounts):
    """`oracleSeat` (ArenaSlasher counts slash roots with it): member, index, set version, quorum."""
    member, index, version, quorum = rewards.oracleSeat(oracles[1])
    assert (member, index, quorum) == (True, 1, 2)
    rewards.setOracles([accounts[9], oracles[2]], 1, sender=admin)
    assert tuple(rewards.oracleSeat(oracles[2])) == (True, 1, version + 1, 1)
    assert tuple(rewards.oracleSeat(accounts[9]))[:2] == (True, 0)
    assert not rewards.oracleSeat(oracles[1])[0] and not rewards.isOracle(oracles[1])


# ------------------------------------------------------------------------------------ challenge, veto


def test_claims_wait_for_the_challenge_window(rewards, oracles, ended, cast, no_vesting):
    posted = post(rewards, oracles, ended, leaves_for([cast.node], [5 * E]))
    finalizes_at = rewards.epochRewards(ended.task, ended.epoch).finalizesAt
    assert rewards.potOf(ended.task, ended.epoch) == ZERO  # no pot before the root is final
    with ape.reverts(rewards.RewardChallengeOpen, finalizesAt=finalizes_at):
        rewards.claimMany([posted.claim(0).args()], sender=cast.node)
    with ape.reverts(rewards.RewardChallengeOpen, finalizesAt=finalizes_at):
        rewards.finalize(ended.task, ended.epoch, sender=cast.stranger)
    with ape.reverts(rewards.RewardNothingToFinalize, status=Status.NONE):
        rewards.finalize(ended.task, ended.epoch + 1, sender=cast.stranger)


def test_veto_returns_the_budget_and_a_new_round_starts(rewards, admin, oracles, ended, budget, cast):
    posted = post(rewards, oracles, ended, leaves_for([cast.node], [5 * E]), burn=E)
    receipt = rewards.veto(ended.task, ended.epoch, sender=admin)
    (vetoed,) = events(receipt, "RootVetoed", rewards)
    assert vetoed.returned == 6 * E and vetoed.root == posted.tree.root
    info = rewards.epochRewards(ended.task, ended.epoch)
    assert (info.status, info.round, info.root) == (Status.OPEN, 1, bytes(32))
    assert rewards.unallocatedOf(ended.task) == budget
    # The same oracles post again in the new round (a corrected tree).
    corrected = post(rewards, oracles, ended, leaves_for([cast.node], [4 * E]), burn=E)
    info = rewards.epochRewards(ended.task, ended.epoch)
    assert info.status == Status.ACCEPTED and info.root == corrected.tree.root
    assert rewards.unallocatedOf(ended.task) == budget - 5 * E


def test_veto_only_by_guardians_and_only_in_the_window(rewards, admin, oracles, ended, cast, outsider):
    post(rewards, oracles, ended, leaves_for([cast.node], [5 * E]))
    with ape.reverts(rewards.AccessControlUnauthorizedAccount):
        rewards.veto(ended.task, ended.epoch, sender=outsider)
    # Governance appoints a guardian, who may veto; revoked, it may not.
    rewards.grantRole(rewards.GUARDIAN_ROLE(), outsider, sender=admin)
    snapshot = ape.chain.snapshot()
    rewards.veto(ended.task, ended.epoch, sender=outsider)
    ape.chain.restore(snapshot)
    rewards.revokeRole(rewards.GUARDIAN_ROLE(), outsider, sender=admin)
    with ape.reverts(rewards.AccessControlUnauthorizedAccount):
        rewards.veto(ended.task, ended.epoch, sender=outsider)
    finalizes_at = rewards.epochRewards(ended.task, ended.epoch).finalizesAt
    mine_at(finalizes_at)
    with ape.reverts(rewards.RewardNotVetoable, status=Status.ACCEPTED, finalizesAt=finalizes_at):
        rewards.veto(ended.task, ended.epoch, sender=admin)
    with ape.reverts(rewards.RewardNotVetoable, status=Status.NONE):
        rewards.veto(ended.task, ended.epoch + 1, sender=admin)


# ------------------------------------------------------------------------------------------ claims


def test_finalize_creates_the_pot_funds_it_and_burns_the_fees(
    rewards, token, oracles, ended, cast, no_vesting
):
    leaves = leaves_for([cast.node, cast.validator, cast.delegator], [5 * E, 3 * E, 2 * E])
    posted = post(rewards, oracles, ended, leaves, burn=E)
    supply, held = token.totalSupply(), token.balanceOf(rewards)
    pot = finalize(rewards, posted, cast.stranger)
    # The record keeps the pot's address in the root's slot; the root is read back from the pot.
    assert rewards.potOf(ended.task, ended.epoch) == pot.address
    assert rewards.epochRewards(ended.task, ended.epoch).root == posted.tree.root
    with ape.reverts(rewards.RewardRootAlreadyAccepted, root=posted.tree.root):
        rewards.postRoot(ended.task, ended.epoch, posted.tree.root, E, 0, REPORT, sender=oracles[2])
    assert token.totalSupply() == supply - E
    assert token.balanceOf(pot) == 10 * E and token.balanceOf(rewards) == held - 11 * E
    root, task, epoch, locked, start, period = pot.terms()
    assert (root, task, epoch, locked) == (posted.tree.root, ended.task, ended.epoch, 0)
    assert start == rewards.epochRewards(ended.task, ended.epoch).finalizesAt and period == 0
    for i, (account, amount) in enumerate(leaves):
        before = token.balanceOf(account)
        receipt = pot.claim(*posted.claim(i).pot_args(), sender=cast.stranger)  # anyone claims for anyone
        assert token.balanceOf(account) == before + amount
        (claimed,) = events(receipt, "Claimed", pot)
        assert (claimed.account, claimed.amount) == (account, amount)
        assert pot.isClaimed(i)
    assert token.balanceOf(pot) == 0  # a pot holds exactly its root's total


def test_double_claim_and_bad_proofs_are_refused(rewards, oracles, ended, cast, no_vesting):
    leaves = leaves_for([cast.node, cast.validator, cast.delegator], [5 * E, 3 * E, 2 * E])
    posted = post(rewards, oracles, ended, leaves)
    pot = finalize(rewards, posted, cast.stranger)
    index, account, amount, proof = posted.claim(0).pot_args()
    with ape.reverts(pot.RewardPotInvalidProof, index=index, account=account, amount=amount + 1):
        pot.claim(index, account, amount + 1, proof, sender=cast.node)
    with ape.reverts(pot.RewardPotInvalidProof):  # the index is part of the leaf
        pot.claim(index + 1, account, amount, proof, sender=cast.node)
    with ape.reverts(pot.RewardPotInvalidProof):
        pot.claim(index, str(cast.stranger), amount, proof, sender=cast.node)
    with ape.reverts(pot.RewardPotInvalidProof):
        pot.claim(index, account, amount, proof[:-1], sender=cast.node)
    with ape.reverts(pot.RewardPotInvalidProof):
        pot.claim(2**40 + index, account, amount, proof, sender=cast.node)
    with ape.reverts(rewards.RewardNothingToFinalize, status=Status.NONE):  # no root there
        rewards.claimMany([(ended.task, ended.epoch + 1, index, account, amount, proof)], sender=cast.node)
    pot.claim(index, account, amount, proof, sender=cast.node)
    with ape.reverts(pot.RewardPotAlreadyClaimed, index=index):
        pot.claim(index, account, amount, proof, sender=cast.node)
    assert not pot.isClaimed(1) and not pot.isClaimed(2**40)


def test_claimed_bits_of_leaves_256_apart_are_their_own(rewards, token, oracles, ended, cast, no_vesting):
    """The claimed bitmap keeps 256 leaves a word: leaves with the same low byte in other words
    (3, 259, 515) and a neighbour in the same word (4) each claim once, and claiming one marks no
    other."""
    accounts = [to_checksum_address(keccak(text=f"bitmap-leaf-{i}")[12:]) for i in range(600)]
    tree = reward_tree([(a, 1_000 + i) for i, a in enumerate(accounts)])
    total = sum(1_000 + i for i in range(600))
    for oracle in oracles[:2]:
        rewards.postRoot(ended.task, ended.epoch, tree.root, total, 0, REPORT, sender=oracle)
    pot = finalize(rewards, Posted(ended, tree, total, 0), cast.stranger)
    claimed: list[int] = []
    for index in (3, 259, 515, 4):
        assert [pot.isClaimed(i) for i in (3, 4, 259, 515)] == [i in claimed for i in (3, 4, 259, 515)]
        pot.claim(*claim_args(tree, ended.task, ended.epoch, index).pot_args(), sender=cast.stranger)
        assert token.balanceOf(accounts[index]) == 1_000 + index
        claimed.append(index)
    for index in claimed:
        with ape.reverts(pot.RewardPotAlreadyClaimed, index=index):
            pot.claim(*claim_args(tree, ended.task, ended.epoch, index).pot_args(), sender=cast.stranger)
    assert not any(pot.isClaimed(i) for i in (2, 5, 258, 260, 514, 516))


def test_a_root_never_pays_more_than_its_total(rewards, token, oracles, ended, cast, no_vesting):
    """A tree whose leaves add up to more than the posted total: the pot runs dry, nothing else."""
    tree = reward_tree(leaves_for([cast.node, cast.validator], [5 * E, 5 * E]))
    for oracle in oracles[:2]:
        rewards.postRoot(ended.task, ended.epoch, tree.root, 6 * E, 0, REPORT, sender=oracle)
    pot = finalize(rewards, Posted(ended, tree, 6 * E, 0), cast.stranger)
    pot.claim(*claim_args(tree, ended.task, ended.epoch, 0).pot_args(), sender=cast.node)
    with ape.reverts(token.ERC20InsufficientBalance, sender=pot.address, balance=E, needed=5 * E):
        pot.claim(*claim_args(tree, ended.task, ended.epoch, 1).pot_args(), sender=cast.node)


def test_the_first_batch_claim_finalizes_when_nobody_did(rewards, token, oracles, ended, cast, no_vesting):
    posted = post(rewards, oracles, ended, leaves_for([cast.node], [5 * E]), burn=E)
    mine_at(rewards.epochRewards(ended.task, ended.epoch).finalizesAt)
    supply = token.totalSupply()
    before = token.balanceOf(cast.node)
    receipt = rewards.claimMany([posted.claim(0).args()], sender=cast.node)
    assert events(receipt, "RootFinalized", rewards)
    assert token.totalSupply() == supply - E and token.balanceOf(cast.node) == before + 5 * E
    assert rewards.epochRewards(ended.task, ended.epoch).status == Status.FINAL
    with ape.reverts(rewards.RewardNothingToFinalize, status=Status.FINAL):
        rewards.finalize(ended.task, ended.epoch, sender=cast.node)


def test_batch_claims_over_task_epochs(rewards, token, emissions, oracles, ended, cast, no_vesting):
    first = post(rewards, oracles, ended, leaves_for([cast.node, cast.validator], [5 * E, 3 * E]))
    later = TaskEpoch(ended.task, ended.epoch + 1)
    open_epoch(emissions, cast.stranger, later.epoch + 1)
    second = post(rewards, oracles, later, leaves_for([cast.validator, cast.node], [4 * E, 1 * E]))
    first_pot = finalize(rewards, first, cast.stranger)
    finalize(rewards, second, cast.stranger)
    node_before, validator_before = token.balanceOf(cast.node), token.balanceOf(cast.validator)
    batch = [first.claim(0), second.claim(1), first.claim(1), second.claim(0)]
    receipt = rewards.claimMany([c.args() for c in batch], sender=cast.stranger)
    assert token.balanceOf(cast.node) == node_before + 6 * E
    assert token.balanceOf(cast.validator) == validator_before + 7 * E
    assert len(events(receipt, "Transfer", token)) == 4
    with ape.reverts(first_pot.RewardPotAlreadyClaimed):
        rewards.claimMany([first.claim(0).args()], sender=cast.stranger)
    with ape.reverts(rewards.RewardNoClaims):
        rewards.claimMany([], sender=cast.stranger)


# ------------------------------------------------------------------------------------------ vesting


def test_locked_share_vests_linearly(rewards, token, admin, oracles, ended, cast):
    rewards.setRewardParameters(DAY, 9_000, 30 * DAY, sender=admin)
    posted = post(rewards, oracles, ended, leaves_for([cast.node], [100 * E]))
    pot = finalize(rewards, posted, cast.stranger)
    start = rewards.epochRewards(ended.task, ended.epoch).finalizesAt
    assert pot.terms()[3:] == (9_000, start, 30 * DAY)
    before = token.balanceOf(cast.node)
    receipt = pot.claim(*posted.claim(0).pot_args(), sender=cast.node)
    paid = token.balanceOf(cast.node) - before
    (started,) = events(receipt, "VestingStarted", pot)
    assert started.locked == 90 * E
    elapsed = head_time() - start
    assert paid == 10 * E + 90 * E * elapsed // (30 * DAY)
    assert pot.vestingOf(cast.node) == (90 * E, paid - 10 * E, 0)

    next_block_at(start + 15 * DAY)  # the release is mined exactly half-way
    receipt = rewards.releaseVested(cast.node, [ended.task], [ended.epoch], sender=cast.stranger)
    assert token.balanceOf(cast.node) == before + 10 * E + 45 * E
    (released_event,) = events(receipt, "VestingReleased", pot)
    assert released_event.amount == 45 * E - (paid - 10 * E)
    mine_at(start + 45 * DAY)
    pot.release(cast.node, sender=cast.stranger)
    assert token.balanceOf(cast.node) == before + 100 * E
    assert pot.vestingOf(cast.node) == (90 * E, 90 * E, 0)
    assert token.balanceOf(pot) == 0
    with ape.reverts(rewards.RewardNothingToRelease, account=cast.node):
        rewards.releaseVested(cast.node, [ended.task], [ended.epoch], sender=cast.node)
    with ape.reverts(pot.RewardPotNothingToRelease, account=cast.node):
        pot.release(cast.node, sender=cast.node)
    with ape.reverts(rewards.RewardLengthMismatch, first=1, second=0):
        rewards.releaseVested(cast.node, [ended.task], [], sender=cast.node)


def test_vesting_terms_are_fixed_when_a_root_is_accepted(rewards, admin, oracles, ended, cast):
    rewards.setRewardParameters(DAY, 5_000, 10 * DAY, sender=admin)
    posted = post(rewards, oracles, ended, leaves_for([cast.node], [10 * E]))
    rewards.setRewardParameters(DAY, 0, 0, sender=admin)  # too late for this root
    pot = finalize(rewards, posted, cast.stranger)
    pot.claim(*posted.claim(0).pot_args(), sender=cast.node)
    assert pot.vestingOf(cast.node)[0] == 5 * E


# ------------------------------------------------------------------------------------ governance


def test_sweep_unallocated(
    rewards, token, tasks, emissions, admin, oracles, ended, budget, cast, outsider, no_vesting
):
    """An ended (here cancelled) task's pool goes to governance's address with what the task still
    had at the controller; an accepted root keeps its reservation, finalizes and pays."""
    posted = post(rewards, oracles, ended, leaves_for([cast.node], [5 * E]), burn=E)
    with ape.reverts(rewards.AccessControlUnauthorizedAccount):
        rewards.sweepUnallocated(ended.task, outsider, sender=outsider)
    with ape.reverts(rewards.RewardTaskStillActive, taskId=ended.task):
        rewards.sweepUnallocated(ended.task, outsider, sender=admin)
    open_epoch(emissions, cast.stranger, ended.epoch + 2)  # one more epoch accrues, undrawn
    tasks.cancelTask(ended.task, sender=admin)
    undrawn = emissions.accruedBudget(ended.task) - emissions.drawnBudget(ended.task)
    assert undrawn > 0 and rewards.unallocatedOf(ended.task) == budget - 6 * E
    before, held = token.balanceOf(outsider), token.balanceOf(rewards)
    receipt = rewards.sweepUnallocated(ended.task, outsider, sender=admin)
    swept = budget - 6 * E + undrawn
    assert token.balanceOf(outsider) == before + swept
    (event,) = events(receipt, "UnallocatedSwept", rewards)
    assert (event.taskId, event.to, event.amount) == (ended.task, outsider, swept)
    assert rewards.unallocatedOf(ended.task) == 0
    assert emissions.drawnBudget(ended.task) == emissions.accruedBudget(ended.task)
    assert token.balanceOf(rewards) == held + undrawn - swept == 6 * E  # the root's reservation
    with ape.reverts(rewards.RewardNothingToSweep, taskId=ended.task):
        rewards.sweepUnallocated(ended.task, outsider, sender=admin)
    # The accepted root still finalizes and pays out of what it reserved.
    pot = finalize(rewards, posted, cast.stranger)
    node_before = token.balanceOf(cast.node)
    pot.claim(*posted.claim(0).pot_args(), sender=cast.stranger)
    assert token.balanceOf(cast.node) == node_before + 5 * E
    assert token.balanceOf(rewards) == 0


def test_a_veto_after_the_sweep_returns_to_the_pool(
    rewards, token, tasks, admin, oracles, ended, budget, cast
):
    """The sweep leaves an accepted root's total + burn in place; vetoed afterwards, they are back
    in the task's pool, which a corrected root or the next sweep takes."""
    post(rewards, oracles, ended, leaves_for([cast.node], [5 * E]), burn=E)
    tasks.cancelTask(ended.task, sender=admin)
    rewards.sweepUnallocated(ended.task, admin, sender=admin)
    assert rewards.unallocatedOf(ended.task) == 0
    receipt = rewards.veto(ended.task, ended.epoch, sender=admin)
    (vetoed,) = events(receipt, "RootVetoed", rewards)
    assert vetoed.returned == 6 * E and rewards.unallocatedOf(ended.task) == 6 * E
    # A corrected root of the same epoch fits what came back, not one wei more.
    with ape.reverts(rewards.RewardBudgetExceeded, requested=6 * E + 1, unallocated=6 * E):
        rewards.postRoot(ended.task, ended.epoch, ROOT, 6 * E, 1, REPORT, sender=oracles[0])
    post(rewards, oracles, ended, leaves_for([cast.node], [4 * E]), burn=E)
    assert rewards.unallocatedOf(ended.task) == E
    before = token.balanceOf(admin)
    rewards.sweepUnallocated(ended.task, admin, sender=admin)
    assert token.balanceOf(admin) == before + E and rewards.unallocatedOf(ended.task) == 0


@pytest.mark.parametrize(
    ("oracles_of", "quorum", "error"),
    [
        (lambda a: [], 0, "RewardInvalidOracleSet"),
        (lambda a: [a[1]], 0, "RewardInvalidOracleSet"),
        (lambda a: [a[1], a[2]], 3, "RewardInvalidOracleSet"),
        (lambda a: [a[1]] * 2, 1, "RewardInvalidOracle"),
        (lambda a: [a[1], "0x0000000000000000000000000000000000000000"], 1, "RewardInvalidOracle"),
        (lambda a: [f"0x{i + 1:040x}" for i in range(17)], 2, "RewardInvalidOracleSet"),
    ],
)
def test_invalid_oracle_sets(rewards, admin, accounts, oracles_of, quorum, error):
    with ape.reverts(getattr(rewards, error)):
        rewards.setOracles(oracles_of(accounts), quorum, sender=admin)


@pytest.mark.parametrize(
    ("setter", "args", "name"),
    [
        ("setRewardParameters", (60, 0, 0), "challengeWindow"),
        ("setRewardParameters", (31 * DAY, 0, 0), "challengeWindow"),
        ("setRewardParameters", (DAY, 10_001, DAY), "lockedShareBps"),
        ("setRewardParameters", (DAY, 9_000, 0), "vestingPeriod"),
        ("setRewardParameters", (DAY, 9_000, 5 * 365 * DAY), "vestingPeriod"),
        ("setClaimFees", (5_001, 800, 1_450), "nodeFeeBps"),
        ("setClaimFees", (800, 5_001, 1_450), "validatorFeeBps"),
        ("setClaimFees", (800, 800, 5_001), "delegatorFeeBps"),
        ("setScoringParameters", (0, 5_000), "rankRatioBps"),
        ("setScoringParameters", (10_001, 5_000), "rankRatioBps"),
        ("setScoringParameters", (8_000, 0), "toleranceBps"),
        ("setScoringParameters", (8_000, 50_001), "toleranceBps"),
    ],
)
def test_parameter_bounds(rewards, admin, setter, args, name):
    with ape.reverts(rewards.RewardParameterOutOfBounds, parameter=name.encode().ljust(32, b"\0")):
        getattr(rewards, setter)(*args, sender=admin)


def test_parameters_are_governed_and_announced(rewards, admin, outsider):
    receipt = rewards.setClaimFees(700, 600, 1_000, sender=admin)
    assert rewards.claimFees() == (700, 600, 1_000)
    assert events(receipt, "ClaimFeesSet", rewards)
    receipt = rewards.setScoringParameters(9_000, 2_500, sender=admin)
    assert rewards.scoringParameters() == (9_000, 2_500)
    assert events(receipt, "ScoringParametersSet", rewards)
    for setter, args in (("setClaimFees", (1, 1, 1)), ("setScoringParameters", (1, 1))):
        with ape.reverts(rewards.AccessControlUnauthorizedAccount):
            getattr(rewards, setter)(*args, sender=outsider)


def test_epochs_need_their_turn(rewards, oracles, earning, emissions):
    with ape.reverts(rewards.RewardTooEarly):
        rewards.postRoot(earning.task, earning.epoch + 5, ROOT, E, 0, REPORT, sender=oracles[0])
    # 40 epochs later with nobody opening any: one post opens 32, not enough to reach this one.
    mine_at(emissions.genesis() + (earning.epoch + 41) * emissions.epochLength())
    late = earning.epoch + 39
    with ape.reverts(rewards.RewardEpochNotOpened, epoch=late):
        rewards.postRoot(earning.task, late, ROOT, E, 0, REPORT, sender=oracles[0])
