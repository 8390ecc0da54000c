// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";

/**
 * @title FlockToken (FLOCK)
 * @dev The protocol's ERC-20. The genesis allocation is minted in the constructor from the deploy
 * config; afterwards only `MINTER_ROLE` mints (granted to the emission controller alone), and
 * `ERC20Capped` refuses any mint past 1,000,000,000 FLOCK, genesis included.
 *
 * `DEFAULT_ADMIN_ROLE` goes to `admin` at construction. The deploy script grants it to the
 * governance timelock and renounces it, so afterwards only a passed proposal can grant or revoke the
 * minter. The token has no pause, no blocklist and no upgrade path.
 */
contract FlockToken is ERC20, ERC20Permit, ERC20Burnable, ERC20Capped, AccessControl, IFlockToken {
    /// @inheritdoc IFlockToken
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @inheritdoc IFlockToken
    uint256 public constant MAX_SUPPLY = 1_000_000_000 ether;

    /**
     * @param admin receives `DEFAULT_ADMIN_ROLE` (the deployer, until governance takes over).
     * @param recipients genesis allocation recipients.
     * @param amounts genesis allocation amounts, in wei; their sum may not exceed the cap.
     */
    constructor(address admin, address[] memory recipients, uint256[] memory amounts)
        ERC20("FLock", "FLOCK")
        ERC20Permit("FLock")
        ERC20Capped(MAX_SUPPLY)
    {
        if (recipients.length != amounts.length) {
            revert FlockGenesisLengthMismatch(recipients.length, amounts.length);
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        for (uint256 i = 0; i < recipients.length; ++i) {
            _mint(recipients[i], amounts[i]);
        }
    }

    /// @inheritdoc IFlockToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @inheritdoc IFlockToken
    function cap() public view override(ERC20Capped, IFlockToken) returns (uint256) {
        return super.cap();
    }

    /// @inheritdoc IFlockToken
    function burn(uint256 value) public override(ERC20Burnable, IFlockToken) {
        super.burn(value);
    }

    /// @inheritdoc IFlockToken
    function burnFrom(address account, uint256 value) public override(ERC20Burnable, IFlockToken) {
        super.burnFrom(account, value);
    }

    /// @notice The next nonce a `permit` signature of `owner` must carry.
    function nonces(address owner) public view override(ERC20Permit, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Capped) {
        super._update(from, to, value);
    }
}
