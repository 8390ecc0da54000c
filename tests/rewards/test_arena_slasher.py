"""ArenaSlasher (issue 11, attack 4: Arena stake was never at risk). A commitment never revealed is
slashed by a stranger from chain data alone, once; an oracle-reported fault goes through k of n
oracles, a challenge window and a veto, then anyone executes it, once."""

import ape
import pytest
from reward_helpers import open_epoch

from flock.chain.clock import head_time, mine_at
from flock.oracle.merkle import slash_tree
from flock.rewards import Offence, commitment, model_commitment
from flock.units import DAY

MODEL = b"\x0a" * 32
FILE = b"\x0f" * 32
SALT = b"\x5a" * 32
BPS = 10_000


@pytest.fixture(scope="session")
def slasher(project, manifest):
    return project.ArenaSlasher.at(manifest.address("slasher"))


def _at(submissions, epoch: int, field: str) -> None:
    mine_at(max(head_time() + 1, getattr(submissions.schedule(epoch), field) + 60))


def _expected(tasks, slasher, task: int, account) -> tuple[int, int]:
    """The gmFLOCK a provable fault costs ``account``, and the part taken from its own stake."""
    own, _, effective = tasks.effectiveStake(task, account)
    active, exiting = tasks.poolOf(task, account)[:2]
    gm = effective * slasher.slashParameters().provableBps // BPS
    return gm, gm * own // (own + active + exiting)


def test_unrevealed_commitments_are_slashed_by_a_stranger(
    slasher, submissions, tasks, token, manifest, cast, earning
):
    task, epoch = earning.task, earning.epoch
    node, validator, stranger = cast.node, cast.validator, cast.stranger
    submissions.commitModel(
        task, model_commitment(MODEL, "u", SALT, str(node), task, epoch), sender=node
    )  # never revealed
    with ape.reverts(slasher.SlasherRevealStillOpen, account=node):
        slasher.slashUnrevealed(task, epoch, node, sender=stranger)
    _at(submissions, epoch, "modelRevealEnd")
    submissions.commitScores(task, commitment(FILE, SALT, str(validator), task, epoch), sender=validator)
    submissions.commitScores(
        task, commitment(FILE, SALT, str(cast.validator2), task, epoch), sender=cast.validator2
    )
    _at(submissions, epoch, "commitEnd")
    submissions.revealScores(task, FILE, SALT, sender=cast.validator2)  # the honest one
    with ape.reverts(slasher.SlasherRevealStillOpen, account=validator):
        slasher.slashUnrevealed(task, epoch, validator, sender=stranger)

    gm, own_gm = _expected(tasks, slasher, task, node)
    stake_before, keeper_before = tasks.memberOf(task, node).stake, token.balanceOf(stranger)
    treasury = manifest.address("timelock")
    treasury_before = token.balanceOf(treasury)
    receipt = slasher.slashUnrevealed(task, epoch, node, sender=stranger)
    event = next(e for e in receipt.events if e.event_name == "ArenaSlashed")
    assert (event.account, event.offence, event.keeper, event.gmAmount) == (
        node,
        Offence.MODEL_NOT_REVEALED,
        stranger,
        gm,
    )
    assert tasks.memberOf(task, node).stake == stake_before - own_gm
    params = slasher.slashParameters()
    keeper_share = event.flockSeized * params.keeperBps // BPS
    assert token.balanceOf(stranger) - keeper_before == keeper_share > 0
    assert token.balanceOf(treasury) - treasury_before == event.flockSeized - keeper_share
    assert slasher.isSlashed(task, epoch, node, Offence.MODEL_NOT_REVEALED)
    # Once: the same offence again, by anyone, is refused.
    with ape.reverts(slasher.SlasherAlreadySlashed, offence=Offence.MODEL_NOT_REVEALED):
        slasher.slashUnrevealed(task, epoch, node, sender=cast.creator)

    _at(submissions, epoch, "revealEnd")
    gm, own_gm = _expected(tasks, slasher, task, validator)
    stake_before = tasks.memberOf(task, validator).stake
    slasher.slashUnrevealed(task, epoch, validator, sender=stranger)
    assert tasks.memberOf(task, validator).stake == stake_before - own_gm
    with ape.reverts(slasher.SlasherAlreadySlashed):
        slasher.slashUnrevealed(task, epoch, validator, sender=stranger)
    # Who revealed, or never committed, has nothing to slash.
    for account in (cast.validator2, cast.node2, cast.stranger):
        with ape.reverts(slasher.SlasherNothingUnrevealed, account=account):
            slasher.slashUnrevealed(task, epoch, account, sender=stranger)


