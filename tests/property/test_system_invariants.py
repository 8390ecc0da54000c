"""Every invariant of docs/invariants.md (INV-01 to INV-14, INV-18 and INV-20 to INV-22 after every step;
INV-15 and INV-16 in the tasks part's slash and the staking part's extend and kick rules; INV-19 is
the oracle's) over the whole protocol at once: the staking, task, reward, alliance and API machines'
rules interleaved on one deployment with governance, intruders and time jumps. See
docs/invariants.md ("The system suite") for the profiles' sizes and how to replay a failure."""

import os

import pytest

from flock.testing.system_machine import SystemMachine, system_settings

DEEP_MIN_STEPS = 10_000

TestSystemInvariants = SystemMachine.TestCase
TestSystemInvariants.settings = system_settings()


@pytest.mark.skipif(os.environ.get("HYPOTHESIS_PROFILE") != "deep", reason="deep profile only")
def test_deep_run_checked_every_invariant_often_enough():
    """Runs after the machine (pytest keeps the file's order): the deep profile checked every
    invariant after at least 10,000 steps (Hypothesis ends some examples early, so the count is
    measured rather than taken from examples x steps)."""
    print(f"\nsystem suite: every invariant checked after {SystemMachine.checks:,} steps")
    assert SystemMachine.checks >= DEEP_MIN_STEPS
