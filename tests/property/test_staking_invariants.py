"""Invariants 1, 2, 3, 4, 7 (gmFLOCK's part), 8 and 10 under random locks, unlocks, extends,
delegations, allocations, releases, slashes and time jumps. See docs/invariants.md."""

from flock.testing.staking_machine import StakingMachine

TestStakingInvariants = StakingMachine.TestCase
