"""Paths of the reward contracts that no other anvil test took (docs/audit.md, "Coverage"): the
slash pot burned when the slasher has no recipient, slash roots and leaves the slasher refuses, the
revenue role's `fundEpoch`, `releaseVested` over task epochs without a final pot or with nothing
vesting, and the wiring getters of the slasher, the submissions, the distributor and a pot."""

import ape
import pytest
from reward_helpers import TaskEpoch, finalize, leaves_for, post

from flock.chain.clock import head_time, mine_at
from flock.oracle.merkle import reward_tree, slash_tree
from flock.rewards import Offence, Status, model_commitment
from flock.tasks import TaskKind
from flock.units import DAY, WAD

E = WAD
ZERO = "0x0000000000000000000000000000000000000000"
RECIPIENT = 4  # index of `recipient` in ArenaSlasher's Parameters
REPORT = b"\x09" * 32


@pytest.fixture(scope="session")
def slasher(project, manifest):
    return project.ArenaSlasher.at(manifest.address("slasher"))


@pytest.fixture
def alliance_task(tasks, cast) -> int:
    tasks.createTask(TaskKind.ALLIANCE, 10 * DAY, b"\x01" * 32, "ipfs://a", 2, 3, sender=cast.creator)
    return tasks.taskCount()


def post_root(leaves) -> bytes:
    return reward_tree(leaves).root


def _events(receipt, name, contract):
    return [e for e in receipt.events if e.event_name == name and e.contract_address == contract.address]


# ------------------------------------------------------------------------------------ ArenaSlasher


def test_the_slash_pot_is_burned_when_the_slasher_has_no_recipient(
    slasher, submissions, tasks, token, admin, cast, earning
):
    """`recipient` zero (governance may set it): `routeSlashPot` takes the pot to the slasher and
    burns it, all of it, and the pot is empty after."""
    task, epoch = earning.task, earning.epoch
    params = list(slasher.slashParameters())
    params[RECIPIENT] = ZERO
    slasher.setSlashParameters(params, sender=admin)
    salt = b"\x5a" * 32
    submissions.commitModel(
        task, model_commitment(b"\x0a" * 32, "u", salt, str(cast.node), task, epoch), sender=cast.node
    )  # never revealed
    mine_at(max(head_time() + 1, submissions.schedule(epoch).modelRevealEnd + 60))
    slasher.slashUnrevealed(task, epoch, cast.node, sender=cast.stranger)
    tasks.sync(task, cast.delegator, sender=cast.delegator)  # the delegator's share into the pot
    pot = tasks.slashPot(task)
    assert pot > 0
    supply, held = token.totalSupply(), token.balanceOf(slasher)
    receipt = slasher.routeSlashPot(task, sender=cast.stranger)
    (routed,) = _events(receipt, "SlashPotRouted", slasher)
    assert (routed.taskId, routed.to, routed.amount) == (task, ZERO, pot)
    assert token.totalSupply() == supply - pot
    assert token.balanceOf(slasher) == held  # nothing stays with the slasher
    assert tasks.slashPot(task) == 0


def test_a_slash_root_for_an_alliance_task_is_refused(slasher, oracles, ended, alliance_task):
    tree = slash_tree([(str(oracles[0]), Offence.DEVIATION)])
    with ape.reverts(slasher.SlasherNotArenaTask, taskId=alliance_task):
        slasher.postSlashRoot(alliance_task, ended.epoch, tree.root, 1, REPORT, sender=oracles[0])
    assert slasher.reportOf(alliance_task, ended.epoch).status == 0  # None: nothing recorded


def test_a_leaf_naming_an_account_without_stake_slashes_nothing(slasher, tasks, oracles, cast, ended):
    """An accepted leaf whose account has no effective stake in the task (never joined) is refused
    with `SlasherNothingToSlash`, and the offence is not marked slashed."""
    task, epoch = ended.task, ended.epoch
    assert tasks.effectiveStake(task, cast.stranger) == (0, 0, 0)
    tree = slash_tree([(str(cast.stranger), Offence.DEVIATION)])
    for oracle in oracles[:2]:
        slasher.postSlashRoot(task, epoch, tree.root, 1, REPORT, sender=oracle)
    mine_at(max(head_time() + 1, slasher.reportOf(task, epoch).executableAt))
    with ape.reverts(slasher.SlasherNothingToSlash, taskId=task, account=cast.stranger):
        slasher.executeSlash(
            task, epoch, 0, cast.stranger, Offence.DEVIATION, tree.proof(0), sender=cast.creator
        )
    assert not slasher.isSlashed(task, epoch, cast.stranger, Offence.DEVIATION)


# ---------------------------------------------------------------------------- RewardDistributor


def test_revenue_funds_an_open_arena_epoch_only(rewards, token, oracles, cast, ended, revenue, alliance_task):
    """`fundEpoch` adds to the task's pool (decision 236; the event names the epoch) and pulls the
    FLOCK; it refuses a non-Arena task and an epoch whose root is accepted or final."""
    task, epoch = ended.task, ended.epoch
    before = rewards.unallocatedOf(task)
    held, funder = token.balanceOf(rewards), token.balanceOf(revenue)
    receipt = rewards.fundEpoch(task, epoch, 7 * E, sender=revenue)
    (funded,) = _events(receipt, "BudgetFunded", rewards)
    assert (funded.taskId, funded.epoch, funded.amount) == (task, epoch, 7 * E)
    assert rewards.unallocatedOf(task) == before + 7 * E
    assert token.balanceOf(rewards) == held + 7 * E and token.balanceOf(revenue) == funder - 7 * E

    with ape.reverts(rewards.RewardNotArenaTask, taskId=alliance_task):
        rewards.fundEpoch(alliance_task, epoch, E, sender=revenue)
    with ape.reverts(rewards.AccessControlUnauthorizedAccount):
        rewards.fundEpoch(task, epoch, E, sender=cast.node)

    posted = post(rewards, oracles, ended, leaves_for([cast.node], [E]))
    with ape.reverts(rewards.RewardNotFundable, taskId=task, epoch=epoch, status=Status.ACCEPTED):
        rewards.fundEpoch(task, epoch, E, sender=revenue)
    finalize(rewards, posted, cast.stranger)
    with ape.reverts(rewards.RewardNotFundable, taskId=task, epoch=epoch, status=Status.FINAL):
        rewards.fundEpoch(task, epoch, E, sender=revenue)
    # Another epoch of the task still takes revenue, into the same pool.
    pool = rewards.unallocatedOf(task)
    rewards.fundEpoch(task, epoch + 1, 2 * E, sender=revenue)
    assert rewards.unallocatedOf(task) == pool + 2 * E


