"""Invariant 9 (only the timelock, or whom it appointed, changes parameters, roles and the
treasury) under random callers, random role changes and real proposals. See docs/invariants.md."""

from flock.testing.access_machine import AccessMachine

TestAccessInvariants = AccessMachine.TestCase
