// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IFlockToken} from "./IFlockToken.sol";

/**
 * @title IGmFlock
 * @notice gmFLOCK: FLOCK locked for a duration becomes non-transferable, slashable voting power.
 *
 * `lock(amount, duration)` pulls `amount` FLOCK and mints `amount * boost(duration)` gmFLOCK, where
 * boost(t) = 1 for t <= t0, else 1 + eps * (min(t, t1) - t0) / t1. Each lock is a record with an id
 * per account; after its end, `unlock(id)` burns the lock's gmFLOCK and returns its FLOCK less a
 * withdrawal fee. `extend(id, duration)` moves a lock's end later and re-boosts it from the new
 * remaining duration. Once a lock has ended, anyone may `kick` it: its boost (gmFLOCK above 1x)
 * is burned, as far as no task holds it, so an expired lock stops counting boosted in votes.
 *
 * gmFLOCK is the voting token of the DAO (ERC-5805 with a timestamp clock, ERC-6372). An account
 * votes with its own balance until it delegates elsewhere: no call is needed to activate votes.
 *
 * The task registry (`STAKE_MANAGER_ROLE`) allocates gmFLOCK to tasks; allocated gmFLOCK cannot be
 * unlocked. A `SLASHER_ROLE` holder slashes allocated gmFLOCK: the account's locks shrink pro rata
 * in O(1) and the matching FLOCK goes where the slasher says. A `LOCKER_ROLE` holder (the FL
 * Alliance rounds) pays FLOCK out as a maximum-duration lock of another account (`lockFor`).
 *
 * Transfers and approvals do not exist: `transfer`, `transferFrom` and `approve` revert with
 * `GmFlockNonTransferable`.
 */
interface IGmFlock is IERC20Metadata, IERC5805, IERC5267 {
    /// @notice The state of a lock record.
    enum LockStatus {
        None, // never created
        Active, // holds FLOCK; unlockable once `end` has passed
        Unlocked, // unlocked by its owner; the record is gone
        Voided // wiped out by a slash of the account's whole balance
    }

    /// @notice A lock as the views report it: amounts are current, after any slashing.
    struct LockInfo {
        uint256 id;
        uint256 amount; // FLOCK the lock would return now, before the withdrawal fee
        uint256 gm; // gmFLOCK the lock holds now
        uint64 end; // unix time from which it may be unlocked
        LockStatus status;
    }

    // ---------------------------------------------------------------------------------------- errors

    /// @notice gmFLOCK cannot be transferred or approved.
    error GmFlockNonTransferable();
    /// @notice A zero amount where a positive one is required.
    error GmFlockZeroAmount();
    /// @notice The amount does not fit the 96-bit lock record.
    error GmFlockAmountTooLarge(uint256 amount);
    /// @notice The lock duration is outside the current [min, max] bounds.
    error GmFlockInvalidDuration(uint256 duration, uint256 minDuration, uint256 maxDuration);
    /// @notice No active lock with this id for the caller.
    error GmFlockUnknownLock(address account, uint256 lockId);
    /// @notice The lock's end has not been reached.
    error GmFlockLockNotExpired(uint256 lockId, uint256 end);
    /// @notice `extend` must move the end later.
    error GmFlockExtensionTooShort(uint256 lockId, uint256 currentEnd, uint256 newEnd);
    /// @notice Unlocking would leave the balance below the gmFLOCK allocated to tasks.
    error GmFlockStakeAllocated(address account, uint256 balanceAfter, uint256 allocated);
    /// @notice An allocation larger than the unallocated balance.
    error GmFlockInsufficientUnallocated(address account, uint256 requested, uint256 available);
    /// @notice A release or slash larger than the allocation.
    error GmFlockExceedsAllocation(address account, uint256 requested, uint256 allocated);
    /// @notice Nothing to kick: the lock holds no boost (`boostGm`), or all of the account's gmFLOCK
    /// beyond what tasks hold (`unallocated`) is gone.
    error GmFlockNothingToKick(address account, uint256 lockId, uint256 boostGm, uint256 unallocated);
    /// @notice Delegating to the zero address is refused; delegate to yourself to take votes back.
    error GmFlockZeroDelegate();
    /// @notice A boost, duration or fee parameter outside its hard bounds.
    error GmFlockParameterOutOfBounds(bytes32 parameter, uint256 value);
    /// @notice Votes were asked for a timepoint that is not yet in the past.
    error GmFlockFutureLookup(uint256 timepoint, uint48 clock);

    // ---------------------------------------------------------------------------------------- events

