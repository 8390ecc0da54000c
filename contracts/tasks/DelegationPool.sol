// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SlashScale} from "../utils/SlashScale.sol";

/**
 * @title DelegationPool
 * @dev The gmFLOCK delegated to one operator (a node or validator) in one task, and its lazy
 * slashing; {TaskRegistry} keeps one pool per (task, operator) and the delegations in its member
 * records. docs/tasks.md walks through an example.
 *
 * A delegation answers for the offences committed while it backed its operator: from `since`
 * (when it was made) to its `exitAt` (when it stopped counting; no end while it counts), both
 * seconds included. Each slash of the pool records its offence time and the fraction `keep`
 * ({SlashScale}, 1e36 = all) it leaves of every delegation at risk, in O(1). A delegation records
 * the pool's slash count when it last synced; a sync walks the pool's slashes since then (at most
 * the registry's MAX_POOL_SLASHES, a bound on the pool, not on its delegators) and applies those
 * whose offence falls in its window.
 *
 * The pool's totals (`active`, `exiting`) are booked at the slash as if every delegation were at
 * risk: they shrink by `keep`, rounded down. A delegation's "book" value (every slash applied) is
 * therefore never above its exact value (only the slashes in its window applied), and a sync gives
 * the difference back ({restore}). Because each value rounds down, the book values of a pool's
 * delegations never add up to more than its totals; the totals only move by amounts individually
 * bounded by them (subtractions saturate at zero for the last wei), so no one is owed more than
 * exists.
 *
 *     pool       [ active: 96 | exiting: 96 | slashes: 32 ]   values of the counting and the leaving
 *                [ allocated: 96 | delegators: 32 ]          gmFLOCK behind the delegations
 *     history[k] [ offenceAt: 40 | keep: 128 ]               the pool's k-th slash (k from 1)
 *
 * The functions return what the task's own totals must follow (the registry books the active
 * value as its operator's delegated stake for emissions).
 */
library DelegationPool {
    struct Pool {
        uint96 active;
        uint96 exiting;
        uint32 slashes;
        uint96 allocated;
        uint32 delegators;
    }

    /// @dev One slash of a pool: the offence time and the fraction left, scaled by `SlashScale.ONE`.
    struct Slash {
        uint40 offenceAt;
        uint128 keep;
    }

    /// @dev Adds `amount` to the pool's counting value and allocation; `newDelegator`: a new
    /// delegation (not a top-up).
    function deposit(Pool storage pool, uint256 amount, bool newDelegator) internal {
        pool.active += SafeCast.toUint96(amount);
        pool.allocated += uint96(amount);
        if (newDelegator) pool.delegators += 1;
    }

    /// @dev Moves a delegation worth `value` from counting to leaving. Returns the counting value
    /// it took (`value`, or what is left for the last wei).
    function leave(Pool storage pool, uint256 value) internal returns (uint256 moved) {
        uint256 active = pool.active;
        moved = Math.min(value, active);
        pool.active = uint96(active - moved);
        pool.exiting += uint96(value);
    }

    /// @dev Takes a delegation worth `value` out of the pool (its release); `exiting`: it had left.
    /// Returns the counting value it took (zero if it had left).
    function withdraw(Pool storage pool, uint256 value, bool exiting) internal returns (uint256 moved) {
        if (exiting) {
            uint256 leaving = pool.exiting;
            pool.exiting = uint96(leaving - Math.min(value, leaving));
        } else {
            uint256 active = pool.active;
            moved = Math.min(value, active);
            pool.active = uint96(active - moved);
        }
        pool.allocated -= uint96(value);
        pool.delegators -= 1;
    }

    /// @dev Records a slash of `taken` out of the pool worth `pooled` (active + exiting) for an
    /// offence at `offenceAt`, in O(1): the totals shrink as if every delegation were at risk.
    /// Returns the counting value lost.
    ///
    /// Preconditions, the caller's to honour (none is checked here):
    /// - the pool's slash count is below the caller's cap: the count is incremented without a check
    ///   (a `uint32`), and {valueOf} walks up to it, so the cap bounds every later sync. The registry
    ///   stops recording slashes at `MAX_POOL_SLASHES` (`_MAX_POOL_SLASHES` in {TaskRegistryStorage},
    ///   checked in `_takeStake` before it calls this; beyond it the delegations' share is waived);
    /// - 0 < `taken` <= `pooled` and `pooled` = `active` + `exiting` ({SlashScale-keep} panics
    ///   otherwise);
    /// - `offenceAt` fits 40 bits (a timestamp).
    function slash(
        Pool storage pool,
        mapping(uint256 k => Slash) storage history,
        uint256 pooled,
        uint256 taken,
        uint256 offenceAt
    ) internal returns (uint256 activeLoss) {
        Pool memory p = pool;
        uint256 slashes = uint256(p.slashes) + 1;
        uint256 keep = SlashScale.keep(pooled, taken);
        history[slashes] = Slash(uint40(offenceAt), uint128(keep));
        uint256 active = SlashScale.scaled(p.active, keep);
        activeLoss = p.active - active;
        pool.active = uint96(active);
        pool.exiting = uint96(SlashScale.scaled(p.exiting, keep));
        pool.slashes = uint32(slashes);
    }

    /// @dev What a delegation of `stake`, at risk over [since, exitAt] (exitAt zero: still
    /// counting), last synced at slash `synced`, is worth after the pool's `slashes` slashes:
    /// `value` with the slashes in its window applied, `book` with all of them (book <= value).
    ///
    /// Preconditions, the caller's to honour: `slashes` is the pool's slash count and `synced` <=
    /// `slashes`. The loop runs `slashes - synced` times and reads one history slot each: its cost
    /// is bounded only by the cap the caller keeps on the pool's slashes (see {slash}; the registry's
    /// `MAX_POOL_SLASHES`, 32), not by anything checked here.
    function valueOf(
        mapping(uint256 k => Slash) storage history,
        uint256 slashes,
        uint256 stake,
        uint256 since,
        uint256 exitAt,
        uint256 synced
    ) internal view returns (uint256 value, uint256 book) {
        value = stake;
        book = stake;
        uint256 end = exitAt == 0 ? type(uint256).max : exitAt;
        for (uint256 k = synced + 1; k <= slashes; ++k) {
            Slash memory s = history[k];
            book = SlashScale.scaled(book, s.keep);
            if (s.offenceAt >= since && s.offenceAt <= end) value = SlashScale.scaled(value, s.keep);
        }
    }

    /// @dev Gives back to the pool's totals what they booked for a delegation outside a slash's
    /// window, and forgets its `loss` (slashed from its owner's gmFLOCK by the registry).
    function settle(Pool storage pool, bool exiting, uint256 restored, uint256 loss) internal {
        if (restored != 0) {
            if (exiting) {
                pool.exiting += uint96(restored);
            } else {
                pool.active += uint96(restored);
            }
        }
        if (loss != 0) pool.allocated -= uint96(loss);
    }
}
