// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VestingWallet} from "@openzeppelin/contracts/finance/VestingWallet.sol";
import {VestingWalletCliff} from "@openzeppelin/contracts/finance/VestingWalletCliff.sol";

/**
 * @title GenesisVesting
 * @dev One genesis allocation of FLOCK that must not vote at once: OpenZeppelin's `VestingWallet`
 * with `VestingWalletCliff`, unchanged. Nothing vests before `cliff()`; from then on the amount vested
 * is linear from `start()` to `end()` (at the cliff, the part accrued since the start vests at once).
 *
 * The deploy plan creates each wallet before the token, so that the token's constructor mints the
 * allocation straight into it (docs/deploy.md, "Genesis"). The wallet has no call of its own: its only
 * way to move tokens is `release`, which pays what has vested to its owner (the beneficiary). So FLOCK
 * inside it cannot be locked into gmFLOCK, delegated or voted with before it vests and is released;
 * once released it is the beneficiary's ordinary FLOCK. The beneficiary may hand the wallet (its
 * future releases) to another owner with `transferOwnership`.
 *
 * A `startTimestamp` of zero means the block in which the wallet is created. Clients use
 * {IGenesisVesting}.
 */
contract GenesisVesting is VestingWalletCliff {
    /**
     * @param beneficiary the owner, to whom `release` pays.
     * @param startTimestamp when vesting starts (unix seconds); 0: the creation block's timestamp.
     * @param durationSeconds from the start to the end of vesting.
     * @param cliffSeconds from the start to the cliff; at most `durationSeconds`.
     */
    constructor(address beneficiary, uint64 startTimestamp, uint64 durationSeconds, uint64 cliffSeconds)
        VestingWallet(beneficiary, startTimestamp == 0 ? uint64(block.timestamp) : startTimestamp, durationSeconds)
        VestingWalletCliff(cliffSeconds)
    {}
}
