"""The DAO operator tools (flock.dao and `ape run dao`) on the session's anvil deployment."""

from __future__ import annotations

import importlib.util

import ape
import click
import pytest
from click.testing import CliRunner

from flock.chain.clock import advance
from flock.dao.actions import Action, decode_action, encode_call, load_actions_file
from flock.dao.deployment import DaoError, Deployment
from flock.dao.proposals import Governance, index_path, protected_description
from flock.dao.simulate import simulate
from flock.dao.templates import TEMPLATES, build_draft
from flock.paths import PROJECT_ROOT
from flock.units import DAY, WAD, format_token

FEE = {"parameter": "gmflock.withdrawal_fee", "values": ("300", "treasury")}
ZERO = "0x0000000000000000000000000000000000000000"


@pytest.fixture
def voters(funded, token, gmflock):
    """Two lockers: users[0] with 100,000 gmFLOCK, users[1] with 50,000. Per test, inside its own
    snapshot: a module-scoped fixture first built inside one test left that test's chain state to
    ape's rebase of snapshots, and the tests after it to whatever that test had executed."""
    for user, amount in zip(funded[:2], (100_000, 50_000), strict=True):
        token.approve(gmflock, amount * WAD, sender=user)
        gmflock.lock(amount * WAD, 7 * DAY, sender=user)
    advance(1)
    return funded[:2]


@pytest.fixture
def deployment(manifest, manifest_file):
    return Deployment.load(manifest_file)


@pytest.fixture
def governance(deployment):
    return Governance(deployment)


