"""Invariant 14 (API credits solvent, charges within what users authorised) under random deposits,
withdrawals, caps, usage reports (honest and excessive), vetoes, charges (repeated, forged) and
flushes. See docs/invariants.md."""

from flock.testing.api_machine import ApiMachine

TestApiInvariants = ApiMachine.TestCase