    /// @notice `account` locked `amount` FLOCK until `end`, receiving `gm` gmFLOCK in lock `lockId`.
    event Locked(address indexed account, uint256 indexed lockId, uint256 amount, uint256 gm, uint64 end);
    /// @notice `locker` (a `LOCKER_ROLE` holder) paid for lock `lockId` of `account` (its `Locked`
    /// event has the amounts).
    event LockedFor(address indexed account, uint256 indexed lockId, address indexed locker);
    /// @notice Lock `lockId` was unlocked: `amount` FLOCK released, `fee` of it withheld, `gm` burned.
    event Unlocked(address indexed account, uint256 indexed lockId, uint256 amount, uint256 fee, uint256 gm);
    /// @notice Lock `lockId` now ends at `end` and holds `gm` gmFLOCK (`gmAdded` newly minted; zero
    /// when the new boost is lower, and the burn is the `Transfer` to the zero address).
    event Extended(address indexed account, uint256 indexed lockId, uint64 end, uint256 gm, uint256 gmAdded);
    /// @notice `kicker` removed `gmRemoved` of expired lock `lockId`'s boost; the lock now holds `gm`.
    event Kicked(
        address indexed account, uint256 indexed lockId, address indexed kicker, uint256 gmRemoved, uint256 gm
    );
    /// @notice The stake manager allocated `amount` of `account`'s gmFLOCK; `allocated` is the new total.
    event Allocated(address indexed account, uint256 amount, uint256 allocated);
    /// @notice The stake manager released `amount` of `account`'s allocation; `allocated` is the new total.
    event Released(address indexed account, uint256 amount, uint256 allocated);
    /// @notice `slasher` slashed `gm` gmFLOCK of `account`, seizing `flock` FLOCK sent to `to` (zero: burned).
    event Slashed(address indexed account, address indexed slasher, uint256 gm, uint256 flock, address to);
    /// @notice Boost parameters for new locks: t0 and t1 in seconds, eps scaled by 1e18.
    event BoostParametersSet(uint256 boostFloor, uint256 boostHorizon, uint256 boostEpsilon);
    /// @notice Bounds on new lock durations, in seconds.
    event LockDurationBoundsSet(uint256 minDuration, uint256 maxDuration);
    /// @notice Withdrawal fee in basis points and its recipient (zero: burned).
    event WithdrawalFeeSet(uint256 feeBps, address indexed recipient);

    // ----------------------------------------------------------------------------------- user actions

    /// @notice Sets the proxy's state, once, in the proxy's deployment (then `DEFAULT_ADMIN_ROLE`
    /// is `admin`'s); the implementation itself refuses.
    function initialize(
        address admin,
        uint256 boostFloor,
        uint256 boostHorizon,
        uint256 boostEpsilon,
        uint256 minLockDuration,
        uint256 maxLockDuration,
        uint256 withdrawalFeeBps,
        address feeRecipient
    ) external;

    /**
     * @notice Locks `amount` FLOCK (pulled with `transferFrom`) for `duration` seconds and mints
     * `previewLock(amount, duration)` gmFLOCK to the caller.
     * @return lockId the new lock's id, sequential per account from 0.
     */
    function lock(uint256 amount, uint256 duration) external returns (uint256 lockId);

    /**
     * @notice Locks `amount` FLOCK, pulled from the caller with `transferFrom`, for `account`, for
     * the current maximum lock duration, and mints `previewLock(amount, maxDuration)` gmFLOCK to
     * `account`: how FLOCK seized by a slash is paid to its recipients (decision 195) without ever
     * being liquid before the end of any lock it could have come from.
     * @dev Only `LOCKER_ROLE` (the FL Alliance round contract).
     * @param account the lock's owner.
     * @param amount FLOCK to lock.
     * @return lockId the new lock's id in `account`'s sequence.
     */
    function lockFor(address account, uint256 amount) external returns (uint256 lockId);

    /// @notice `lock` with an EIP-2612 permit for the FLOCK, in one transaction.
    function lockWithPermit(uint256 amount, uint256 duration, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint256 lockId);

    /**
     * @notice Ends an expired lock: burns its gmFLOCK and sends its FLOCK, less the withdrawal fee,
     * to the caller. Reverts if the remaining balance would fall below the allocated stake.
     * @return amount FLOCK sent to the caller, after the fee.
     */
    function unlock(uint256 lockId) external returns (uint256 amount);

    /**
     * @notice Moves a lock's end to now + `duration` (must be later than the current end) and
     * re-boosts it from that remaining duration: its gmFLOCK becomes amount * boost(duration),
     * minted or burned from the current value. A burn that would leave the balance below the
     * allocated stake reverts with `GmFlockStakeAllocated`.
     * @return gm the lock's gmFLOCK after the extension.
     */
    function extend(uint256 lockId, uint256 duration) external returns (uint256 gm);

    /**
     * @notice Removes an expired lock's boost (anyone may call it, as Curve's gauges allow): the
     * lock's gmFLOCK above its FLOCK amount (1x) is burned, with its votes, up to the account's
     * unallocated gmFLOCK; boost that tasks hold stays until they release it, then can be kicked.
     * Reverts with `GmFlockLockNotExpired` before the lock's end and `GmFlockNothingToKick` when
     * nothing can be removed.
     * @return removed the gmFLOCK burned.
     */
    function kick(address account, uint256 lockId) external returns (uint256 removed);

