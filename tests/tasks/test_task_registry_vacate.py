"""TaskRegistry.vacate through ape on anvil: the slasher's eviction of an Alliance participant (what
AllianceRounds calls when it evicts a squatter). The participant stays a member with its stake
until release, but is out: it no longer counts, cannot add stake, and cannot be vacated twice;
only a participant still in can be vacated, only by a slasher."""

from __future__ import annotations

import ape

from flock.tasks import Role
from flock.units import WAD as E


def test_vacate_marks_the_participant_out_and_frees_its_place(tasks, cast, alliance, slasher, chain):
    tasks.join(alliance, Role.PARTICIPANT, 1_000 * E, 0, sender=cast.p1)
    tasks.join(alliance, Role.PARTICIPANT, 1_000 * E, 0, sender=cast.p2)
    assert tasks.participantCount(alliance) == 2
    receipt = tasks.vacate(alliance, cast.p1, sender=slasher)
    (event,) = receipt.events.filter(tasks.MemberVacated)
    assert (event.taskId, event.account, event.slasher) == (alliance, cast.p1.address, slasher.address)
    member = tasks.memberOf(alliance, cast.p1)
    exit_at = chain.blocks.head.timestamp
    assert member.exitAt == exit_at and member.role == Role.PARTICIPANT and member.stake == 1_000 * E
    assert tasks.participantCount(alliance) == 1
    with ape.reverts(tasks.TaskRegistryVacated, taskId=alliance, account=cast.p1.address, exitAt=exit_at):
        tasks.vacate(alliance, cast.p1, sender=slasher)
    with ape.reverts(tasks.TaskRegistryVacated, taskId=alliance, account=cast.p1.address, exitAt=exit_at):
        tasks.addStake(alliance, 1 * E, sender=cast.p1)
    assert tasks.memberOf(alliance, cast.p2).exitAt == 0  # the others are untouched


def test_only_a_participant_still_in_can_be_vacated(tasks, cast, alliance, arena, slasher):
    with ape.reverts(tasks.TaskRegistryWrongRole, taskId=alliance, account=cast.p3.address, role=Role.NONE):
        tasks.vacate(alliance, cast.p3, sender=slasher)  # never joined
    with ape.reverts(tasks.TaskRegistryWrongRole, taskId=arena, account=cast.node.address, role=Role.NODE):
        tasks.vacate(arena, cast.node, sender=slasher)  # an Arena operator is no participant


def test_vacate_is_the_slashers_only(tasks, cast, alliance, outsider):
    tasks.join(alliance, Role.PARTICIPANT, 1_000 * E, 0, sender=cast.p1)
    with ape.reverts(tasks.AccessControlUnauthorizedAccount):
        tasks.vacate(alliance, cast.p1, sender=outsider)
    assert tasks.memberOf(alliance, cast.p1).exitAt == 0
