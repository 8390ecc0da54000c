// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFlockToken} from "./IFlockToken.sol";

/**
 * @title IRewardPot
 * @notice The escrow of one final reward root: when a task epoch's root finalizes, the
 * RewardDistributor creates it as a clone of its RewardPot implementation with the root and terms as
 * immutable arguments (OpenZeppelin `Clones.cloneDeterministicWithImmutableArgs`, salt
 * `taskId << 128 | epoch`: one address per task, epoch and root) and moves the root's total into it.
 * The genuine pot of a task epoch is the one `IRewardDistributor.potOf` returns: anyone can clone the
 * implementation with terms of their own, and such a copy pays out only what is sent to it.
 * Its leaves are OpenZeppelin StandardMerkleTree leaves (uint256 index, address account, uint256
 * amount); `index` is the leaf's bit in the claimed bitmap. Anyone may claim a leaf; the FLOCK goes
 * to the leaf's account. If the root's locked share is non-zero, that share of each leaf vests
 * linearly over the vesting period from the vesting start (both in `terms()`), and `release` pays out
 * what has vested.
 *
 * A pot can never pay more than the root's posted total: that is all it holds.
 */
interface IRewardPot {
    /// @notice The leaf was already claimed.
    error RewardPotAlreadyClaimed(uint256 index);
    /// @notice The proof does not lead from the leaf to the pot's root.
    error RewardPotInvalidProof(uint256 index, address account, uint256 amount);
    /// @notice Nothing has vested for the account since its last release.
    error RewardPotNothingToRelease(address account);
    /// @notice The implementation was called directly: only its clones (the pots) have a root.
    error RewardPotNotAClone();

    /// @notice `account`'s leaf (`amount`) was claimed: paid now, or in part, the rest vesting.
    event Claimed(address indexed account, uint256 amount);
    /// @notice `locked` FLOCK of `account`'s leaf vest linearly from the vesting start over the vesting
    /// period (`terms()`).
    event VestingStarted(address indexed account, uint256 locked);
    /// @notice `amount` vested FLOCK were paid to `account`.
    event VestingReleased(address indexed account, uint256 amount);

    /// @notice Pays leaf `index` to `account` (less the locked share, if the root vests). Anyone may
    /// claim for anyone.
    function claim(uint256 index, address account, uint256 amount, bytes32[] calldata proof) external;

    /// @notice Pays `account` what has vested of its leaf since its last release; returns the amount.
    function release(address account) external returns (uint256 amount);

    /// @notice Whether leaf `index` was claimed.
    function isClaimed(uint256 index) external view returns (bool);

    /// @notice `account`'s vesting: locked, released so far, releasable now.
    function vestingOf(address account) external view returns (uint256 locked, uint256 released, uint256 releasable);

    /// @notice The root, its task epoch and its vesting terms (fixed when it was accepted).
    function terms()
        external
        view
        returns (
            bytes32 root,
            uint256 taskId,
            uint256 epoch,
            uint256 lockedShareBps,
            uint256 vestingStart,
            uint256 vestingPeriod
        );

    /// @notice The token paid.
    function flock() external view returns (IFlockToken);

    /// @notice The distributor that created the implementation (and so every genuine pot).
    function distributor() external view returns (address);

    /// @notice The implementation every pot delegates to (a pot's code is a proxy to it).
    function implementation() external view returns (address);
}
