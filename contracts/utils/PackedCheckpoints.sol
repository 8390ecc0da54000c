// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/**
 * @title PackedCheckpoints
 * @dev A history of (timepoint, value) checkpoints, like OpenZeppelin's `Checkpoints.Trace208`,
 * laid out so that an account's first checkpoint costs one storage slot instead of two.
 *
 * OpenZeppelin's trace is a dynamic array: its length slot plus one slot per checkpoint, so the
 * first checkpoint writes two fresh slots (about 44,200 gas). Here the latest checkpoint lives in
 * a head slot together with the number of checkpoints, and only older checkpoints spill into a
 * mapping (the same idea as solady's ERC20Votes, which keeps the first checkpoint in the length
 * slot):
 *
 *     head:          [ length: 48 bits | key: 48 bits | value: 160 bits ]   (latest checkpoint)
 *     history[i]:    [ zero: 48 bits   | key: 48 bits | value: 160 bits ]   (checkpoint i < length-1)
 *
 * A push at a new timepoint moves the head into `history[length - 1]` (one new slot) and rewrites
 * the head in place; a push at the head's timepoint rewrites the head only. Reading the latest
 * value, the common case, is one `SLOAD`. Values are capped at 2^160 - 1 (`SafeCast` reverts
 * above), far beyond the 6e27 maximum of gmFLOCK.
 *
 * Gas that holds between estimate and inclusion: a push at a new key writes a fresh slot, a push at the
 * head's key does not, so an `eth_estimateGas` run in the block that wrote the head would fall
 * about 20,000 gas short for the same transaction mined one second later. A trace's first push in
 * a transaction at the head's key therefore sets and clears that fresh slot (`_chargeNewSlot`):
 * the peak gas of both paths is the same and nearly all of it is refunded on the old path.
 *
 * Look-ups return the value of the last checkpoint whose key is at or before the timepoint, as
 * `Checkpoints.upperLookupRecent` does, with the same square-root probe for recent timepoints.
 */
