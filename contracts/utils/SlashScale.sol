// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/**
 * @title SlashScale
 * @dev Pro-rata slashing in O(1): instead of touching every position a slash reaches, a holder of
 * many positions (gmFLOCK's locks of one account, a delegation pool's delegations) keeps a scale,
 * `ONE` (1e36) when untouched. A slash that leaves `remaining` of `total` multiplies the scale by
 * `remaining / total`, rounded down; a position recorded at one scale is worth
 * `stored * scaleNow / scaleThen` at another, rounded down, so the positions never add up to more
 * than the holder's totals. gmFLOCK voids an account's locks when a slash takes all it has; a
 * delegation pool stops recording slashes after `MAX_POOL_SLASHES` (its delegations' share waived).
 *
 * Used by {GmFlock} (`slash`, a lock's current value) and by {TaskRegistry}'s delegation pools
 * ({DelegationPool}): the arithmetic is stated here once. audit/proofs/SlashProofs.t.sol proves the
 * rounding argument on these formulas (restated without `Math.mulDiv`, whose 512-bit branch no
 * solver refutes).
 */
library SlashScale {
    /// @dev The scale of an account or pool never slashed: nothing lost.
    uint256 internal constant ONE = 1e36;

    /// @dev The scale after a slash that leaves `remaining` of `total` at scale `scale`, rounded
    /// down (`total` > 0, `remaining` <= `total`).
    function shrink(uint256 scale, uint256 remaining, uint256 total) internal pure returns (uint256) {
        return Math.mulDiv(scale, remaining, total);
    }

    /// @dev The fraction of `ONE` a slash of `taken` out of `total` keeps, rounded down.
    /// Precondition, the caller's to honour: `total` > 0 and `taken` <= `total`; otherwise it panics
    /// (division by zero, underflow) rather than returning a fraction. {DelegationPool-slash} passes
    /// the pool's value, which {TaskRegistry} guarantees: it slashes a pool only for a nonzero share
    /// (`poolGm`, which is nonzero only if the pool is, and at most the pool's value).
    function keep(uint256 total, uint256 taken) internal pure returns (uint256) {
        return Math.mulDiv(ONE, total - taken, total);
    }

    /// @dev `value` with the fraction `fraction` (scaled by `ONE`) kept, rounded down.
    function scaled(uint256 value, uint256 fraction) internal pure returns (uint256) {
        return Math.mulDiv(value, fraction, ONE);
    }

    /// @dev `value`, recorded at scale `scaleThen`, at scale `scaleNow`, rounded down.
    function rebase(uint256 value, uint256 scaleNow, uint256 scaleThen) internal pure returns (uint256) {
        return Math.mulDiv(value, scaleNow, scaleThen);
    }

    /// @dev A total that must cover the positions after a slash that leaves `remaining` of `total`:
    /// `value` pro rata, rounded up (so the holder's totals are never below its positions).
    function remainingCeil(uint256 value, uint256 remaining, uint256 total) internal pure returns (uint256) {
        return Math.mulDiv(value, remaining, total, Math.Rounding.Ceil);
    }
}
