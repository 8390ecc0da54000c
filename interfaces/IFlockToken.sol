// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/**
 * @title IFlockToken
 * @notice The FLOCK token: an ERC-20 with EIP-2612 permits (`permit`, `nonces`, `DOMAIN_SEPARATOR`;
 * EIP-712 domain name "FLock", version "1", published by EIP-5267's `eip712Domain`), burnable by
 * holders, with a hard cap of 1,000,000,000 tokens. After the genesis allocation only holders of
 * `MINTER_ROLE` (meant for the emission controller alone) can mint, and never past the cap.
 *
 * Roles: see {IFlockAccessControl}. A permit past its deadline reverts with `ERC2612ExpiredSignature`,
 * one signed by another account with `ERC2612InvalidSigner`; a mint past the cap with
 * `ERC20ExceededCap` (these are declared in {IFlockErrors}).
 */
interface IFlockToken is IERC20Metadata, IERC20Errors, IERC20Permit, IERC5267 {
    /// @notice The genesis recipients and amounts arrays differ in length.
    error FlockGenesisLengthMismatch(uint256 recipients, uint256 amounts);

    /// @notice Role allowed to mint new FLOCK (the emission controller).
    function MINTER_ROLE() external view returns (bytes32);

    /// @notice The hard cap on total supply, in wei (1e9 tokens of 18 decimals): `cap()` as a constant.
    function MAX_SUPPLY() external view returns (uint256);

    /// @notice The hard cap on total supply, in wei (1e9 tokens of 18 decimals).
    function cap() external view returns (uint256);

    /// @notice Mints `amount` to `to`. Reverts with `ERC20ExceededCap` past the cap.
    /// @dev Only `MINTER_ROLE`.
    function mint(address to, uint256 amount) external;

    /// @notice Burns `value` of the caller's tokens.
    function burn(uint256 value) external;

    /// @notice Burns `value` of `account`'s tokens, spending the caller's allowance.
    function burnFrom(address account, uint256 value) external;
}
