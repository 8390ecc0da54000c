// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IAllianceRounds} from "../../interfaces/IAllianceRounds.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";
import {EpochClock} from "../utils/EpochClock.sol";
import {TaskStatus} from "../tasks/TaskStatus.sol";

// An entry's status (`Entry.status`): enrolled, then its secret revealed.
uint8 constant ENROLLED = 1;
uint8 constant SEEDED = 2;
// An entry's flags (`Entry.flags`).
uint8 constant POSTED = 1;
uint8 constant COMMITTED = 2;
uint8 constant REVEALED = 4;
uint8 constant SLASH_SETTLED = 8;
uint8 constant REWARD_CREDITED = 16;
uint8 constant DUPLICATE = 32; // a proposer whose update an earlier committer proposed

/**
 * @title AllianceRoundsStorage
 * @dev The state of {AllianceRounds} and the few helpers it shares with its settlement module
 * {AllianceSettlement} (a round looked up, the task checked, the task pool's emission pull), which
 * runs `settle`, `evict`, the pool and the parameters by delegatecall on the same storage (the two
 * contracts together exceed the 24 KiB code limit). Both list this contract first among their
 * bases, so its variables take the same slots in both; neither declares state of its own.
 * docs/alliance.md describes the storage layout (AllianceRounds' NatSpec has the slot map); the
 * rules live in libraries: {RoleDraw} (the draw) and {SettlementRules} (what a round means for
 * each participant).
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
    /// @dev `_owed[a]` packs two credits: [ relock : 128 | liquid : 128 ] (decision 195). Amounts
    /// are FLOCK, far below 2^128 (the supply is below 2^96), so neither half can carry into the other.
    uint256 internal constant _RELOCK_SHIFT = 128;
    /// @dev The top bit of `_owed[a]` marks a slot opened (decision 237): set at `a`'s enrollments and
    /// kept by `withdraw`, so that crediting `a` rewrites a non-zero slot instead of writing one from
    /// zero (5,000 gas instead of 22,100 each time). The relock half is read as 120 bits, which
    /// leaves the marker out (amounts are below 2^96).
    uint256 internal constant _OWED_OPEN = 1 << 255;

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
        mapping(address account => uint256) _owed; // [ relock : 128 | liquid : 128 ] (_RELOCK_SHIFT)
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

    /// @dev Draws everything the task accrued over the opened epochs and has not drawn into its pool.
    function _pull(uint256 taskId, TaskBook storage book) internal returns (uint256 amount) {
        uint256 from = book.nextDrawEpoch;
        uint256 to = _emissions.nextEpoch();
        if (to <= from) return 0;
        book.nextDrawEpoch = uint32(to);
        amount = _emissions.drawAccrued(taskId, address(this));
        if (amount != 0) book.pool += SafeCast.toUint96(amount);
        emit IAllianceRounds.EmissionsPulled(taskId, from, to, amount);
    }

    /// @dev Reverts unless the task (a copy of its info, already read) is active: the registry's
    /// rule ({TaskStatus}, as `ITaskRegistry.isActive` applies it).
    function _requireActive(uint256 taskId, ITaskRegistry.TaskInfo memory task) internal view {
        if (!TaskStatus.isActive(task.state, task.endTime)) {
            revert IAllianceRounds.AllianceTaskNotActive(taskId, task.state, task.endTime);
        }
    }

    function _getAllianceStorage() internal pure returns (AllianceStorage storage $) {
        assembly {
            $.slot := _ALLIANCE_ROUNDS_STORAGE
        }
    }
}
