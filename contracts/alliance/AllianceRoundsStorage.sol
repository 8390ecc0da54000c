// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IAllianceRounds} from "../../interfaces/IAllianceRounds.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";
import {EpochClock} from "../utils/EpochClock.sol";

/**
 * @title AllianceRoundsStorage
 * @dev The state of {AllianceRounds} and the settlement rules it shares with its settlement
 * module {AllianceSettlement}, which runs `settle` and `evict` by delegatecall on the same storage
 * (the two contracts together exceed the 24 KiB code limit). Both list this contract first among
 * their bases, so its variables take the same slots in both; neither declares state of its own.
 * docs/alliance.md describes the storage layout (AllianceRounds' NatSpec has the slot map).
 */
abstract contract AllianceRoundsStorage {
    // Hard bounds on the governance parameters (AllianceRounds publishes them).
    uint256 internal constant _MIN_PHASE = 1 minutes;
    uint256 internal constant _MAX_PHASE = 7 days;
    uint256 internal constant _MAX_DRAW_DELAY = 1 days;
    uint256 internal constant _MAX_PROPOSERS = 16;
    uint256 internal constant _MAX_PARTICIPANTS_BOUND = 1_000;
    uint256 internal constant _MAX_FINALIZER_BPS = 5_000;
    uint256 internal constant _MAX_EVICTION_ROUNDS = 16;

    uint256 internal constant _BPS = 10_000;

    // entry status
    uint8 internal constant _ENROLLED = 1;
    uint8 internal constant _SEEDED = 2;
    // entry flags
    uint8 internal constant _POSTED = 1;
    uint8 internal constant _COMMITTED = 2;
    uint8 internal constant _REVEALED = 4;
    uint8 internal constant _SLASH_SETTLED = 8;
    uint8 internal constant _REWARD_CREDITED = 16;
    uint8 internal constant _DUPLICATE = 32; // a proposer whose update an earlier committer proposed

    struct Entry {
        uint96 stake;
        uint96 honestCredited;
        uint8 status; // 0 none, _ENROLLED, _SEEDED
        uint8 slot; // proposer slot + 1; 0 for a voter
        uint16 votes;
        uint8 flags;
        uint8 order; // proposers: 1 + how many proposers committed before it
    }

    struct Round {
        // the clock and the outcome
        uint40 enrollEnd;
        uint40 seedEnd;
        uint40 drawAt;
        uint40 proposeEnd;
        uint40 proposalRevealEnd;
        uint40 commitEnd;
        IAllianceRounds.Outcome outcome;
        bool full; // enrollments reached the cap: a member may have been refused (no eviction clock)
        // counters and the rules the round opened with
        uint16 enrolled;
        uint16 seeded;
        uint8 proposers;
        uint8 posted;
        uint16 committed;
        uint16 revealed;
        uint16 postedMask;
        uint16 acceptedMask;
        uint16 minParticipants;
        uint8 proposerTarget;
        uint16 proposerSlashBps;
        uint16 voterSlashBps;
        uint16 absentSlashBps;
        uint16 finalizerBps;
        uint16 quorumBps;
        uint40 openedAt;
        // stakes (gmFLOCK) and FLOCK
        uint96 seededStake;
        uint96 voterStake;
        uint8 proposalsCommitted;
        uint96 revealedStake;
        uint96 postedStake;
        uint40 revealEnd;
        uint96 acceptedStake;
        uint96 honestStake;
        uint96 reward;
        uint96 rewardCredited;
        uint16 acceptedCount; // beside the reward: a proposer's credit reads and writes one slot
        uint16 rewardedCount;
        address finalizer;
        uint96 honestPot; // beside the finalizer: a slash reads the one and adds to the other
        bytes32 entropy;
        mapping(address account => Entry) entries;
        mapping(address account => bytes32) commitments;
        mapping(uint256 index => address) seededAt;
        mapping(uint256 slot => address) proposerAt;
        mapping(uint256 slot => bytes32) updateOf;
        mapping(bytes32 update => uint256) slotOfUpdate; // slot + 1
        mapping(uint256 slot => uint256) stakeFor;
        mapping(uint256 votes => uint256) stakeByVotes;
    }

    struct TaskBook {
        uint96 pool;
        uint32 rounds;
        uint32 nextDrawEpoch;
        bool started; // nextDrawEpoch initialised
    }

    struct StoredLineage {
        bytes32 updateHash;
        address proposer;
        uint32 round;
        uint40 acceptedAt;
    }

    struct StoredParams {
        uint32 enrollment;
        uint32 seedReveal;
        uint32 drawDelay;
        uint32 proposal;
        uint32 proposalReveal;
        uint32 commit;
        uint32 reveal;
        uint8 proposers;
        uint16 quorumBps;
        uint16 maxParticipants;
        uint16 proposerSlashBps;
        uint16 voterSlashBps;
        uint16 absentSlashBps;
        uint16 finalizerBps;
        uint8 evictionRounds;
    }

    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    ITaskRegistry internal immutable _registry;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IEmissionController internal immutable _emissions;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IFlockToken internal immutable _flock;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    address internal immutable _treasury;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 internal immutable _emissionGenesis;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 internal immutable _epochLength;

    /// @custom:storage-location erc7201:flock.storage.AllianceRounds
    struct AllianceStorage {
        StoredParams _params;
        mapping(uint256 taskId => TaskBook) _books;
        mapping(uint256 taskId => mapping(uint256 round => Round)) _rounds;
        mapping(uint256 taskId => StoredLineage[]) _lineage;
        mapping(uint256 taskId => mapping(bytes32 update => bool)) _accepted;
        mapping(address account => uint256) _owed;
    }

    // keccak256(abi.encode(uint256(keccak256("flock.storage.AllianceRounds")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _ALLIANCE_ROUNDS_STORAGE =
        0xba1c4ff623c846be84eef4e5c2e4dde920caa0e58f67435b967024b6da7ef200;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(ITaskRegistry registry_, address treasury_) {
        _registry = registry_;
        _emissions = registry_.emissions();
        _flock = registry_.flock();
        _treasury = treasury_;
        _emissionGenesis = _emissions.genesis();
        _epochLength = _emissions.epochLength();
    }

    function _round(uint256 taskId, uint256 round) internal view returns (Round storage r) {
        r = _getAllianceStorage()._rounds[taskId][round];
        if (r.enrollEnd == 0) revert IAllianceRounds.AllianceUnknownRound(taskId, round);
    }

    /// @dev What the round's outcome means for one entry: the slash reason and amount (gmFLOCK),
    /// whether it shares the honest pot, whether it is paid the round reward.
    function _assess(Round storage r, Entry memory e)
        internal
        view
        returns (IAllianceRounds.SlashReason reason, uint256 gm, bool honest, bool rewarded)
    {
        IAllianceRounds.Outcome outcome = r.outcome;
        uint256 bps;
        if (e.status != _SEEDED) {
            (reason, bps) = (IAllianceRounds.SlashReason.SeedWithheld, r.absentSlashBps);
        } else if (outcome == IAllianceRounds.Outcome.NotDrawn) {
            honest = true;
        } else if (e.slot != 0) {
            if (e.flags & _POSTED == 0) {
                (reason, bps) = (IAllianceRounds.SlashReason.NoProposal, r.absentSlashBps);
            } else if (e.flags & _DUPLICATE != 0) {
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
        } else if (e.flags & _REVEALED == 0) {
            (reason, bps) = (IAllianceRounds.SlashReason.NoVote, r.absentSlashBps);
        } else if (outcome != IAllianceRounds.Outcome.Decided) {
            honest = true;
        } else {
            uint256 losing = _popcount((e.votes ^ r.acceptedMask) & r.postedMask);
            if (losing == 0) {
                honest = true;
            } else {
                reason = IAllianceRounds.SlashReason.LosingVote;
                return (reason, Math.mulDiv(e.stake, uint256(r.voterSlashBps) * losing, _BPS * r.posted), false, false);
            }
        }
        gm = (uint256(e.stake) * bps) / _BPS;
    }

    /// @dev Executes an entry's slash once, through the registry, routing `finalizerBps` of the
    /// FLOCK seized to the finalizer (unless the finalizer is the slashed account) and the rest to
    /// the honest pot (to the pool if the round has no honest stake).
    function _settleSlash(uint256 taskId, uint256 round, Round storage r, address account) internal {
        Entry storage e = r.entries[account];
        Entry memory m = e;
        if (m.status == 0) revert IAllianceRounds.AllianceNotEnrolled(taskId, round, account);
        if (m.flags & _SLASH_SETTLED != 0) return;
        (IAllianceRounds.SlashReason reason, uint256 gm,,) = _assess(r, m);
        if (reason == IAllianceRounds.SlashReason.None) return;
        e.flags = m.flags | _SLASH_SETTLED;
        uint256 take = _takeable(taskId, account, gm);
        if (take == 0) {
            emit IAllianceRounds.SlashLapsed(taskId, round, account, reason, gm);
            return;
        }
        (uint256 seized, uint256 toFinalizer) =
            _slashThroughRegistry(taskId, r.finalizer, r.finalizerBps, account, take);
        uint256 toHonest = seized - toFinalizer;
        if (r.honestStake != 0) {
            r.honestPot += uint96(toHonest);
        } else {
            _getAllianceStorage()._books[taskId].pool += uint96(toHonest);
        }
        emit IAllianceRounds.ParticipantSlashed(taskId, round, account, reason, take, seized, toHonest, toFinalizer);
    }

    /// @dev What a slash of `gm` can take: capped at the stake left, nothing once the task's
    /// dispute window has closed. One registry read, made only when a slash is due, so settling
    /// credits never reads the task.
    function _takeable(uint256 taskId, address account, uint256 gm) internal view returns (uint256) {
        (uint256 stake, uint256 closesAt) = _registry.slashableStake(taskId, account);
        return block.timestamp >= closesAt ? 0 : Math.min(gm, stake);
    }

    /// @dev Slashes `gm` of `account`'s stake; gmFLOCK sends every FLOCK seized here (one transfer:
    /// the route names this contract alone), and `finalizerBps` of it is credited to the finalizer (nothing if it is the
    /// account itself), withdrawn like any credit.
    function _slashThroughRegistry(uint256 taskId, address finalizer, uint256 finalizerBps, address account, uint256 gm)
        internal
        returns (uint256 seized, uint256 toFinalizer)
    {
        // Alliance tasks have no delegations: the offence time (now) only has to be valid.
        (seized,) = _registry.slash(
            taskId, account, gm, block.timestamp, ITaskRegistry.SlashRoute(address(this), address(0), 0, 0)
        );
        if (finalizer != account) {
            toFinalizer = (seized * finalizerBps) / _BPS;
            if (toFinalizer != 0) _getAllianceStorage()._owed[finalizer] += toFinalizer;
        }
    }

    /// @dev Credits an entry's reward (once) and its honest share since its last credit.
    function _credit(uint256 taskId, uint256 round, Round storage r, address account) internal {
        Entry storage e = r.entries[account];
        Entry memory m = e;
        (,, bool honest, bool rewarded) = _assess(r, m);
        if (!honest) return;
        uint256 reward;
        bool rewardDue = rewarded && m.flags & _REWARD_CREDITED == 0;
        if (rewardDue) {
            e.flags = m.flags | _REWARD_CREDITED;
            reward = _rewardShare(r, m.stake);
            uint256 credited = r.rewardCredited + reward;
            uint256 rewardedCount = r.rewardedCount + 1;
            r.rewardCredited = uint96(credited);
            r.rewardedCount = uint16(rewardedCount);
            if (rewardedCount == r.acceptedCount && credited < r.reward) {
                // every accepted proposer is paid: the floor-rounding remainder returns to the pool
                uint256 remainder = r.reward - credited;
                r.reward = uint96(credited);
                _getAllianceStorage()._books[taskId].pool += uint96(remainder);
                emit IAllianceRounds.RewardRemainderReturned(taskId, round, remainder);
            }
        }
        uint256 share = _honestShare(r, m.stake) - m.honestCredited;
        if (share != 0) {
            e.honestCredited = m.honestCredited + uint96(share);
        }
        if (!rewardDue && share == 0) return;
        _getAllianceStorage()._owed[account] += reward + share;
        emit IAllianceRounds.Credited(taskId, round, account, reward, share);
    }

    function _rewardShare(Round storage r, uint256 stake) internal view returns (uint256) {
        uint256 acceptedStake = r.acceptedStake;
        return acceptedStake == 0 ? 0 : Math.mulDiv(r.reward, stake, acceptedStake);
    }

    function _honestShare(Round storage r, uint256 stake) internal view returns (uint256) {
        uint256 honestStake = r.honestStake;
        return honestStake == 0 ? 0 : Math.mulDiv(r.honestPot, stake, honestStake);
    }

    /// @dev Reverts unless `account` enrolled in none of the task's last `evictionRounds` rounds
    /// whose enrollment closed, could have enrolled in each (they opened after it joined, and none
    /// reached the enrollment cap) and is not enrolled in the round open now. O(evictionRounds).
    function _requireAbsent(uint256 taskId, address account, uint256 joinedAt)
        internal
        view
        returns (uint256 fromRound, uint256 toRound)
    {
        AllianceStorage storage $ = _getAllianceStorage();
        toRound = $._books[taskId].rounds;
        if (toRound != 0) {
            Round storage latest = $._rounds[taskId][toRound];
            if (block.timestamp < latest.enrollEnd) {
                if (latest.entries[account].status != 0) revert IAllianceRounds.AllianceNotEvictable(taskId, account);
                toRound -= 1;
            }
        }
        StoredParams memory p = $._params;
        uint256 window = p.evictionRounds;
        if (toRound < window) revert IAllianceRounds.AllianceNotEvictable(taskId, account);
        fromRound = toRound - window + 1;
        if ($._rounds[taskId][fromRound].openedAt < joinedAt) {
            revert IAllianceRounds.AllianceNotEvictable(taskId, account);
        }
        for (uint256 k = fromRound; k <= toRound; ++k) {
            Round storage r = $._rounds[taskId][k];
            if (r.entries[account].status != 0 || r.full || r.enrolled >= p.maxParticipants) {
                revert IAllianceRounds.AllianceNotEvictable(taskId, account);
            }
        }
    }

    function _allianceTask(uint256 taskId) internal view returns (ITaskRegistry.TaskInfo memory task) {
        task = _registry.taskInfo(taskId);
        if (task.kind != ITaskRegistry.TaskKind.Alliance || task.state == ITaskRegistry.TaskState.None) {
            revert IAllianceRounds.AllianceNotAllianceTask(taskId);
        }
    }

    /// @dev The task's first pull starts at the epoch it was created in (no budget before that).
    function _start(uint256 taskId, TaskBook storage book, ITaskRegistry.TaskInfo memory task) internal {
        if (book.started) return;
        uint256 epoch = _epochOf(task.createdAt);
        book.started = true;
        book.nextDrawEpoch = uint32(epoch);
        emit IAllianceRounds.EmissionsPulled(taskId, epoch, epoch, 0); // the pool draws from this epoch on
    }

    function _epochOf(uint256 timestamp) internal view returns (uint256) {
        return EpochClock.epochAt(timestamp, _emissionGenesis, _epochLength);
    }

    /// @dev Draws the task's budgets of the opened epochs not drawn yet (at most 64) into its pool.
    function _pull(uint256 taskId, TaskBook storage book) internal returns (uint256 amount) {
        uint256 from = book.nextDrawEpoch;
        uint256 to = Math.min(_emissions.nextEpoch(), from + EpochClock.MAX_DRAW_RANGE);
        if (to <= from) return 0;
        book.nextDrawEpoch = uint32(to);
        amount = _emissions.drawRange(taskId, from, to, address(this));
        if (amount != 0) book.pool += SafeCast.toUint96(amount);
        emit IAllianceRounds.EmissionsPulled(taskId, from, to, amount);
    }

    function _requireActive(uint256 taskId, ITaskRegistry.TaskInfo memory task) internal view {
        ITaskRegistry.TaskState state = task.state;
        if (
            (state != ITaskRegistry.TaskState.Pending && state != ITaskRegistry.TaskState.Approved)
                || block.timestamp >= task.endTime
        ) revert IAllianceRounds.AllianceTaskNotActive(taskId, state, task.endTime);
    }

    function _popcount(uint256 bits) internal pure returns (uint256 count) {
        for (; bits != 0; bits &= bits - 1) {
            ++count;
        }
    }

    function _getAllianceStorage() internal pure returns (AllianceStorage storage $) {
        assembly {
            $.slot := _ALLIANCE_ROUNDS_STORAGE
        }
    }
}