def test_reported_slash_root_needs_quorum_window_and_survives_no_veto(
    slasher, submissions, tasks, rewards, oracles, admin, cast, ended
):
    task, epoch = ended.task, ended.epoch
    tree = slash_tree([(str(cast.validator2), Offence.DEVIATION), (str(cast.node2), Offence.INVALID_MODEL)])
    report = b"\x09" * 32
    with ape.reverts(slasher.SlasherNotOracle, account=cast.stranger):
        slasher.postSlashRoot(task, epoch, tree.root, 2, report, sender=cast.stranger)
    with ape.reverts(slasher.SlasherEmptyRoot):
        slasher.postSlashRoot(task, epoch, tree.root, 0, report, sender=oracles[0])
    with ape.reverts(slasher.SlasherEmptyRoot):
        slasher.postSlashRoot(task, epoch, bytes(32), 2, report, sender=oracles[0])
    slasher.postSlashRoot(task, epoch, tree.root, 2, report, sender=oracles[0])
    with ape.reverts(slasher.SlasherAlreadyPosted, oracle=oracles[0]):
        slasher.postSlashRoot(task, epoch, tree.root, 2, report, sender=oracles[0])
    receipt = slasher.postSlashRoot(task, epoch, tree.root, 2, report, sender=oracles[1])
    accepted = next(e for e in receipt.events if e.event_name == "SlashRootAccepted")
    leaf = (0, cast.validator2, Offence.DEVIATION, tree.proof(0))
    with ape.reverts(slasher.SlasherNotExecutable):
        slasher.executeSlash(task, epoch, *leaf, sender=cast.stranger)

    # The guardian vetoes in the window: nothing is slashed, the oracles post again.
    with ape.reverts(slasher.AccessControlUnauthorizedAccount):
        slasher.veto(task, epoch, sender=cast.stranger)
    slasher.veto(task, epoch, sender=admin)
    assert slasher.reportOf(task, epoch).status == 1  # Open
    mine_at(max(head_time() + 1, accepted.executableAt))
    with ape.reverts(slasher.SlasherNotExecutable):
        slasher.executeSlash(task, epoch, *leaf, sender=cast.stranger)
    for oracle in oracles[:2]:
        slasher.postSlashRoot(task, epoch, tree.root, 2, report, sender=oracle)
    assert slasher.reportOf(task, epoch).round == 1
    with ape.reverts(slasher.SlasherRootAlreadyAccepted):
        slasher.postSlashRoot(task, epoch, tree.root, 2, report, sender=oracles[2])
    mine_at(head_time() + DAY + 1)
    with ape.reverts(slasher.SlasherNotVetoable):
        slasher.veto(task, epoch, sender=admin)

    # After the window anyone executes each leaf, once; a leaf not in the root is refused.
    with ape.reverts(slasher.SlasherInvalidLeaf):
        slasher.executeSlash(
            task, epoch, 0, cast.validator, Offence.DEVIATION, tree.proof(0), sender=cast.stranger
        )
    with ape.reverts(slasher.SlasherInvalidLeaf):
        slasher.executeSlash(
            task, epoch, 0, cast.validator2, Offence.INVALID_MODEL, tree.proof(0), sender=cast.stranger
        )
    own, _, effective = tasks.effectiveStake(task, cast.validator2)
    gm = effective * slasher.slashParameters().reportedBps // BPS
    receipt = slasher.executeSlash(task, epoch, *leaf, sender=cast.stranger)
    assert receipt.events[-1].gmAmount == gm
    assert tasks.memberOf(task, cast.validator2).stake == own - gm  # no delegators
    with ape.reverts(slasher.SlasherAlreadySlashed):
        slasher.executeSlash(task, epoch, *leaf, sender=cast.creator)
    slasher.executeSlash(
        task, epoch, 1, cast.node2, Offence.INVALID_MODEL, tree.proof(1), sender=cast.stranger
    )
    assert slasher.isSlashed(task, epoch, cast.node2, Offence.INVALID_MODEL)


def test_a_new_oracle_set_voids_open_slash_ballots(slasher, rewards, oracles, admin, ended):
    """Slash roots are counted in the oracles' ballots (decision 151): a new version of the set,
    even the same members appointed again, starts new ballots, as for reward roots."""
    task, epoch, root, report = ended.task, ended.epoch, b"\x07" * 32, b"\x09" * 32
    slasher.postSlashRoot(task, epoch, root, 1, report, sender=oracles[0])
    rewards.setOracles(list(oracles), 2, sender=admin)
    receipt = slasher.postSlashRoot(task, epoch, root, 1, report, sender=oracles[1])
    assert [e.votes for e in receipt.events if e.event_name == "SlashRootPosted"] == [1]
    assert slasher.reportOf(task, epoch).status == 1  # Open: nothing accepted yet
    receipt = slasher.postSlashRoot(task, epoch, root, 1, report, sender=oracles[0])
    assert any(e.event_name == "SlashRootAccepted" for e in receipt.events)


