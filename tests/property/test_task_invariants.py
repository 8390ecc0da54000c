"""Invariants 1, 4, 7 (the registry's routing), 10, 11, 12 and 13 under random task creation,
approval, cancellation, joins, delegations, undelegations, syncs, slashes, releases, draws and
epochs. See docs/invariants.md."""

from flock.testing.tasks_machine import TaskMachine

TestTaskInvariants = TaskMachine.TestCase
