// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {MerkleProofLib} from "solady/utils/MerkleProofLib.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {IRewardPot} from "../../interfaces/IRewardPot.sol";

/**
 * @title RewardPot
 * @dev The escrow of one final reward root (see {IRewardPot}). This contract is the implementation:
 * the RewardDistributor creates it once, in its constructor, and clones it for every root that
 * finalizes (OpenZeppelin {Clones-cloneDeterministicWithImmutableArgs}, salt `taskId << 128 | epoch`),
 * funding each clone with exactly its root's total. A clone is the 45-byte minimal proxy followed by
 * its root and terms (76 bytes of code, no storage written), so finalizing costs a clone's deployment,
 * not this contract's code; the root and terms are code, read with one `EXTCODECOPY` of the clone's
 * own (warm) code per call, never from storage.
 *
 * Immutable arguments (the clone's code from offset 0x2d, as {Clones-fetchCloneArgs} returns them):
 *
 *     [ root: 256 ]
 *     [ lockedShareBps: 16 | vestingStart: 40 | vestingPeriod: 40 | taskId << 128 | epoch: 256 ... ]
 *
 * The first 64 bytes (root, then the vesting terms in the top 96 bits of the second word) are all a
 * claim reads. The token and the distributor are this contract's own immutables, shared by every
 * clone through DELEGATECALL.
 *
 * Nothing to initialize, so nothing to front-run: a clone is complete when created, its address
 * fixes its root and terms (they are part of its CREATE2 init code), and only the distributor can
 * create at the distributor's CREATE2 addresses. This implementation itself refuses every call of
 * the pot's (`RewardPotNotAClone`): it holds nothing and has no root. Anyone may clone it elsewhere
 * with terms of their own; such a copy pays out only what someone sends it, and the distributor
 * never routes to it (its `potOf` is the registry of genuine pots).
 *
 * Storage (of each clone):
 *
 *     _CLAIMED + w   bitmap word w: bit i is leaf 256 w + i (plain slots from a hashed base: no
 *                    hashing per claim, no collision with the mapping below)
 *     _vesting[a]    [ locked: 128 | released: 128 ]  (roots with a locked share only)
 *
 * No owner, no privileged function: the distributor only creates and funds the clones.
 */
