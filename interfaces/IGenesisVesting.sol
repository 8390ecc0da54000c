// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IGenesisVesting
 * @notice A genesis allocation of FLOCK vesting to one beneficiary: OpenZeppelin's `VestingWallet`
 * with `VestingWalletCliff`, unchanged. Nothing vests before `cliff()`; from then on the vested amount
 * grows linearly from `start()` to `end()`. `release(token)` pays what has vested and not yet been
 * released to `owner()`, the beneficiary; it is the wallet's only way to move tokens, so FLOCK inside
 * cannot be locked into gmFLOCK or vote until it is released. The owner may pass the wallet on with
 * `transferOwnership`. The wallet also accepts and vests ether (`release()`), which FLock does not use.
 */
interface IGenesisVesting {
    /// @notice `amount` of ether was paid to the owner.
    event EtherReleased(uint256 amount);
    /// @notice `amount` of `token` was paid to the owner.
    event ERC20Released(address indexed token, uint256 amount);
    /// @notice The wallet, and its future releases, passed from `previousOwner` to `newOwner`.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice When vesting starts (unix seconds).
    function start() external view returns (uint256);

    /// @notice From the start to the end of vesting, in seconds.
    function duration() external view returns (uint256);

    /// @notice When everything has vested: `start() + duration()`.
    function end() external view returns (uint256);

    /// @notice Before this timestamp nothing has vested.
    function cliff() external view returns (uint256);

    /// @notice The beneficiary, to whom `release` pays.
    function owner() external view returns (address);

    /// @notice Ether released so far.
    function released() external view returns (uint256);

    /// @notice `token` released so far.
    function released(address token) external view returns (uint256);

    /// @notice Ether vested and not yet released.
    function releasable() external view returns (uint256);

    /// @notice `token` vested and not yet released.
    function releasable(address token) external view returns (uint256);

    /// @notice Pays the releasable ether to the owner. Anyone may call it.
    function release() external;

    /// @notice Pays the releasable `token` to the owner. Anyone may call it.
    function release(address token) external;

    /// @notice Ether vested by `timestamp` (released or not).
    function vestedAmount(uint64 timestamp) external view returns (uint256);

    /// @notice `token` vested by `timestamp` (released or not): zero before the cliff, then
    /// allocation x (timestamp - start) / duration, capped at the allocation.
    function vestedAmount(address token, uint64 timestamp) external view returns (uint256);

    /// @notice Passes the wallet to `newOwner` (not the zero address). Only the owner.
    function transferOwnership(address newOwner) external;

    /// @notice Leaves the wallet without an owner: releases then revert, the tokens stay locked in it
    /// for good. Only the owner.
    function renounceOwnership() external;
}
