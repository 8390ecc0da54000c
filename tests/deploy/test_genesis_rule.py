"""The genesis distribution (issue 12 item 5): the config's allocations (treasury, vesting wallets,
explicit recipients), the worst-case voting-share rule (``flock.deploy.genesis``) over the vesting
schedules, the refusal of a concentrated genesis before anything is sent, and the vesting wallet's
inability to lock or vote."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from flock import artifacts
from flock.deploy import genesis
from flock.deploy.config import ConfigError, load_config
from flock.harness.system import deploy_system
from flock.paths import CONFIG_DIR, PROJECT_ROOT
from flock.units import DAY, WAD

LOCAL = CONFIG_DIR / "ethereum-local.yaml"
B = 3 * WAD  # a round max boost for the arithmetic below
A, C, D = "0x" + "aa" * 20, "0x" + "cc" * 20, "0x" + "dd" * 20


def _with_token(tmp_path: Path, token_yaml: str) -> Path:
    text = LOCAL.read_text()
    start, end = text.index("token:\n"), text.index("gmflock:\n")
    path = tmp_path / "genesis.yaml"
    path.write_text(text[:start] + token_yaml + text[end:])
    return path


def test_shares_are_the_attackers_max_boost_against_the_rest_at_min_boost():
    d = genesis.Distribution(liquid={A: 10, C: 30}, max_boost=B, min_boost=WAD)
    shares = {h.account: h.share for h in genesis.worst_shares(d, 0)}
    assert shares == {A: Fraction(30, 60), C: Fraction(90, 100)}
    alone = genesis.Distribution(liquid={A: 1}, max_boost=B)
    assert genesis.worst_shares(alone, 0)[0].share == 1


def test_the_worst_moment_of_a_beneficiary_is_the_end_of_its_vesting():
    wallet = genesis.Wallet(amount=100, start=1_000, cliff=1_000 + 100, end=1_000 + 400)
    d = genesis.Distribution(liquid={C: 100, D: 100}, vesting={A: [wallet]}, max_boost=B)
    worst = {h.account: h for h in genesis.worst_shares(d, 0)}
    assert (worst[A].at, worst[A].lockable, worst[A].others) == (1_400, 100, 200)
    assert worst[A].share == Fraction(300, 500)


def test_a_cliff_counts_from_the_second_before_it():
    """A vests linearly from 0; C's wallet vests half at its cliff at once. A's share grows until the
    second before C's cliff, then falls: its worst moment is that second."""
    own = genesis.Wallet(amount=100, start=0, cliff=0, end=1_000)
    others = genesis.Wallet(amount=1_000, start=0, cliff=500, end=1_000)
    d = genesis.Distribution(liquid={D: 10}, vesting={A: [own], C: [others]}, max_boost=B)
    worst = {h.account: h for h in genesis.worst_shares(d, 0)}
    assert (worst[A].at, worst[A].lockable, worst[A].others) == (499, 49, 10)


def test_the_treasury_and_unvested_flock_do_not_vote():
    cfg = load_config(LOCAL)
    d = genesis.from_config(cfg, lambda ref: {"treasury": D}.get(ref, ref), 10**9)
    assert D.lower() not in d.accounts()
    assert len(d.liquid) == 100 and len(d.vesting) == 2
    before_cliff = 10**9 + 365 * DAY - 1
    assert all(d.lockable(a, before_cliff) == 0 for a in d.vesting)
    assert all(d.lockable(a, 10**9 + 1095 * DAY) == 5_000_000 * WAD for a in d.vesting)


