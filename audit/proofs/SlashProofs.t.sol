// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title SlashProofs
 * @notice INV-02 and INV-07 (Halmos, `make prove`) for the slash arithmetic of GmFlock, as pure
 * arithmetic over the formulas of contracts/utils/SlashScale.sol, the one library GmFlock and the
 * registry's delegation pools use (`shrink`, `remainingCeil`: the totals shrink pro rata, FLOCK
 * rounded up; `rebase`, `scaled`: each lock's worth through the slash scale), restated here without
 * `Math.mulDiv` (see below): for every slash of six accounts, the
 * FLOCK seized is what leaves the total, the total is kept pro rata rounded up (so the contract
 * never owes more than it holds), and the locks' current values never add up to more than the
 * account's totals. On the deployed contract, with the slash symbolic, halmos also explores
 * Math.mulDiv's 512-bit branch, which no solver here refutes (docs/audit.md, "Symbolic proofs");
 * the contract's own slashes are checked by the staking property machine (INV-02, INV-07).
 */
contract SlashProofs {
    /// @dev INV-02 and INV-07, the slash arithmetic of `GmFlock.slash` and `_currentValue` (pure):
    /// an account of total L FLOCK and B gmFLOCK in two locks (a, ga) and (L - a, B - ga), slashed
    /// s gmFLOCK (any 0 < s <= B), keeps ceil(L (B - s) / B) FLOCK (pro rata, rounded up, so the
    /// contract never owes more than it holds: seized = L - that <= L), its scale falls to
    /// floor(1e36 (B - s) / B) (below 1e18 every lock is voided), and each lock is then worth
    /// floor(amount x scale / 1e36): the two locks together never more than the account's totals.
    /// Six accounts (amounts from 1 wei to 10^9 FLOCK, boosts from 1 to 3.19). The input is what
    /// the slash leaves, `remaining` = B - s (a uint96, as every gmFLOCK figure is): one remaining
    /// per slash, so every slash is covered, and the solver's arithmetic has no wrap-around.
    function check_inv02_inv07_slash_is_pro_rata_and_locks_stay_within_the_totals(uint8 account, uint96 left)
        public
        pure
    {
        (uint256 locked, uint256 balance, uint256 a, uint256 ga) = _account(account % 6);
        uint256 remaining = left;
        if (remaining >= balance) return; // slash refuses zero (and more than the allocation <= B)
        uint256 lockedAfter = (locked * remaining + balance - 1) / balance; // mulDiv, Rounding.Ceil
        assert(lockedAfter <= locked); // seized = locked - lockedAfter >= 0
        assert(lockedAfter * balance >= locked * remaining); // rounded up ...
        assert(lockedAfter * balance < locked * remaining + balance); // ... by less than one
        uint256 scale = (1e36 * remaining) / balance;
        if (scale < 1e18) return; // wipe-out: every lock voided, worth nothing
        uint256 first = (a * scale) / 1e36;
        uint256 second = ((locked - a) * scale) / 1e36;
        assert(first + second <= lockedAfter); // INV-02: the locks within the total FLOCK
        assert((ga * scale) / 1e36 + ((balance - ga) * scale) / 1e36 <= remaining); // and gmFLOCK
    }

    function _pair(uint8 pair) internal pure returns (uint256, uint256) {
        return pair % 3 == 0
            ? (1 ether, 250_000 ether)
            : (pair % 3 == 1 ? (4_321 ether, 4_321 ether) : (1_000 ether + 7, 99_999 ether));
    }

    /// @dev (locked, balance, first lock's FLOCK, first lock's gmFLOCK) of six accounts.
    function _account(uint256 i) internal pure returns (uint256, uint256, uint256, uint256) {
        if (i == 0) return (250_001 ether, 752_501 ether, 1 ether, 1 ether);
        if (i == 1) return (8_642 ether, 8_642 ether * 3, 4_321 ether, 4_321 ether);
        if (i == 2) return (2, 5, 1, 1);
        if (i == 3) return (1_000_000_000 ether, 3_190_000_000 ether, 999_999_999 ether, 999_999_999 ether);
        if (i == 4) return (1_000 ether + 7, 1_000 ether + 7, 1_000 ether, 1_000 ether);
        return (101_000 ether + 7, 317_190 ether + 13, 1_000 ether + 7, 1_000 ether + 7);
    }
}
