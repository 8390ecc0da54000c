// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LibBit} from "solady/utils/LibBit.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IAllianceRounds} from "../../interfaces/IAllianceRounds.sol";
import {AllianceRoundsStorage, DUPLICATE, POSTED, REVEALED, SEEDED} from "./AllianceRoundsStorage.sol";

/**
 * @title SettlementRules
 * @dev What a finalized FL Alliance round means for each participant, read against `assess` and
 * `split_seized` in flock/alliance/protocol.py (same names, same arithmetic): the slash reason and
 * amount, whether the participant shares the honest pot, whether it is paid the round reward, and
 * how the FLOCK seized splits between the finalizer and the honest participants. Views only: the
 * settlement module {AllianceSettlement} executes what these rules decide, and AllianceRounds'
 * `settlementOf` shows it.
 */
library SettlementRules {
    uint256 internal constant BPS = 10_000;

    /// @dev The verdict on one entry of a finalized round (the Python model's `Verdict`): the slash
    /// reason and amount (gmFLOCK), whether it shares the honest pot, whether it is paid the reward.
    function assess(AllianceRoundsStorage.Round storage r, AllianceRoundsStorage.Entry memory e)
        internal
        view
        returns (IAllianceRounds.SlashReason reason, uint256 slashGm, bool honest, bool rewarded)
    {
        IAllianceRounds.Outcome outcome = r.outcome;
        uint256 bps;
        if (e.status != SEEDED) {
            (reason, bps) = (IAllianceRounds.SlashReason.SeedWithheld, r.absentSlashBps);
        } else if (outcome == IAllianceRounds.Outcome.NotDrawn) {
            honest = true;
        } else if (e.slot != 0) {
            if (e.flags & POSTED == 0) {
                (reason, bps) = (IAllianceRounds.SlashReason.NoProposal, r.absentSlashBps);
            } else if (e.flags & DUPLICATE != 0) {
                return (reason, 0, false, false); // an earlier committer's update: nothing either way
            } else if (outcome != IAllianceRounds.Outcome.Decided) {
                honest = true; // no quorum: nobody judged the proposal
            } else if (r.acceptedMask & (1 << (e.slot - 1)) != 0) {
                (honest, rewarded) = (true, true);
            } else {
                (reason, bps) = (IAllianceRounds.SlashReason.Rejected, r.proposerSlashBps);
            }
        } else if (outcome == IAllianceRounds.Outcome.NoProposals) {
            honest = true; // nothing to vote on
        } else if (e.flags & REVEALED == 0) {
            (reason, bps) = (IAllianceRounds.SlashReason.NoVote, r.absentSlashBps);
        } else if (outcome != IAllianceRounds.Outcome.Decided) {
            honest = true;
        } else {
            uint256 losing = LibBit.popCount((e.votes ^ r.acceptedMask) & r.postedMask);
            if (losing == 0) {
                honest = true;
            } else {
                reason = IAllianceRounds.SlashReason.LosingVote;
                return (reason, Math.mulDiv(e.stake, uint256(r.voterSlashBps) * losing, BPS * r.posted), false, false);
            }
        }
        slashGm = (uint256(e.stake) * bps) / BPS;
    }

    /// @dev (to the honest participants, to the finalizer) of `seized` FLOCK.
    function splitSeized(uint256 seized, uint256 finalizerBps)
        internal
        pure
        returns (uint256 toHonest, uint256 toFinalizer)
    {
        toFinalizer = (seized * finalizerBps) / BPS;
        toHonest = seized - toFinalizer;
    }

    /// @dev An accepted proposer's part of the round reward: pro rata of the accepted proposers' stake.
    function rewardShare(AllianceRoundsStorage.Round storage r, uint256 stake) internal view returns (uint256) {
        uint256 acceptedStake = r.acceptedStake;
        return acceptedStake == 0 ? 0 : Math.mulDiv(r.reward, stake, acceptedStake);
    }

    /// @dev An honest participant's part of the honest pot (so far): pro rata of the honest stake.
    function honestShare(AllianceRoundsStorage.Round storage r, uint256 stake) internal view returns (uint256) {
        uint256 honestStake = r.honestStake;
        return honestStake == 0 ? 0 : Math.mulDiv(r.honestPot, stake, honestStake);
    }
}
