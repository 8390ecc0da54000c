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
    recipients, amounts = manifest.contracts["token"].constructor_args[1:3]
    assert recipients == [deployer.address]
    assert amounts == [100_000_000 * E]
    assert token.totalSupply() == 100_000_000 * E
    mint = next(iter(token.Transfer.query("*", start_block=manifest.contracts["token"].block).itertuples()))
    assert (mint.event_arguments["to"], mint.event_arguments["value"]) == (deployer.address, 100_000_000 * E)


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
    receipt = token.mint(outsider, 5 * E, sender=admin)
    assert token.balanceOf(outsider) == 5 * E
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
