"""Invariants 5 and 6 under random posts (honest, rogue, over budget), vetoes, finalizations, claims
(tampered, repeated, batched), vesting releases, vesting-term changes and sweeps. See
docs/invariants.md."""

from flock.testing.rewards_machine import RewardMachine

TestRewardInvariants = RewardMachine.TestCase