@pytest.mark.parametrize("config_file", sorted(CONFIG_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_configs_keep_every_holder_below_the_limit(config_file):
    cfg = load_config(config_file)
    assert cfg.voting_share_limit <= cfg.governance.quorum_percent
    assert genesis.refusal(cfg, 10**9) is None
    treasury = sum(g.wei for g in cfg.token.grants() if g.recipient == "treasury")
    assert treasury and not any(g.recipient == "deployer" for g in cfg.token.grants())


def test_a_limit_above_the_quorum_is_refused(tmp_path):
    path = _with_token(tmp_path, "token:\n  max_voting_share: 5\n")
    with pytest.raises(ConfigError, match=r"max_voting_share \(5%\) is above the quorum \(4%\)"):
        load_config(path)


@pytest.mark.parametrize(
    ("token_yaml", "message"),
    [
        ("  genesis:\n    - {amount: 1}\n", "give either recipient or recipients"),
        ("  genesis:\n    - {recipient: burn, amount: 1}\n", "cannot mint to the zero address"),
        (f'  genesis:\n    - {{recipients: ["{A}", "{A}"], amount: 1}}\n', "a recipient is listed twice"),
        (
            f'  genesis:\n    - {{recipient: "{A}", amount: 1,\n'
            "       vesting: {cliff: 2 days, duration: 1 day}}\n",
            "the cliff (2 d) is longer than the vesting duration (1 d)",
        ),
        (
            "  genesis:\n    - {recipient: treasury, amount: 1, vesting: {duration: 1 day}}\n",
            "the treasury needs no vesting",
        ),
    ],
)
def test_bad_allocations_are_named(tmp_path, token_yaml, message):
    with pytest.raises(ConfigError) as caught:
        load_config(_with_token(tmp_path, "token:\n" + token_yaml))
    assert message in str(caught.value) and "token.genesis" in str(caught.value)


def test_deploy_refuses_a_concentrated_genesis_before_sending(tmp_path):
    import importlib.util

    path = _with_token(tmp_path, "token:\n  genesis:\n    - {recipient: deployer, amount: 100_000_000}\n")
    spec = importlib.util.spec_from_file_location("deploy_script", PROJECT_ROOT / "scripts" / "deploy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = CliRunner(mix_stderr=False).invoke(module.cli, ["--config", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) <= 2
    assert "gives deployer 100.00% of the worst-case voting power" in result.stderr
    assert "deploying to" not in result.stdout


def test_the_genesis_lands_where_the_config_says():
    system = deploy_system()
    token, cfg = system.token, system.config
    assert token.balanceOf(system.timelock.address) == 300_000_000 * WAD
    assert token.balanceOf("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266") == 5_000_000 * WAD
    for grant in cfg.token.vesting_grants():
        wallet = system.contracts[grant.key]
        assert token.balanceOf(wallet.address) == grant.wei
        assert wallet.owner() == grant.recipient
        assert (wallet.cliff() - wallet.start(), wallet.end() - wallet.start()) == (365 * DAY, 1095 * DAY)
    assert token.totalSupply() == sum(g.wei for g in cfg.token.grants()) == 810_000_000 * WAD


def test_a_vesting_wallet_can_only_release_to_its_beneficiary():
    """It has no call of its own: it cannot lock into gmFLOCK, approve, delegate or vote. Its
    beneficiary gets nothing before the cliff, then what has vested, which it may lock as usual."""
    mutating = {
        entry["name"] + "(" + ",".join(i["type"] for i in entry["inputs"]) + ")"
        for entry in artifacts.load()["GenesisVesting"].abi
        if entry.get("type") == "function" and entry["stateMutability"] not in ("view", "pure")
    }
    assert mutating == {"release()", "release(address)", "transferOwnership(address)", "renounceOwnership()"}

    system = deploy_system()
    chain, token, gm = system.chain, system.token, system.gmflock
    grant = system.config.token.vesting_grants()[0]
    wallet, beneficiary = system.contracts[grant.key], grant.recipient
    chain.warp(365 * DAY - 10)
    wallet.release(token.address, sender=system.deployer)  # anyone may call it; nothing has vested
    assert token.balanceOf(beneficiary) == 0
    token.approve(gm.address, WAD, sender=beneficiary)
    with chain.reverts("ERC20InsufficientBalance"):
        gm.lock(WAD, 365 * DAY, sender=beneficiary)
    chain.warp(10)
    wallet.release(token.address, sender=system.deployer)
    vested = token.balanceOf(beneficiary)
    assert vested == grant.wei * (chain.now - wallet.start()) // (1095 * DAY) > 0
    token.approve(gm.address, vested, sender=beneficiary)
    gm.lock(vested, 365 * DAY, sender=beneficiary)
    assert gm.getVotes(beneficiary) > vested
    # Only the beneficiary passes the wallet on: not the deployer, nor the timelock.
    for caller in (system.deployer, system.timelock.address):
        with chain.reverts("OwnableUnauthorizedAccount"):
            wallet.transferOwnership(caller, sender=caller)
    wallet.transferOwnership(system.deployer, sender=beneficiary)
    assert wallet.owner() == system.deployer
