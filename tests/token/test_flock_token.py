import ape
import pytest
from eth_utils import keccak

from flock.units import WAD as E


def test_metadata_and_cap(token):
    assert token.name() == "FLock"
    assert token.symbol() == "FLOCK"
    assert token.decimals() == 18
    assert token.cap() == 1_000_000_000 * E


def test_genesis_minted_to_config(token, deployer, manifest):
    """config/ethereum-local.yaml: the treasury, 100 community accounts (the deployer one of them),
    two vesting wallets, in config order, one mint each."""
    recipients, amounts = manifest.contracts["token"].constructor_args[1:3]
    wallets = [manifest.address("vesting-1"), manifest.address("vesting-2")]
    assert recipients[0] == manifest.address("timelock") and recipients[-2:] == wallets
    assert recipients[1] == deployer.address and len(recipients) == 103
    assert amounts == [300_000_000 * E] + [5_000_000 * E] * 102
    assert token.totalSupply() == 810_000_000 * E
    block = manifest.contracts["token"].block
    mints = [
        log.event_arguments
        for log in token.Transfer.query("*", start_block=block, stop_block=block).itertuples()
    ]
    assert [(m["to"], m["value"]) for m in mints] == list(zip(recipients, amounts, strict=True))


def test_mint_refused_without_role(token, outsider):
    with ape.reverts(token.AccessControlUnauthorizedAccount):
        token.mint(outsider, 1, sender=outsider)


@pytest.mark.parametrize("extra", [0, 1])
def test_mint_stops_at_cap(token, admin, outsider, extra):
    token.grantRole(token.MINTER_ROLE(), admin, sender=admin)
    room = token.cap() - token.totalSupply()
    if extra:
        with ape.reverts(token.ERC20ExceededCap):
            token.mint(outsider, room + extra, sender=admin)
    else:
        token.mint(outsider, room, sender=admin)
        assert token.totalSupply() == token.cap()


def test_genesis_length_mismatch_reverts(project, deployer, outsider):
    with ape.reverts(project.FlockToken.FlockGenesisLengthMismatch, recipients=1, amounts=2):
        project.FlockToken.deploy(deployer, [outsider], [1, 2], sender=deployer)


def test_genesis_above_cap_reverts(project, deployer, outsider):
    with ape.reverts(project.FlockToken.ERC20ExceededCap):
        project.FlockToken.deploy(deployer, [outsider, deployer], [10**27, 1], sender=deployer)


def test_mint_by_minter_emits_transfer(token, admin, outsider):
    token.grantRole(token.MINTER_ROLE(), admin, sender=admin)
    before = token.balanceOf(outsider)
    receipt = token.mint(outsider, 5 * E, sender=admin)
    assert token.balanceOf(outsider) == before + 5 * E
    assert [log.event_name for log in receipt.events] == ["Transfer"]


def test_burn_and_burn_from(token, deployer, outsider):
    supply = token.totalSupply()
    token.burn(E, sender=deployer)
    assert token.totalSupply() == supply - E
    token.approve(outsider, E, sender=deployer)
    token.burnFrom(deployer, E, sender=outsider)
    assert token.totalSupply() == supply - 2 * E
    with ape.reverts(token.ERC20InsufficientAllowance):
        token.burnFrom(deployer, 1, sender=outsider)


def test_roles_at_construction(token, manifest, deployer):
    admin_role = token.DEFAULT_ADMIN_ROLE()
    expected_admin = manifest.contracts.get("timelock", None)
    holder = expected_admin.address if expected_admin else deployer.address
    assert token.hasRole(admin_role, holder)
    assert token.MINTER_ROLE() == keccak(text="MINTER_ROLE")
