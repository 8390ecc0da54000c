"""The contracts' enums in Python (flock.rewards, flock.tasks) are the interfaces' own, member by
member; an error's enum argument is named by its own interface's enum (three interfaces declare a
``Status``, two a ``Phase``); the guardian's commands read each kind's status with its enum."""

from __future__ import annotations

import re

import pytest

from flock.errors import _enum_types, _readable
from flock.ops.guardian import KINDS, REWARDS, SLASHES, USAGE
from flock.paths import PROJECT_ROOT
from flock.rewards import SlashStatus, Status, UsageStatus
from flock.tasks import no_such_task


def _solidity_enum(qualified: str) -> list[str]:
    """The members of ``enum Name`` declared in ``interfaces/<Interface>.sol``, in order."""
    interface, name = qualified.split(".")
    text = (PROJECT_ROOT / "interfaces" / f"{interface}.sol").read_text()
    body = re.search(rf"enum {name} \{{(.*?)\}}", text, re.S)
    assert body, qualified
    without_comments = re.sub(r"//[^\n]*", "", body.group(1))
    return [m.strip() for m in without_comments.split(",") if m.strip()]


def _snake(member: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", member).upper()


@pytest.mark.parametrize("qualified", sorted(_enum_types()))
def test_each_python_enum_is_its_interfaces_enum(qualified):
    enum = _enum_types()[qualified]
    assert [m.name for m in enum] == [_snake(m) for m in _solidity_enum(qualified)]
    assert [m.value for m in enum] == list(range(len(enum)))


@pytest.mark.parametrize(
    ("value", "internal_type", "words"),
    [
        (1, "enum IRewardDistributor.Status", "open"),
        (2, "enum IRewardDistributor.Status", "accepted"),
        (1, "enum IApiCredits.Status", "accepted"),  # was "open": the distributor's enum
        (2, "enum IApiCredits.Status", "final"),  # was "accepted"
        (2, "enum IArenaSlasher.Status", "accepted"),
        (4, "enum IArenaSlasher.Offence", "unreadable_scores"),
        (3, "enum IArenaSubmissions.Phase", "reveal"),
        (3, "enum IAllianceRounds.Phase", "3"),  # not in the vocabulary: a number, not a wrong name
    ],
)
def test_an_errors_enum_argument_is_named_by_its_own_enum(value, internal_type, words):
    assert _readable(value, "status", internal_type) == words


@pytest.mark.parametrize(
    ("kind", "enum"), [(REWARDS, Status), (SLASHES, SlashStatus), (USAGE, UsageStatus)], ids=lambda k: str(k)
)
def test_each_vetoable_kind_reads_its_contracts_status(kind, enum):
    assert KINDS[kind.name] is kind
    assert kind.accepted is enum.ACCEPTED
    assert set(kind.statuses) == set(enum)  # every status in words
    assert all(kind.status(m.value) is m for m in enum)
    with pytest.raises(ValueError):
        kind.status(len(enum))  # a status the contract does not have


def test_a_task_that_does_not_exist_is_said_with_the_ids_there_are():
    assert no_such_task(1, 0) == "task 1 does not exist (the registry has no task yet)"
    assert no_such_task(1_500, 1_200) == "task 1500 does not exist (the registry has tasks 1 to 1,200)"
