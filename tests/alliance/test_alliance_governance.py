"""The alliance parameters through the DAO tooling: `set-param` drafts, simulation as the timelock,
and a refusal named by its custom error."""

from flock.dao.actions import decode_action
from flock.dao.deployment import Deployment
from flock.dao.simulate import simulate
from flock.dao.templates import build_draft


def test_set_param_drafts_and_simulates_alliance_rules(manifest, manifest_file, alliance):
    deployment = Deployment.load(manifest_file)
    before = tuple(alliance.slashRules())
    draft = build_draft(
        deployment,
        "set-param",
        {"parameter": "alliance.slash_rules", "values": ("1500", "500", "750", "1000")},
        None,
    )
    call = decode_action(deployment, draft.actions[0])
    assert call.target_name == "alliance" and call.signature.startswith("setSlashRules(")
    report = simulate(deployment, draft)
    assert report.ok and [e.name for e in report.events] == ["SlashRulesSet"]
    [change] = report.changes
    assert change.parameter == "alliance.slash_rules" and change.after == "1500, 500, 750, 1000"
    assert tuple(alliance.slashRules()) == before  # simulation reverts


def test_an_out_of_bounds_rule_is_refused_by_name(manifest, manifest_file):
    deployment = Deployment.load(manifest_file)
    draft = build_draft(
        deployment,
        "set-param",
        {"parameter": "alliance.slash_rules", "values": ("1000", "600", "500", "1000")},
        None,
    )
    report = simulate(deployment, draft)
    assert not report.ok
    assert report.calls[0].error == "AllianceParameterOutOfBounds(parameter=absentSlashBps, value=500)"
