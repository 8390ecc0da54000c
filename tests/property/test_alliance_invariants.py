"""Invariants 7 (slashing conserves tokens) and 10 (stake at risk stays until the task's end plus
its dispute window) under random FL Alliance rounds. See docs/invariants.md."""

from flock.testing.alliance_machine import AllianceMachine

TestAllianceInvariants = AllianceMachine.TestCase
