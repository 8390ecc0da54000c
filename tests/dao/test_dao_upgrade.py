"""`ape run dao propose upgrade` and `dao simulate` of an upgrade (issue 12 item 3): the build's
implementation deployed, OpenZeppelin's storage check against the recorded layout, the proposal
through the timelock; the simulation checks the ERC-1967 slot, the storage verdict and the state read
back; an executed upgrade is recorded in the manifest; `deploy verify`'s upgrade rows. Bad input is
one line."""

from __future__ import annotations

import importlib.util
import json
import shutil

import pytest
from click.testing import CliRunner

from flock.chain.clock import advance
from flock.chain.local import impersonate
from flock.chain.manifest import Manifest
from flock.chain.protocol import implementation_at
from flock.dao.deployment import DaoError, Deployment
from flock.dao.proposals import Governance
from flock.dao.simulate import simulate
from flock.dao.upgrades import (
    StorageCheck,
    prepare_upgrade,
    record_executed_upgrades,
    upgrade_draft,
)
from flock.deploy.verify import verify_on_chain
from flock.paths import PROJECT_ROOT
from flock.units import DAY, WAD


@pytest.fixture(scope="module")
def voter(users, token, gmflock, treasury):
    user = users[0]
    token.transfer(user, 200_000 * WAD, sender=treasury)
    token.approve(gmflock, 200_000 * WAD, sender=user)
    gmflock.lock(200_000 * WAD, 365 * DAY, sender=user)
    advance(1)
    return user


@pytest.fixture
def copy(manifest_file, tmp_path, voter):
    """The session's manifest, copied (it keeps pointing at the deploy's recorded build): an
    executed upgrade rewrites it."""
    target = tmp_path / "deployment.json"
    shutil.copy(manifest_file, target)
    return target


@pytest.fixture
def deployment(copy):
    return Deployment.load(copy)


def test_simulating_an_upgrade_reads_every_value_back_unchanged(deployment, deployer):
    draft, plan = prepare_upgrade(deployment, "rewards", deployer)
    assert plan.storage.ok and plan.current != plan.implementation
    assert draft.title.startswith("Upgrade rewards (RewardDistributor) to the implementation at")
    report = simulate(deployment, draft)
    [outcome] = report.upgrades
    assert report.ok, (outcome.storage, outcome.differences[:3])
    assert outcome.after == plan.implementation and outcome.storage_ok
    assert outcome.probes > 20 and not outcome.differences
    assert implementation_at(deployment.address("rewards")) == plan.current  # reverted afterwards


def test_a_foreign_implementation_fails_the_simulation(deployment):
    """The task registry's implementation behind the distributor's proxy: the slot switches, but the
    storage check fails and the distributor's views read back different values."""
    wrong = implementation_at(deployment.address("tasks"))
    passed = StorageCheck(True, "(not checked here)", "")
    draft, _ = upgrade_draft(deployment, "rewards", wrong, b"", passed)
    report = simulate(deployment, draft)
    [outcome] = report.upgrades
    assert not report.ok and outcome.after == wrong
    assert not outcome.storage_ok and "TaskRegistry" in outcome.storage
    assert outcome.differences


def test_an_upgrade_through_the_governor_is_recorded_and_verifies(deployment, copy, voter, chain):
    draft, plan = prepare_upgrade(deployment, "rewards", voter)
    governance = Governance(deployment)
    proposal = governance.propose(draft, voter)
    advance(DAY + 1)
    governance.vote(proposal, "for", voter)
    advance(5 * DAY)
    governance.queue(proposal, voter)
    advance(2 * DAY)
    receipt = governance.execute(proposal, voter)
    assert implementation_at(deployment.address("rewards")) == plan.implementation
    [line] = record_executed_upgrades(deployment, receipt)
    assert line.startswith("rewards now runs RewardDistributor at")
    recorded = Manifest.load(copy)
    assert recorded.contracts["rewards"].implementation == plan.implementation
    assert recorded.implementations["rewards"].address == plan.implementation
    assert (copy.parent / "deployment.reference-rewards").is_dir()
    results = verify_on_chain(copy)
    failed = [(r.group, r.subject) for r in results if not r.ok]
    assert not failed, failed
    assert any(r.subject == "rewards: upgradeToAndCall (eth_call)" for r in results)


def test_an_unsafe_layout_is_refused_before_anything_is_deployed(deployment, deployer, chain):
    height = chain.blocks.height
    with pytest.raises(DaoError) as caught:
        prepare_upgrade(deployment, "rewards", deployer, new_contract="TaskRegistry")
    message = str(caught.value)
    assert message.startswith(
        "the storage layout of TaskRegistry is not compatible with the one deployed at rewards"
    )
    assert "\n" not in message and chain.blocks.height == height


def test_verify_names_a_second_upgrader(copy, manifest):
    rewards = impersonate(manifest.address("timelock"))
    from ape import project

    distributor = project.RewardDistributor.at(manifest.address("rewards"))
    distributor.grantRole(bytes(32), "0x" + "77" * 20, sender=rewards)
    failed = {r.subject for r in verify_on_chain(copy) if not r.ok}
    assert "rewards: may upgrade" in failed


def _dao(*args: str):
    spec = importlib.util.spec_from_file_location("dao_script", PROJECT_ROOT / "scripts" / "dao.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return CliRunner(mix_stderr=False).invoke(module.cli, list(args))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token"], "token is not behind an upgradeable proxy; upgradeable here: gmflock"),
        (["nothing"], "no contract 'nothing' in the deployment"),
        (["rewards", "5"], "arguments 5 given without --call FUNCTION"),
        (["rewards", "--call", "noSuchFunction"], "noSuchFunction"),
    ],
)
def test_bad_upgrade_input_is_one_line(copy, chain, args, message):
    height = chain.blocks.height
    result = _dao("propose", "upgrade", *args, "--manifest", str(copy))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
    assert chain.blocks.height == height


def test_a_missing_reference_build_is_named(copy, chain):
    data = json.loads(copy.read_text())
    data["upgrade_reference"] = ""
    copy.write_text(json.dumps(data))
    result = _dao("simulate", "upgrade", "rewards", "--manifest", str(copy))
    assert (
        result.exit_code == 1
        and "no recorded build of the implementation deployed at rewards" in result.stderr
    )
    assert len(result.stderr.strip().splitlines()) <= 2
