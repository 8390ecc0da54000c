// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/**
 * @title IFlockToken
 * @notice The FLOCK token: an ERC-20 with EIP-2612 permits, burnable by holders, with a hard cap of
 * 1,000,000,000 tokens. After the genesis allocation only holders of `MINTER_ROLE` (meant for the
 * emission controller alone) can mint, and never past the cap.
 */
interface IFlockToken is IERC20Metadata {
    /// @notice The genesis recipients and amounts arrays differ in length.
    error FlockGenesisLengthMismatch(uint256 recipients, uint256 amounts);

    /// @notice Role allowed to mint new FLOCK (the emission controller).
    function MINTER_ROLE() external view returns (bytes32);

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