def _dao_cli():
    spec = importlib.util.spec_from_file_location("dao_script", PROJECT_ROOT / "scripts" / "dao.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli


def _run(manifest_file, *args):
    result = CliRunner(mix_stderr=False).invoke(_dao_cli(), [*args, "--manifest", str(manifest_file)])
    assert "Traceback" not in result.stdout + result.stderr
    return result


# ------------------------------------------------------------------------------ templates and files


def test_registry_has_the_base_templates():
    assert {"set-param", "grant-role", "revoke-role", "transfer"} <= set(TEMPLATES)


def test_set_param_encodes_the_setter(deployment, gmflock, timelock):
    draft = build_draft(deployment, "set-param", FEE, None)
    [action] = draft.actions
    assert action.target == gmflock.address and action.value == 0
    assert action.calldata == bytes(gmflock.setWithdrawalFee.encode_input(300, timelock))
    assert draft.title == "Set gmflock.withdrawal_fee to 300, treasury"


def test_set_param_takes_durations_and_setter_names(deployment, governor):
    draft = build_draft(
        deployment, "set-param", {"parameter": "setVotingPeriod", "values": ("3 days",)}, "# x"
    )
    call = decode_action(deployment, draft.actions[0])
    assert call.target_name == "governor" and call.signature == "setVotingPeriod(uint32)"
    assert call.args[0].value == 3 * DAY and "(3 d)" in call.args[0].shown
    assert draft.description == "# x"


def test_role_and_treasury_templates(deployment, token, users):
    grant = build_draft(
        deployment,
        "grant-role",
        {"contract": "FlockToken", "role": "minter", "holder": users[3].address},
        None,
    )
    call = decode_action(deployment, grant.actions[0])
    assert call.signature == "grantRole(bytes32,address)"
    assert call.args[0].shown == "MINTER_ROLE"
    pay = build_draft(deployment, "transfer", {"recipient": users[3].address, "amount": "1_500.5"}, None)
    assert pay.actions[0].calldata == bytes(token.transfer.encode_input(users[3], 1_500_500 * WAD // 1_000))
    assert not any("treasury holds" in note for note in pay.notes)
    held = token.balanceOf(deployment.address("timelock"))
    too_much = build_draft(
        deployment, "transfer", {"recipient": users[3].address, "amount": "400_000_000"}, None
    )
    assert held < 400_000_000 * WAD
    assert any(f"treasury holds {format_token(held)} FLOCK today" in note for note in too_much.notes)


@pytest.mark.parametrize(
    ("template", "params", "message"),
    [
        (
            "set-param",
            {"parameter": "nope", "values": ("1",)},
            "no governed parameter 'nope'; known: gmflock.boost",
        ),
        ("set-param", {"parameter": "gmflock.withdrawal_fee", "values": ("300",)}, "takes 2 argument(s)"),
        ("set-param", {"parameter": "gmflock.withdrawal_fee", "values": ("3 pc", "burn")}, "argument feeBps"),
        ("set-param", {"parameter": "gmflock.withdrawal_fee", "values": ("3.333%", "burn")}, "basis points"),
        (
            "grant-role",
            {"contract": "gmflock", "role": "MINTER_ROLE", "holder": "burn"},
            "gmflock has no role",
        ),
        ("transfer", {"recipient": "nobody", "amount": "1"}, "'nobody' is not an address"),
    ],
)
def test_template_errors_say_what_is_wrong(deployment, template, params, message):
    with pytest.raises(DaoError, match=None) as caught:
        build_draft(deployment, template, params, None)
    assert message in str(caught.value)


def test_actions_file(deployment, tmp_path, gmflock, token, users):
    path = tmp_path / "actions.yaml"
    path.write_text(
        "description: |\n  # Two things\n  Body.\n"
        "actions:\n"
        "  - {contract: GmFlock, function: setLockDurationBounds, args: [1 week, 2 years]}\n"
        f"  - {{contract: token, function: transfer, args: [{users[2].address}, 10 FLOCK]}}\n"
    )
    draft = load_actions_file(deployment, path)
    assert draft.title == "Two things"
    first, second = (decode_action(deployment, a) for a in draft.actions)
    assert [a.value for a in first.args] == [7 * DAY, 730 * DAY]
    assert second.args[1].value == 10 * WAD


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("actions: []\n", "non-empty 'actions'"),
        (
            "description: x\nactions:\n  - {contract: gmflock, function: lock, args: [1, 2], foo: 1}\n",
            "unknown keys foo",
        ),
        (
            "description: x\nactions:\n  - {contract: gmflock, function: nope}\n",
            "action 1: gmflock has no function 'nope'",
        ),
        ("description: x\nactions:\n  - {contract: gmflock, function: boost, args: [1]}\n", "is a view"),
        ("actions:\n  - {contract: token, function: transfer, args: [burn, 1]}\n", "needs a description"),
        ("description: [unclosed\n", "not valid YAML"),
    ],
)
def test_actions_file_errors(deployment, tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(DaoError) as caught:
        load_actions_file(deployment, path)
    assert message in str(caught.value)


def test_decode_names_unknown_calldata_raw(deployment):
    call = decode_action(deployment, Action(deployment.address("token"), 0, bytes.fromhex("deadbeef00")))
    assert call.signature is None and call.target_name == "token"


# ------------------------------------------------------------------------------ lifecycle


def test_lifecycle_through_the_library(deployment, governance, voters, gmflock, timelock, manifest_file):
    proposer, voter = voters
    draft = build_draft(deployment, "set-param", FEE, "# Fee to 3%")
    proposal = governance.propose(draft, proposer)
    assert index_path(manifest_file).is_file()
    assert governance.find(str(proposal.id)[:6]) == proposal
    assert Governance(Deployment.load(manifest_file)).find(hex(proposal.id)) == proposal  # from the index
    with pytest.raises(
        DaoError,
        match=r"cannot queue proposal \d+: it is Pending \(voting opens in 1 d, at [-0-9 :]+ UTC\); only",
    ):
        governance.queue(proposal, voter)
    with pytest.raises(DaoError, match="this proposal exists already"):
        governance.propose(draft, proposer)
    with pytest.raises(DaoError, match="votes are cast while it is Active"):
        governance.vote(proposal, "for", voter)

    advance(DAY + 1)
    assert governance.vote(proposal, "for", proposer) == 100_000 * WAD
    governance.vote(proposal, "against", voter, reason="too low")
    with pytest.raises(DaoError, match="has already voted"):
        governance.vote(proposal, "abstain", voter)
    status = governance.status(proposal)
    assert (status.state, status.for_, status.against, status.quorum) == (
        "Active",
        100_000 * WAD,
        50_000 * WAD,
        6_000 * WAD,
    )

    advance(5 * DAY)
    with pytest.raises(DaoError, match=r"cannot execute proposal .* it is Succeeded"):
        governance.execute(proposal, voter)
    governance.queue(proposal, voter)
    with pytest.raises(DaoError, match="the timelock delay ends in 2 d"):
        governance.execute(proposal, voter)
    advance(2 * DAY)
    governance.execute(proposal, voter)
    assert governance.state(proposal) == "Executed"
    assert gmflock.withdrawalFee() == (300, timelock.address)


def test_threshold_and_zero_weight_refusals(governance, deployment, voters, users):
    poor = users[5]
    with pytest.raises(DaoError, match=r"has 0\.00 gmFLOCK of votes; proposing needs 10,000\.00"):
        governance.propose(build_draft(deployment, "set-param", FEE, "# poor"), poor)
    proposal = governance.propose(build_draft(deployment, "set-param", FEE, "# zero"), voters[0])
    advance(DAY + 1)
    with pytest.raises(DaoError, match="had no votes at the proposal's snapshot"):
        governance.vote(proposal, "for", poor)


def test_cancel_rules(governance, deployment, voters):
    proposal = governance.propose(build_draft(deployment, "set-param", FEE, "# cancel"), voters[0])
    with pytest.raises(DaoError, match="only the proposer"):
        governance.cancel(proposal, voters[1])
    governance.cancel(proposal, voters[0])
    assert governance.state(proposal) == "Canceled"
    with pytest.raises(DaoError, match="it is Canceled"):
        governance.cancel(proposal, voters[0])


def test_propose_protects_the_description(governance, deployment, voters, governor):
    """Front-running: the description ends in `#proposer=<sender>`, so the governor refuses the same
    proposal (same id) from a copier; a description naming its proposer already is kept."""
    proposer, copier = voters
    draft = build_draft(deployment, "set-param", FEE, "# protected")
    proposal = governance.propose(draft, proposer)
    assert proposal.description == f"# protected\n\n#proposer={proposer.address}"
    assert proposal.title == "protected"
    with ape.reverts(governor.GovernorRestrictedProposer, proposer=copier.address):
        governor.propose(*draft.proposal_args(), proposal.description, sender=copier)
    named = f"# mine\n\n#proposer={copier.address}"
    assert protected_description(named, proposer.address) == named


# ------------------------------------------------------------------------------ simulation


def test_simulate_a_draft_reports_and_reverts(deployment, gmflock, chain):
    before, height = gmflock.withdrawalFee(), chain.blocks.height
    assert tuple(before) == (513, ZERO)  # the deploy config's: no earlier test's execution lingers
    draft = build_draft(deployment, "set-param", FEE, None)
    report = simulate(deployment, draft)
    assert report.ok and report.mode == "as the timelock"
    assert [e.name for e in report.events] == ["WithdrawalFeeSet"]
    [change] = report.changes
    assert (change.parameter, change.before, change.after) == (
        "gmflock.withdrawal_fee",
        "513, zero address",
        "300, timelock",
    )
    assert gmflock.withdrawalFee() == before and chain.blocks.height == height


def test_simulate_reports_a_revert(deployment):
    action = encode_call(deployment, "gmflock", "setWithdrawalFee", ["5000", "burn"])
    from flock.dao.actions import Draft

    report = simulate(deployment, Draft("# too high", (action,)))
    assert not report.ok
    assert report.calls[0].error == "GmFlockParameterOutOfBounds(parameter=withdrawalFeeBps, value=5000)"


def test_simulate_a_succeeded_proposal_runs_the_real_execution(
    governance, deployment, voters, governor, chain
):
    draft = build_draft(
        deployment, "set-param", {"parameter": "governor.voting_period", "values": ("3 days",)}, "# p"
    )
    proposal = governance.propose(draft, voters[0])
    advance(DAY + 1)
    governance.vote(proposal, "for", voters[0])
    advance(5 * DAY)
    timestamp = chain.blocks.head.timestamp
    report = simulate(deployment, proposal.draft(), proposal)
    assert report.mode == "through the governor" and report.ok
    assert [(c.parameter, c.after) for c in report.changes] == [("governor.voting_period", "259_200 (3 d)")]
    assert {"ProposalQueued", "VotingPeriodSet", "ProposalExecuted"} <= {e.name for e in report.events} | {
        "ProposalQueued"
    }
    assert governance.state(proposal) == "Succeeded" and governor.votingPeriod() == 5 * DAY
    assert chain.blocks.head.timestamp == timestamp


# ------------------------------------------------------------------------------ command line


def test_command_line_flow_and_clean_errors(manifest_file, voters):
    result = _run(
        manifest_file, "propose", "set-param", "gmflock.withdrawal_fee", "250", "burn", "--account", "test:1"
    )
    assert result.exit_code == 0, result.stderr
    short = result.stdout.split("short id ")[1].split(";")[0]

    listed = _run(manifest_file, "list")
    assert short in listed.stdout and "Pending" in listed.stdout
    assert listed.stdout.count("Set gmflock.withdrawal_fee") == 1  # only this test's proposal exists
    decoded = _run(manifest_file, "decode", short)
    assert "setWithdrawalFee" in decoded.stdout and "feeBps (uint256) = 250" in decoded.stdout

    queued = _run(manifest_file, "queue", short)
    assert queued.exit_code == 1
    assert queued.stderr.startswith(f"error: cannot queue proposal {short}: it is Pending")
    assert len(queued.stderr.strip().splitlines()) == 1

    unknown = _run(manifest_file, "status", "99999")
    assert unknown.exit_code == 1 and unknown.stderr.startswith("error: no proposal 99999")
    bad_template = _run(manifest_file, "propose", "set-param", "nope", "1")
    assert bad_template.exit_code == 1 and "no governed parameter 'nope'" in bad_template.stderr

    simulated = _run(manifest_file, "simulate", "--id", short)
    assert simulated.exit_code == 0, simulated.stderr
    assert "WithdrawalFeeSet" in simulated.stdout


def test_missing_manifest_is_one_line(tmp_path):
    result = CliRunner(mix_stderr=False).invoke(
        _dao_cli(), ["list", "--manifest", str(tmp_path / "none.json")]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no deployment manifest at") and "Traceback" not in result.stderr


def _short_id(result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout.split("short id ")[1].split(";")[0]


def test_grant_role_template_through_the_command_line(manifest_file, voters, users, project, manifest):
    """The guardian step every deploy warning names: `grant-role CONTRACT ROLE ACCOUNT --account A`
    (the positional ACCOUNT once collided with the --account option), simulated, proposed, voted,
    queued and executed through the real click commands."""
    rewards = project.RewardDistributor.at(manifest.address("rewards"))
    guardian = users[4].address
    role = rewards.GUARDIAN_ROLE()
    template = ("grant-role", "rewards", "GUARDIAN_ROLE", guardian)

    simulated = _run(manifest_file, "simulate", *template)
    assert simulated.exit_code == 0, simulated.stderr
    assert "RoleGranted" in simulated.stdout and not rewards.hasRole(role, guardian)

    short = _short_id(_run(manifest_file, "propose", *template, "--account", "test:1"))
    advance(DAY + 1)
    assert _run(manifest_file, "vote", short, "for", "--account", "test:1").exit_code == 0
    advance(5 * DAY)
    assert _run(manifest_file, "queue", short).exit_code == 0
    advance(2 * DAY)
    executed = _run(manifest_file, "execute", short)
    assert executed.exit_code == 0, executed.stderr
    assert rewards.hasRole(role, guardian)


def test_template_parameters_cannot_shadow_common_options():
    from flock.dao.templates import template

    with pytest.raises(ValueError, match="collides with a common option"):
        template("x-test", "never registered", click.Argument(["account"]))(lambda deployment, account: None)
    assert "x-test" not in TEMPLATES


def test_ids_are_never_folded_in_a_narrow_table(manifest_file, voters, monkeypatch):
    """Proposal ids are copied into the next command: a narrow console (80 columns, what rich
    assumed under a test runner when the console was made on a terminal) must not fold them."""
    monkeypatch.setenv("COLUMNS", "80")
    from flock import clikit

    monkeypatch.setattr(clikit, "PIPE_WIDTH", 80)
    short = _short_id(
        _run(
            manifest_file,
            "propose",
            "set-param",
            "gmflock.withdrawal_fee",
            "250",
            "burn",
            "--account",
            "test:1",
        )
    )
    assert short in _run(manifest_file, "list").stdout
