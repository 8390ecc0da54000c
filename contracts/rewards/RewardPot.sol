// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {MerkleProofLib} from "solady/utils/MerkleProofLib.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {IRewardPot} from "../../interfaces/IRewardPot.sol";

/**
 * @title RewardPot
 * @dev The escrow of one final reward root (see {IRewardPot}): created by the RewardDistributor when
 * the root finalizes, funded with exactly the root's total, claimed leaf by leaf.
 *
 * Why one contract per root: its root, task epoch and vesting terms are immutables, in its code, so
 * a claim reads one storage slot of its own (the bitmap word) where a shared contract would read the
 * root from storage too (2,100 gas more on every claim), and a root can never pay out more than its
 * own total, whatever its tree says: the pot holds nothing else.
 *
 * Storage:
 *
 *     _CLAIMED + w   bitmap word w: bit i is leaf 256 w + i (plain slots from a hashed base: no
 *                    hashing per claim, no collision with the mapping below)
 *     _vesting[a]    [ locked: 128 | released: 128 ]  (roots with a locked share only)
 *
 * No owner, no privileged function: the distributor only creates and funds it.
 */
contract RewardPot is IRewardPot {
    using SafeERC20 for IFlockToken;

    struct Vesting {
        uint128 locked;
        uint128 released;
    }

    uint256 private constant _BPS = 10_000;
    uint256 private constant _MAX_LEAVES = 2 ** 40;
    /// @dev keccak256("flock.RewardPot.claimed"): the first slot of the claimed bitmap.
    uint256 private constant _CLAIMED =
        0x03835983c09a6e70cf3162a68d61c925850576003337869e926ecc6c4cd2e1b2;

    IFlockToken private immutable _flock;
    address private immutable _distributor;
    bytes32 private immutable _root;
    uint256 private immutable _taskId;
    uint256 private immutable _epoch;
    uint256 private immutable _lockedShareBps;
    uint256 private immutable _vestingStart;
    uint256 private immutable _vestingPeriod;

    mapping(address account => Vesting) private _vesting;

    /**
     * @param flock_ the token the pot pays (the distributor funds it after creating it).
     * @param root_ the final root: OpenZeppelin standard leaves (uint256 index, address account, uint256 amount).
     * @param lockedShareBps_ share of each leaf that vests; zero: leaves pay in full.
     * @param vestingStart_ when vesting starts (the end of the root's challenge window).
     * @param vestingPeriod_ how long vesting takes.
     */
    constructor(
        IFlockToken flock_,
        bytes32 root_,
        uint256 taskId_,
        uint256 epoch_,
        uint256 lockedShareBps_,
        uint256 vestingStart_,
        uint256 vestingPeriod_
    ) {
        _flock = flock_;
        _distributor = msg.sender;
        _root = root_;
        _taskId = taskId_;
        _epoch = epoch_;
        _lockedShareBps = lockedShareBps_;
        _vestingStart = vestingStart_;
        _vestingPeriod = vestingPeriod_;
    }

    /// @inheritdoc IRewardPot
    function claim(uint256 index, address account, uint256 amount, bytes32[] calldata proof) external {
        // Indices are 0..n-1; the bound keeps every bitmap word far from the vesting mapping's slots.
        if (index >= _MAX_LEAVES || !MerkleProofLib.verifyCalldata(proof, _root, _leaf(index, account, amount))) {
            revert RewardPotInvalidProof(index, account, amount);
        }
        uint256 slot;
        unchecked {
            slot = _CLAIMED + (index >> 8); // index < 2^40: no overflow
        }
        uint256 bits;
        assembly ("memory-safe") {
            bits := sload(slot)
        }
        uint256 bit = 1 << (index & 0xff);
        if (bits & bit != 0) revert RewardPotAlreadyClaimed(index);
        assembly ("memory-safe") {
            sstore(slot, or(bits, bit))
        }
        emit Claimed(account, amount);
        _flock.safeTransfer(account, _lockedShareBps == 0 ? amount : _lock(account, amount));
    }

    /// @inheritdoc IRewardPot
    function release(address account) external returns (uint256 amount) {
        Vesting memory v = _vesting[account];
        uint256 vested = _vested(v.locked);
        if (vested <= v.released) revert RewardPotNothingToRelease(account);
        amount = vested - v.released;
        _vesting[account].released = uint128(vested);
        emit VestingReleased(account, amount);
        _flock.safeTransfer(account, amount);
    }

    /// @inheritdoc IRewardPot
    function isClaimed(uint256 index) external view returns (bool claimed) {
        if (index >= _MAX_LEAVES) return false;
        uint256 slot = _CLAIMED + (index >> 8);
        assembly ("memory-safe") {
            claimed := and(shr(and(index, 0xff), sload(slot)), 1)
        }
    }

    /// @inheritdoc IRewardPot
    function vestingOf(address account) external view returns (uint256 locked, uint256 released, uint256 releasable) {
        Vesting memory v = _vesting[account];
        return (v.locked, v.released, _vested(v.locked) - v.released);
    }

    /// @inheritdoc IRewardPot
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
        )
    {
        return (_root, _taskId, _epoch, _lockedShareBps, _vestingStart, _vestingPeriod);
    }

    /// @inheritdoc IRewardPot
    function flock() external view returns (IFlockToken) {
        return _flock;
    }

    /// @inheritdoc IRewardPot
    function distributor() external view returns (address) {
        return _distributor;
    }

    /// @dev The OpenZeppelin standard leaf: keccak256(keccak256(abi.encode(index, account, amount))),
    /// hashed in scratch memory (nothing allocated).
    function _leaf(uint256 index, address account, uint256 amount) private pure returns (bytes32 leaf) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, index)
            mstore(add(m, 0x20), account)
            mstore(add(m, 0x40), amount)
            mstore(0x00, keccak256(m, 0x60))
            leaf := keccak256(0x00, 0x20)
        }
    }

    /// @dev Locks the root's share of a leaf (a second leaf of the same account adds to it); returns
    /// what is paid now: the rest of the leaf and what of the locked share has vested already.
    function _lock(address account, uint256 amount) private returns (uint256 paid) {
        uint256 locked = (amount * _lockedShareBps) / _BPS;
        uint256 vested = _vested(locked);
        Vesting storage v = _vesting[account];
        v.locked += SafeCast.toUint128(locked);
        v.released += uint128(vested);
        emit VestingStarted(account, locked);
        return amount - locked + vested;
    }

    /// @dev How much of `locked` has vested by now: linearly from `_vestingStart` over `_vestingPeriod`.
    function _vested(uint256 locked) private view returns (uint256) {
        if (block.timestamp <= _vestingStart) return 0;
        uint256 elapsed = block.timestamp - _vestingStart;
        if (elapsed >= _vestingPeriod) return locked;
        return (locked * elapsed) / _vestingPeriod; // locked < 2^128, elapsed < period < 2^40: no overflow
    }
}
