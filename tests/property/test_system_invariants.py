"""Every invariant of docs/invariants.md (INV-01 to INV-13) over the whole protocol at once: the
staking, task, reward and alliance machines' rules interleaved on one deployment with governance,
intruders and time jumps. See docs/invariants.md ("The system suite") for the profiles' arithmetic
and how to replay a failure."""

from flock.testing.system_machine import SystemMachine, system_settings

TestSystemInvariants = SystemMachine.TestCase
TestSystemInvariants.settings = system_settings()