contract RewardPot is IRewardPot {
    using SafeERC20 for IFlockToken;

    struct Vesting {
        uint128 locked;
        uint128 released;
    }

    IFlockToken private immutable _flock;
    address private immutable _distributor;
    address private immutable _self;

    uint256 private constant _BPS = 10_000;
    uint256 private constant _MAX_LEAVES = 2 ** 40;
    /// @dev keccak256("flock.RewardPot.claimed"): the first slot of the claimed bitmap.
    uint256 private constant _CLAIMED = 0x03835983c09a6e70cf3162a68d61c925850576003337869e926ecc6c4cd2e1b2;
    /// @dev Where a clone's immutable arguments start in its code (after the 45-byte proxy).
    uint256 private constant _ARGS = 0x2d;
    uint256 private constant _MASK_40 = 0xffffffffff;

    mapping(address account => Vesting) private _vesting;

    /// @dev Only a clone runs the pot's functions; this contract itself has no root and holds nothing.
    modifier onlyClone() {
        if (address(this) == _self) revert RewardPotNotAClone();
        _;
    }

    /**
     * @param flock_ the token every clone pays (the distributor funds each clone after creating it).
     * The creator (the RewardDistributor) is every clone's distributor.
     */
    constructor(IFlockToken flock_) {
        _flock = flock_;
        _distributor = msg.sender;
        _self = address(this);
    }

    /// @inheritdoc IRewardPot
    function claim(uint256 index, address account, uint256 amount, bytes32[] calldata proof) external onlyClone {
        (bytes32 root, uint256 vesting) = _claimArgs();
        // Indices are 0..n-1; the bound keeps every bitmap word far from the vesting mapping's slots.
        if (index >= _MAX_LEAVES || !MerkleProofLib.verifyCalldata(proof, root, _leaf(index, account, amount))) {
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
        _flock.safeTransfer(account, vesting >> 240 == 0 ? amount : _lock(account, amount, vesting));
    }

    /// @inheritdoc IRewardPot
    function release(address account) external onlyClone returns (uint256 amount) {
        (, uint256 vesting) = _claimArgs();
        Vesting memory v = _vesting[account];
        uint256 vested = _vested(v.locked, vesting);
        if (vested <= v.released) revert RewardPotNothingToRelease(account);
        amount = vested - v.released;
        _vesting[account].released = uint128(vested);
        emit VestingReleased(account, amount);
        _flock.safeTransfer(account, amount);
    }

    /// @inheritdoc IRewardPot
    function isClaimed(uint256 index) external view onlyClone returns (bool claimed) {
        if (index >= _MAX_LEAVES) return false;
        uint256 slot = _CLAIMED + (index >> 8);
        assembly ("memory-safe") {
            claimed := and(shr(and(index, 0xff), sload(slot)), 1)
        }
    }

    /// @inheritdoc IRewardPot
    function vestingOf(address account)
        external
        view
        onlyClone
        returns (uint256 locked, uint256 released, uint256 releasable)
    {
        (, uint256 vesting) = _claimArgs();
        Vesting memory v = _vesting[account];
        return (v.locked, v.released, _vested(v.locked, vesting) - v.released);
    }

    /// @inheritdoc IRewardPot
    function terms()
        external
        view
        onlyClone
        returns (
            bytes32 root,
            uint256 taskId,
            uint256 epoch,
            uint256 lockedShareBps,
            uint256 vestingStart,
            uint256 vestingPeriod
        )
    {
        (root, lockedShareBps, vestingStart, vestingPeriod, taskId, epoch) =
            _decodeArgs(Clones.fetchCloneArgs(address(this)));
    }

    /// @inheritdoc IRewardPot
    function flock() external view returns (IFlockToken) {
        return _flock;
    }

    /// @inheritdoc IRewardPot
    function distributor() external view returns (address) {
        return _distributor;
    }

    /// @inheritdoc IRewardPot
    function implementation() external view returns (address) {
        return _self;
    }

    /// @dev The arguments as the distributor packs them (see the contract's documentation).
    function _decodeArgs(bytes memory args)
        private
        pure
        returns (
            bytes32 root,
            uint256 lockedShareBps,
            uint256 vestingStart,
            uint256 vestingPeriod,
            uint256 taskId,
            uint256 epoch
        )
    {
        uint256 vesting;
        uint256 key;
        assembly ("memory-safe") {
            root := mload(add(args, 0x20))
            vesting := mload(add(args, 0x40))
            key := mload(add(args, 0x4c)) // the 32 bytes after the 12 of the vesting terms
        }
        lockedShareBps = vesting >> 240;
        vestingStart = (vesting >> 200) & _MASK_40;
        vestingPeriod = (vesting >> 160) & _MASK_40;
        taskId = key >> 128;
        epoch = uint128(key);
    }

    /// @dev The root and the vesting word (lockedShareBps in its top 16 bits, then vestingStart and
    /// vestingPeriod, 40 bits each): the clone's first 64 bytes of arguments, one EXTCODECOPY of its
    /// own code into scratch space (the executing account is warm: 100 gas and 6 for two words).
    function _claimArgs() private view returns (bytes32 root, uint256 vesting) {
        assembly ("memory-safe") {
            extcodecopy(address(), 0x00, _ARGS, 0x40)
            root := mload(0x00)
            vesting := mload(0x20)
        }
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
    function _lock(address account, uint256 amount, uint256 vesting) private returns (uint256 paid) {
        uint256 locked = (amount * (vesting >> 240)) / _BPS;
        uint256 vested = _vested(locked, vesting);
        Vesting storage v = _vesting[account];
        v.locked += SafeCast.toUint128(locked);
        v.released += uint128(vested);
        emit VestingStarted(account, locked);
        return amount - locked + vested;
    }

    /// @dev How much of `locked` has vested by now: linearly from the vesting start over the period.
    /// Branch-free, so a claim costs the same gas in the vesting start's own second as after it: an
    /// `eth_estimateGas` made at one timestamp still covers the claim mined at a later one (an early
    /// return at the start used to make the estimate some 40 gas short; docs/decisions.md). A zero
    /// period only comes with a zero locked share (the distributor's bounds), and `div` by zero is 0.
    function _vested(uint256 locked, uint256 vesting) private view returns (uint256 vested) {
        assembly ("memory-safe") {
            let start := and(shr(200, vesting), _MASK_40)
            let period := and(shr(160, vesting), _MASK_40)
            let now_ := timestamp()
            // elapsed = max(now - start, 0), then min(elapsed, period), without a jump
            let elapsed := mul(gt(now_, start), sub(now_, start))
            elapsed := sub(elapsed, mul(gt(elapsed, period), sub(elapsed, period)))
            // locked < 2^128, elapsed <= period < 2^40: no overflow
            vested := div(mul(locked, elapsed), period)
        }
    }
}