@pytest.mark.parametrize("field", ["count", "report"])
def test_slash_posts_that_differ_only_in_count_or_report_are_not_a_quorum(slasher, oracles, ended, field):
    """A slash ballot counts the whole tuple (root, count, report hash): an oracle that copies the
    root but states another leaf count (or report) does not complete the quorum with it, and the
    root accepted later carries the agreed tuple."""
    task, epoch, root, report = ended.task, ended.epoch, b"\x07" * 32, b"\x09" * 32
    agreed = (root, 2, report)
    other = (root, 3, report) if field == "count" else (root, 2, b"\x0a" * 32)
    slasher.postSlashRoot(task, epoch, *agreed, sender=oracles[0])
    receipt = slasher.postSlashRoot(task, epoch, *other, sender=oracles[1])
    assert [e.votes for e in receipt.events if e.event_name == "SlashRootPosted"] == [1]
    assert slasher.reportOf(task, epoch).status == 1  # Open: nothing accepted
    receipt = slasher.postSlashRoot(task, epoch, *agreed, sender=oracles[2])
    assert any(e.event_name == "SlashRootAccepted" for e in receipt.events)
    info = slasher.reportOf(task, epoch)
    assert (info.root, info.count, info.reportHash) == agreed


def test_slash_roots_wait_for_the_reveal_phase_and_arena_tasks(slasher, oracles, earning, emissions, cast):
    tree = slash_tree([(str(cast.validator), Offence.UNREADABLE_SCORES)])
    with ape.reverts(slasher.SlasherTooEarly, taskId=earning.task, epoch=earning.epoch):
        slasher.postSlashRoot(earning.task, earning.epoch, tree.root, 1, bytes(32), sender=oracles[0])
    open_epoch(emissions, cast.stranger, earning.epoch + 1)
    slasher.postSlashRoot(earning.task, earning.epoch, tree.root, 1, bytes(32), sender=oracles[0])


def test_governance_sets_bounded_slash_parameters(slasher, admin, cast):
    params = tuple(slasher.slashParameters())
    with ape.reverts(slasher.AccessControlUnauthorizedAccount):
        slasher.setSlashParameters(params, sender=cast.stranger)
    for index, bad in ((0, 0), (0, 5_001), (1, 5_001), (2, 10_001), (3, 10_001), (5, 0), (6, 0), (6, 31)):
        wrong = list(params)
        wrong[index] = bad
        with ape.reverts(slasher.SlasherParameterOutOfBounds):
            slasher.setSlashParameters(wrong, sender=admin)
    changed = list(params)
    changed[0] = 1_000
    receipt = slasher.setSlashParameters(changed, sender=admin)
    assert receipt.events[0].provableBps == 1_000
    assert tuple(slasher.slashParameters()) == tuple(changed)


def test_the_delegators_share_reaches_the_recipient_through_the_pot(
    slasher, submissions, tasks, token, manifest, cast, earning
):
    """A node with a delegator never reveals: the stranger's slash takes the delegator's share from
    the pool; a sync seizes it into the task's pot, and anyone routes the pot to the recipient."""
    task, epoch = earning.task, earning.epoch
    submissions.commitModel(
        task, model_commitment(MODEL, "u", SALT, str(cast.node), task, epoch), sender=cast.node
    )
    _at(submissions, epoch, "modelRevealEnd")
    with ape.reverts(slasher.SlasherNothingInPot, taskId=task):
        slasher.routeSlashPot(task, sender=cast.stranger)
    receipt = slasher.slashUnrevealed(task, epoch, cast.node, sender=cast.stranger)
    slashed = next(
        e for e in receipt.events if e.event_name == "Slashed" and e.contract_address == tasks.address
    )
    assert slashed.poolGm > 0  # cast.delegator's share of the node's pool
    tasks.sync(task, cast.delegator, sender=cast.delegator)  # its own sync: all of it to the pot
    pot = tasks.slashPot(task)
    assert pot > 0
    treasury = manifest.address("timelock")
    before = token.balanceOf(treasury)
    slasher.routeSlashPot(task, sender=cast.stranger)
    assert token.balanceOf(treasury) - before == pot and tasks.slashPot(task) == 0
    with ape.reverts(slasher.SlasherNothingInPot):
        slasher.routeSlashPot(task, sender=cast.stranger)