    // ------------------------------------------------------------------------------ privileged hooks

    /// @notice Allocates `amount` of `account`'s unallocated gmFLOCK to tasks. Only `STAKE_MANAGER_ROLE`.
    function allocate(address account, uint256 amount) external;

    /// @notice Releases `amount` of `account`'s allocation. Only `STAKE_MANAGER_ROLE`.
    function release(address account, uint256 amount) external;

    /**
     * @notice Slashes `gmAmount` of `account`'s allocated gmFLOCK (the allocation shrinks by the
     * same amount). All the account's locks shrink pro rata, in O(1). The matching FLOCK,
     * floor(locked * gmAmount / balance), goes to `to`, or is burned when `to` is zero.
     * Only `SLASHER_ROLE`.
     * @return flock_ the FLOCK seized.
     */
    function slash(address account, uint256 gmAmount, address to) external returns (uint256 flock_);

    /// @notice Sets the boost parameters for new locks (t0, t1 in seconds; eps scaled by 1e18).
    /// Only `DEFAULT_ADMIN_ROLE`.
    function setBoostParameters(uint256 boostFloor, uint256 boostHorizon, uint256 boostEpsilon) external;

    /// @notice Sets the bounds on new lock durations. Only `DEFAULT_ADMIN_ROLE`.
    function setLockDurationBounds(uint256 minDuration, uint256 maxDuration) external;

    /// @notice Sets the withdrawal fee (basis points) and its recipient (zero burns it).
    /// Only `DEFAULT_ADMIN_ROLE`.
    function setWithdrawalFee(uint256 feeBps, address recipient) external;

    // ----------------------------------------------------------------------------------------- views

    /// @notice The FLOCK token locked here.
    function flock() external view returns (IFlockToken);

    /// @notice Boost for a lock of `duration` seconds under the current parameters, scaled by 1e18.
    function boost(uint256 duration) external view returns (uint256);

    /// @notice gmFLOCK a lock of `amount` for `duration` would mint now.
    function previewLock(uint256 amount, uint256 duration) external view returns (uint256);

    /// @notice Current boost parameters: t0 and t1 in seconds, eps scaled by 1e18.
    function boostParameters() external view returns (uint256 boostFloor, uint256 boostHorizon, uint256 boostEpsilon);

    /// @notice Current bounds on lock durations, in seconds.
    function lockDurationBounds() external view returns (uint256 minDuration, uint256 maxDuration);

    /// @notice Current withdrawal fee in basis points and its recipient (zero: burned).
    function withdrawalFee() external view returns (uint256 feeBps, address recipient);

    /// @notice FLOCK the contract owes `account` across all its locks (after slashing).
    function lockedOf(address account) external view returns (uint256);

    /// @notice gmFLOCK of `account` allocated to tasks.
    function allocatedOf(address account) external view returns (uint256);

    /// @notice Number of lock ids ever created by `account` (ids are 0 .. lockCount - 1).
    function lockCount(address account) external view returns (uint256);

    /// @notice Number of `account`'s locks still holding FLOCK.
    function activeLockCount(address account) external view returns (uint256);

    /// @notice One lock, with current (post-slash) amounts.
    function lockInfo(address account, uint256 lockId) external view returns (LockInfo memory);

    /// @notice Up to `limit` locks of `account` with ids from `offset`, in id order.
    function locksOf(address account, uint256 offset, uint256 limit) external view returns (LockInfo[] memory);

    /// @notice Number of vote checkpoints of `account`.
    function numCheckpoints(address account) external view returns (uint256);

    /// @notice The vote checkpoint of `account` at position `pos` (0 = oldest).
    function checkpoints(address account, uint256 pos) external view returns (uint48 timepoint, uint256 votes);

    // ------------------------------------------------------------------- roles and hard bounds

    /// @notice Role of the task registry: allocates and releases stake.
    function STAKE_MANAGER_ROLE() external view returns (bytes32);
    /// @notice Role of the contracts that punish misbehaviour: slashes allocated stake.
    function SLASHER_ROLE() external view returns (bytes32);
    /// @notice Role of the contracts that pay FLOCK out as locks (`lockFor`): the FL Alliance rounds.
    function LOCKER_ROLE() external view returns (bytes32);
    /// @notice Largest boost epsilon a governance change may set (1e18 = 1).
    function MAX_BOOST_EPSILON() external view returns (uint256);
    /// @notice Shortest minimum lock duration a governance change may set (seconds).
    function MIN_LOCK_DURATION_BOUND() external view returns (uint256);
    /// @notice Longest maximum lock duration a governance change may set (seconds).
    function MAX_LOCK_DURATION_BOUND() external view returns (uint256);
    /// @notice Highest withdrawal fee a governance change may set (basis points).
    function MAX_WITHDRAWAL_FEE_BPS() external view returns (uint256);

    /// @notice The next nonce a `delegateBySig` signature of `owner` must carry.
    function nonces(address owner) external view returns (uint256);
}
