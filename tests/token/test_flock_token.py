import ape
import pytest

from flock.units import WAD as E


def test_metadata_and_cap(token):
    assert token.name() == "FLock"
    assert token.symbol() == "FLOCK"
    assert token.decimals() == 18
    assert token.cap() == 1_000_000_000 * E


def test_genesis_minted_to_config(token, deployer):
    assert token.balanceOf(deployer) == 100_000_000 * E
    assert token.totalSupply() == 100_000_000 * E


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