def test_revenue_alone_pays_an_epoch_the_task_earned_no_emissions_in(
    rewards, tasks, emissions, admin, oracles, cast, ended, revenue
):
    """A task approved after the epoch opened has no emission budget for it: the first post
    reserves 0 and draws nothing from the emission controller; what revenue funded pays the root."""
    tasks.createTask(TaskKind.ARENA, 30 * DAY, b"\x02" * 32, "ipfs://late", 0, 0, sender=cast.creator)
    late = tasks.taskCount()
    tasks.approveTask(late, sender=admin)
    at = TaskEpoch(late, ended.epoch)
    assert emissions.accruedBudget(late) == 0  # enrolled from the first unopened epoch
    rewards.fundEpoch(late, at.epoch, 5 * E, sender=revenue)
    leaves = leaves_for([cast.node, cast.validator], [3 * E, 2 * E])
    first = rewards.postRoot(late, at.epoch, post_root(leaves), 5 * E, 0, REPORT, sender=oracles[0])
    (reserved,) = _events(first, "BudgetReserved", rewards)
    assert (reserved.taskId, reserved.epoch, reserved.amount) == (late, at.epoch, 0)
    assert _events(first, "BudgetDrawn", emissions) == []
    rewards.postRoot(late, at.epoch, post_root(leaves), 5 * E, 0, REPORT, sender=oracles[1])
    record = rewards.epochRewards(late, at.epoch)
    assert (record.status, record.total, rewards.unallocatedOf(late)) == (Status.ACCEPTED, 5 * E, 0)


def test_release_vested_skips_epochs_without_a_pot_or_anything_vesting(
    rewards, token, admin, oracles, cast, ended
):
    """Over several task epochs, `releaseVested` releases from the final pots where the account has
    something vesting and skips the rest: an epoch with no final root, a pot where it has nothing."""
    rewards.setRewardParameters(DAY, 9_000, 30 * DAY, sender=admin)
    posted = post(rewards, oracles, ended, leaves_for([cast.node, cast.validator], [100 * E, 10 * E]))
    pot = finalize(rewards, posted, cast.stranger)
    pot.claim(*posted.claim(0).pot_args(), sender=cast.node)  # the validator never claims
    mine_at(head_time() + 10 * DAY)
    no_pot = TaskEpoch(ended.task, ended.epoch + 1)
    assert rewards.potOf(no_pot.task, no_pot.epoch) == ZERO
    releasable = pot.vestingOf(cast.node)[2]
    assert releasable > 0
    before = token.balanceOf(cast.node)
    receipt = rewards.releaseVested(
        cast.node, [no_pot.task, ended.task], [no_pot.epoch, ended.epoch], sender=cast.stranger
    )
    (released,) = _events(receipt, "VestingReleased", pot)
    assert released.amount >= releasable
    assert token.balanceOf(cast.node) == before + released.amount
    # The validator has nothing vesting in that pot (never claimed), and no other epoch pays it.
    assert pot.vestingOf(cast.validator) == (0, 0, 0)
    with ape.reverts(rewards.RewardNothingToRelease, account=cast.validator):
        rewards.releaseVested(
            cast.validator, [ended.task, no_pot.task], [ended.epoch, no_pot.epoch], sender=cast.stranger
        )


# ---------------------------------------------------------------------------------------- wiring


def test_every_reward_contract_names_the_contracts_it_was_wired_to(
    slasher, submissions, rewards, tasks, emissions, token, oracles, cast, ended, no_vesting
):
    assert (slasher.registry(), slasher.submissions(), slasher.rewards()) == (
        tasks.address,
        submissions.address,
        rewards.address,
    )
    assert (submissions.registry(), submissions.emissions()) == (tasks.address, emissions.address)
    assert (rewards.registry(), rewards.submissions(), rewards.emissions(), rewards.flock()) == (
        tasks.address,
        submissions.address,
        emissions.address,
        token.address,
    )
    pot = finalize(rewards, post(rewards, oracles, ended, leaves_for([cast.node], [E])), cast.stranger)
    assert (pot.flock(), pot.distributor(), pot.implementation()) == (
        token.address,
        rewards.address,
        rewards.potImplementation(),
    )


def test_an_alliance_tasks_budget_is_never_swept_here(rewards, emissions, tasks, admin, alliance_task):
    """The sweep draws the task's undrawn accrual from the controller: for an Alliance task that is
    AllianceRounds' pool, so the distributor refuses it even once the task no longer earns."""
    tasks.cancelTask(alliance_task, sender=admin)
    assert not tasks.isActive(alliance_task)
    with ape.reverts(rewards.RewardNotArenaTask, taskId=alliance_task):
        rewards.sweepUnallocated(alliance_task, admin, sender=admin)
    assert emissions.drawnBudget(alliance_task) == 0