library PackedCheckpoints {
    struct Trace {
        uint256 head;
        mapping(uint256 index => uint256) history;
    }

    /// @dev A checkpoint was pushed with a key lower than the latest one.
    error PackedCheckpointsUnorderedInsertion(uint48 key, uint48 latestKey);

    /// @dev `at` was asked for a position past the last checkpoint.
    error PackedCheckpointsOutOfRange(uint256 pos, uint256 length);

    uint256 private constant _VALUE_BITS = 160;
    uint256 private constant _KEY_VALUE_BITS = 208;
    uint256 private constant _VALUE_MASK = (1 << _VALUE_BITS) - 1;
    uint256 private constant _KEY_VALUE_MASK = (1 << _KEY_VALUE_BITS) - 1;

    /**
     * @dev Sets the value at `key` (the current timepoint), keeping the history of earlier keys.
     * Returns the previous latest value and the new one.
     */
    function push(Trace storage self, uint48 key, uint256 value) internal returns (uint256 oldValue, uint256 newValue) {
        uint256 head = self.head;
        _write(self, head, key, value);
        return (head & _VALUE_MASK, value);
    }

    /// @dev Adds `delta` to the latest value at `key`. Returns the previous and the new value.
    function add(Trace storage self, uint48 key, uint256 delta) internal returns (uint256 oldValue, uint256 newValue) {
        uint256 head = self.head;
        oldValue = head & _VALUE_MASK;
        newValue = oldValue + delta;
        _write(self, head, key, newValue);
    }

    /// @dev Subtracts `delta` from the latest value at `key` (panics below zero). Returns the
    /// previous and the new value.
    function sub(Trace storage self, uint48 key, uint256 delta) internal returns (uint256 oldValue, uint256 newValue) {
        uint256 head = self.head;
        oldValue = head & _VALUE_MASK;
        newValue = oldValue - delta;
        _write(self, head, key, newValue);
    }

    /// @dev The latest value, or zero if there is no checkpoint.
    function latest(Trace storage self) internal view returns (uint256) {
        return self.head & _VALUE_MASK;
    }

    /// @dev The number of checkpoints.
    function length(Trace storage self) internal view returns (uint256) {
        return self.head >> _KEY_VALUE_BITS;
    }

    /// @dev The checkpoint at `pos` (0 = oldest).
    function at(Trace storage self, uint256 pos) internal view returns (uint48 key, uint256 value) {
        uint256 head = self.head;
        uint256 len = head >> _KEY_VALUE_BITS;
        if (pos >= len) revert PackedCheckpointsOutOfRange(pos, len);
        uint256 packed = pos == len - 1 ? head : self.history[pos];
        return (uint48(packed >> _VALUE_BITS), packed & _VALUE_MASK);
    }

    /**
     * @dev The value of the last checkpoint with key <= `key`, or zero if there is none.
     * Optimised for recent keys: the head is checked first, then a square-root probe narrows the
     * binary search to the most recent entries.
     */
    function upperLookupRecent(Trace storage self, uint48 key) internal view returns (uint256) {
        uint256 head = self.head;
        uint256 len = head >> _KEY_VALUE_BITS;
        if (len == 0) return 0;
        if (uint48(head >> _VALUE_BITS) <= key) return head & _VALUE_MASK;

        // Search the spilled history: indices [0, len - 1).
        uint256 low = 0;
        uint256 high = len - 1;
        if (high > 5) {
            uint256 mid = high - Math.sqrt(high);
            if (key < _keyAt(self, mid)) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        // First index in [low, high) whose key is greater than `key`.
        while (low < high) {
            uint256 mid = Math.average(low, high);
            if (_keyAt(self, mid) > key) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return high == 0 ? 0 : self.history[high - 1] & _VALUE_MASK;
    }

    function _write(Trace storage self, uint256 head, uint48 key, uint256 value) private {
        uint256 len = head >> _KEY_VALUE_BITS;
        uint256 packedValue = SafeCast.toUint160(value);
        bool firstInTx = _firstWriteInTx(self);
        if (len != 0) {
            uint48 lastKey = uint48(head >> _VALUE_BITS);
            if (key < lastKey) revert PackedCheckpointsUnorderedInsertion(key, lastKey);
            if (key == lastKey) {
                if (firstInTx) _chargeNewSlot(self, len - 1);
                self.head = (head & ~_VALUE_MASK) | packedValue;
                return;
            }
            self.history[len - 1] = head & _KEY_VALUE_MASK;
        }
        self.head = ((len + 1) << _KEY_VALUE_BITS) | (uint256(key) << _VALUE_BITS) | packedValue;
    }

    /**
     * @dev Whether this is the trace's first write in the current transaction (a transient flag at
     * the trace's own slot number; transient storage is separate from storage and cleared after
     * every transaction).
     */
    function _firstWriteInTx(Trace storage self) private returns (bool first) {
        assembly ("memory-safe") {
            let slot := self.slot
            first := iszero(tload(slot))
            if first { tstore(slot, 1) }
        }
    }

    /**
     * @dev Makes a write at the latest key cost, until the end of the transaction, what a write at a
     * new key costs: `history[pos]` (empty: the slot a new key would spill the head into) is set
     * and cleared again. The clearing refunds almost all of it, but the gas must be there while the
     * transaction runs, so `eth_estimateGas` run in the block that wrote the latest key (same
     * timestamp) returns enough for the transaction mined at a later timestamp, which spills the
     * head into that fresh slot. Only a trace's first write in a transaction does this: its later
     * writes in the same transaction are at the same key whatever the block's timestamp.
     */
    function _chargeNewSlot(Trace storage self, uint256 pos) private {
        mapping(uint256 => uint256) storage history = self.history;
        assembly ("memory-safe") {
            mstore(0x00, pos)
            mstore(0x20, history.slot)
            let slot := keccak256(0x00, 0x40)
            sstore(slot, 1)
            // A branch between the two writes: the optimizer removes a store overwritten in the
            // same basic block, which would drop the charge. gas() is never zero here.
            if iszero(gas()) { revert(0, 0) }
            sstore(slot, 0)
        }
    }

    function _keyAt(Trace storage self, uint256 pos) private view returns (uint48) {
        return uint48(self.history[pos] >> _VALUE_BITS);
    }
}
