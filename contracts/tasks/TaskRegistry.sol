// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {IGmFlock} from "../../interfaces/IGmFlock.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";

/**
 * @title TaskRegistry
 * @dev AI Arena and FL Alliance tasks and the gmFLOCK staked in them. See {ITaskRegistry} for the
 * rules; docs/tasks.md walks through delegation pools and lazy slashing with an example.
 *
 * This contract holds the registry's `STAKE_MANAGER_ROLE` and `SLASHER_ROLE` on gmFLOCK: every
 * stake here is a gmFLOCK allocation of its owner, and the ledger below always adds up to those
 * allocations (invariant 4): creator stakes + own stakes + `delegationsAllocated` of every task =
 * the sum of gmFLOCK allocations. An approved task reports its node and validator stake (own +
 * delegated, after slashes) to the emission controller whenever it changes, until its end.
 *
 * Storage (slots written by the common paths in brackets):
 *
 *     _tasks[id]         [ creator: 160 | endTime: 40 | disputeWindow: 24 | kind: 8 | state: 8 |
 *                          maxParticipants: 16 ]            (all a join reads of the task)
 *                        [ creatorStake: 96 | createdAt: 40 | minParticipants: 16 | creatorReleased: 8 ]
 *                        [ specHash ]                                   (the URI lives in the event)
 *     _stakes[id]        [ nodes: 96 | validators: 96 | members: 32 ]     own stakes, role holders
 *                                                  holding a place now (released, evicted: freed)
 *                        [ delegatedToNodes: 96 | delegatedToValidators: 96 ]   active pool values
 *                        [ delegationsAllocated: 96 ]                     gmFLOCK behind delegations
 *     _members[id][a]    [ role: 8 | stake: 96 | sigma: 16 | since: 40 | exitAt: 40 |
 *                          syncedSlashes: 32 | released: 8 ]               one slot per member
 *     _operatorOf[id][a] a delegator's operator
 *     _pools[id][op]     [ active: 96 | exiting: 96 | slashes: 32 ]
 *                        [ allocated: 96 | delegators: 32 ]
 *     _poolSlashes[id][op][k]  [ offenceAt: 40 | keep: 128 ]     the pool's k-th slash (k from 1)
 *
 * Delegation pools and the risk window. A delegation answers for the offences committed while it
 * backed its operator: from `since` (when it was made) to its `exitAt` (when it stopped counting;
 * no end while it counts), both seconds included. Each slash of the pool records its offence time
 * and the fraction `keep` (1e36 = all) it leaves of every delegation at risk, in O(1).
 * A delegation records the pool's slash count when it last synced; `sync` walks the pool's slashes
 * since then (at most MAX_POOL_SLASHES, a bound on the pool, not on its delegators) and applies
 * those whose offence falls in its window, turning the loss into a gmFLOCK slash of its owner.
 *
 * The pool's totals (`active`, `exiting`, and the task's delegated stake reported for emissions)
 * are booked at the slash as if every delegation were at risk: they shrink by `keep`, rounded
 * down. A delegation's "book" value (every slash applied) is therefore never above its exact value
 * (only the slashes in its window applied), and `sync` gives the difference back to the totals.
 * Because each value rounds down, the book values of a pool's delegations never add up to more
 * than the pool's totals; those totals only move by amounts individually bounded by them
 * (subtractions saturate at zero for the last wei), so no one can be owed more than exists.
 */
contract TaskRegistry is ITaskRegistry, AccessControl, ReentrancyGuardTransient {
    using EnumerableSet for EnumerableSet.UintSet;
    using SafeERC20 for IFlockToken;

    /// @inheritdoc ITaskRegistry
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");

    /// @notice Hard bounds on the governance parameters.
    uint256 public constant MAX_TASK_DURATION_BOUND = 365 days;
    uint256 public constant MAX_DISPUTE_WINDOW = 90 days;
    uint256 public constant MAX_COOLDOWN = 90 days;
    uint256 public constant MAX_PARTICIPANTS_BOUND = 1_000;
    uint256 public constant MAX_SYNC_KEEPER_BPS = 2_000;
    /// @notice Sigma changes at most once per this period.
    uint256 public constant SIGMA_CHANGE_INTERVAL = 1 days;
    /// @notice Slashes a delegation pool records; later slashes of the operator take its own stake only.
    uint256 public constant MAX_POOL_SLASHES = 32;

    uint256 private constant _BPS = 10_000;
    uint256 private constant _SCALE_ONE = 1e36;

    struct Task {
        address creator;
        uint40 endTime;
        uint24 disputeWindow; // at most MAX_DISPUTE_WINDOW (90 days < 2^24 s)
        TaskKind kind;
        TaskState state;
        uint16 maxParticipants;
        uint96 creatorStake;
        uint40 createdAt;
        uint16 minParticipants;
        bool creatorReleased;
        bytes32 specHash;
    }

    struct Stakes {
        uint96 nodes; // own stake of training nodes, or of alliance participants
        uint96 validators;
        uint32 members;
        uint96 delegatedToNodes; // active pool values
        uint96 delegatedToValidators;
        uint96 delegationsAllocated;
    }

    struct MemberRecord {
        Role role;
        uint96 stake; // own stake, or the gmFLOCK allocated to a delegation
        uint16 sigmaBps;
        uint40 since; // operators: last sigma change; delegators: delegation start; participants: join
        uint40 exitAt;
        uint32 syncedSlashes;
        bool released;
    }

    struct Pool {
        uint96 active;
        uint96 exiting;
        uint32 slashes;
        uint96 allocated;
        uint32 delegators;
    }

    /// @dev One slash of a delegation pool: the offence time and the fraction left, scaled by 1e36.
    struct PoolSlash {
        uint40 offenceAt;
        uint128 keep;
    }

    struct StoredParams {
        // slot 0: read by joins as a node or validator
        uint96 minNodeStake;
        uint96 minValidatorStake;
        uint32 minTaskDuration;
        uint32 maxTaskDuration;
        // slot 1: read by participant joins and delegations
        uint96 minParticipantStake;
        uint96 minDelegation;
        uint32 disputeWindow;
        uint32 undelegationCooldown;
        // slot 2
        uint96 creatorStakePerDay;
        uint32 sigmaFreeze;
        uint16 minSigmaBps;
        uint16 maxSigmaBps;
        uint16 maxParticipants;
        uint16 syncKeeperBps;
    }

    IGmFlock private immutable _gm;
    IFlockToken private immutable _flock;
    IEmissionController private immutable _emissions;

    StoredParams private _params;
    uint256 private _taskCount;
    mapping(uint256 taskId => Task) private _tasks;
    mapping(uint256 taskId => Stakes) private _stakes;
    mapping(uint256 taskId => mapping(address account => MemberRecord)) private _members;
    mapping(uint256 taskId => mapping(address delegator => address)) private _operatorOf;
    mapping(uint256 taskId => mapping(address operator => Pool)) private _pools;
    mapping(uint256 taskId => mapping(address operator => mapping(uint256 k => PoolSlash))) private _poolSlashes;
    mapping(uint256 taskId => uint256) private _slashPot;
    mapping(TaskState state => EnumerableSet.UintSet) private _byState;

    /**
     * @param gm the gmFLOCK contract; this registry needs its STAKE_MANAGER_ROLE and SLASHER_ROLE.
     * @param emissions_ the emission controller; this registry needs its TASK_REGISTRY_ROLE.
     * @param admin receives `DEFAULT_ADMIN_ROLE` (the deployer until governance takes over).
     * @param params the initial governance parameters.
     */
    constructor(IGmFlock gm, IEmissionController emissions_, address admin, Parameters memory params) {
        _gm = gm;
        _flock = gm.flock();
        _emissions = emissions_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setStakeMinimums(params.minNodeStake, params.minValidatorStake, params.minParticipantStake, params.minDelegation);
        _setTaskRules(
            params.creatorStakePerDay,
            params.minTaskDuration,
            params.maxTaskDuration,
            params.disputeWindow,
            params.maxParticipants
        );
        _setDelegationRules(
            params.minSigmaBps, params.maxSigmaBps, params.sigmaFreeze, params.undelegationCooldown, params.syncKeeperBps
        );
    }

    // ======================================================================= tasks

    /// @inheritdoc ITaskRegistry
    function createTask(
        TaskKind kind,
        uint256 duration,
        bytes32 specHash,
        string calldata specURI,
        uint256 minParticipants,
        uint256 maxParticipants
    ) external returns (uint256 taskId) {
        StoredParams storage p = _params;
        if (duration < p.minTaskDuration || duration > p.maxTaskDuration) {
            revert TaskRegistryInvalidDuration(duration, p.minTaskDuration, p.maxTaskDuration);
        }
        if (specHash == bytes32(0) || bytes(specURI).length == 0) revert TaskRegistryInvalidSpec();
        if (kind == TaskKind.Alliance) {
            if (minParticipants < 2 || minParticipants > maxParticipants || maxParticipants > p.maxParticipants) {
                revert TaskRegistryInvalidParticipantBounds(minParticipants, maxParticipants, p.maxParticipants);
            }
        } else if (minParticipants != 0 || maxParticipants != 0) {
            revert TaskRegistryInvalidParticipantBounds(minParticipants, maxParticipants, 0);
        }
        uint256 creatorStake = uint256(p.creatorStakePerDay) * Math.ceilDiv(duration, 1 days);
        uint256 endTime = block.timestamp + duration;

        taskId = ++_taskCount;
        _tasks[taskId] = Task({
            creator: msg.sender,
            endTime: uint40(endTime),
            disputeWindow: uint24(p.disputeWindow),
            kind: kind,
            state: TaskState.Pending,
            maxParticipants: uint16(maxParticipants),
            creatorStake: SafeCast.toUint96(creatorStake),
            createdAt: uint40(block.timestamp),
            minParticipants: uint16(minParticipants),
            creatorReleased: false,
            specHash: specHash
        });
        _byState[TaskState.Pending].add(taskId);
        emit TaskCreated(
            taskId, msg.sender, kind, endTime, creatorStake, specHash, specURI, minParticipants, maxParticipants
        );
        if (creatorStake != 0) _gm.allocate(msg.sender, creatorStake);
    }

    /// @inheritdoc ITaskRegistry
    function approveTask(uint256 taskId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Task storage task = _task(taskId);
        if (task.state != TaskState.Pending) revert TaskRegistryWrongState(taskId, task.state);
        _requireActive(taskId, task);
        _moveState(taskId, task, TaskState.Approved);
        emit TaskApproved(taskId);
        Stakes storage s = _stakes[taskId];
        _emissions.enrollTask(
            taskId,
            task.kind == TaskKind.Arena,
            task.endTime,
            uint256(s.nodes) + s.delegatedToNodes,
            uint256(s.validators) + s.delegatedToValidators
        );
    }

    /// @inheritdoc ITaskRegistry
    function cancelTask(uint256 taskId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        bool wasApproved = task.state == TaskState.Approved;
        task.endTime = uint40(block.timestamp);
        _moveState(taskId, task, TaskState.Cancelled);
        emit TaskCancelled(taskId);
        if (wasApproved) _emissions.retireTask(taskId);
    }

    /// @inheritdoc ITaskRegistry
    function endTask(uint256 taskId) external {
        Task storage task = _task(taskId);
        TaskState state = task.state;
        if (state != TaskState.Pending && state != TaskState.Approved) revert TaskRegistryWrongState(taskId, state);
        if (block.timestamp < task.endTime) revert TaskRegistryTaskNotOver(taskId, task.endTime);
        _end(taskId, task);
    }

    // ======================================================================= roles in a task

    /// @inheritdoc ITaskRegistry
    function join(uint256 taskId, Role role, uint256 amount, uint256 sigmaBps) external {
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        TaskKind kind = task.kind;
        MemberRecord storage member = _members[taskId][msg.sender];
        if (member.role != Role.None) revert TaskRegistryAlreadyMember(taskId, msg.sender, member.role);
        Stakes storage s = _stakes[taskId];
        uint256 members = s.members;
        uint256 minimum;
        uint256 sigmaSetAt;
        if (kind == TaskKind.Alliance) {
            if (role != Role.Participant) revert TaskRegistryRoleNotInTask(taskId, kind, role);
            if (sigmaBps != 0) revert TaskRegistryInvalidSigma(sigmaBps, 0, 0);
            uint256 maxParticipants = task.maxParticipants;
            if (members >= maxParticipants) revert TaskRegistryTaskFull(taskId, maxParticipants);
            minimum = _params.minParticipantStake;
            sigmaSetAt = block.timestamp; // joinedAt: the round contract's eviction clock starts here
        } else {
            if (role != Role.Node && role != Role.Validator) revert TaskRegistryRoleNotInTask(taskId, kind, role);
            minimum = role == Role.Node ? _params.minNodeStake : _params.minValidatorStake;
            _checkSigma(sigmaBps);
            sigmaSetAt = block.timestamp;
        }
        if (amount < minimum) revert TaskRegistryStakeBelowMinimum(amount, minimum);
        _members[taskId][msg.sender] = MemberRecord({
            role: role,
            stake: SafeCast.toUint96(amount),
            sigmaBps: uint16(sigmaBps),
            since: uint40(sigmaSetAt), // a participant's: when it joined (the eviction clock)
            exitAt: 0,
            syncedSlashes: 0,
            released: false
        });
        _addOwn(s, role, amount);
        s.members = uint32(members + 1);
        emit Joined(taskId, msg.sender, role, amount, sigmaBps);
        _gm.allocate(msg.sender, amount);
        _report(taskId, task, s);
    }

    /// @inheritdoc ITaskRegistry
    function addStake(uint256 taskId, uint256 amount) external {
        if (amount == 0) revert TaskRegistryZeroAmount();
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        MemberRecord storage member = _members[taskId][msg.sender];
        Role role = member.role;
        if (role == Role.None || role == Role.Delegator) _wrongRole(taskId, msg.sender, role);
        if (member.exitAt != 0) revert TaskRegistryVacated(taskId, msg.sender, member.exitAt);
        uint256 stake = member.stake + amount;
        member.stake = SafeCast.toUint96(stake);
        Stakes storage s = _stakes[taskId];
        _addOwn(s, role, amount);
        emit StakeAdded(taskId, msg.sender, amount, stake);
        _gm.allocate(msg.sender, amount);
        _report(taskId, task, s);
    }

    /// @inheritdoc ITaskRegistry
    function setSigma(uint256 taskId, uint256 sigmaBps) external {
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        uint256 frozenFrom = uint256(task.endTime) - Math.min(_params.sigmaFreeze, task.endTime);
        if (block.timestamp >= frozenFrom) revert TaskRegistrySigmaFrozen(taskId, frozenFrom);
        MemberRecord storage member = _members[taskId][msg.sender];
        if (member.role != Role.Node && member.role != Role.Validator) {
            _wrongRole(taskId, msg.sender, member.role);
        }
        uint256 nextAllowed = uint256(member.since) + SIGMA_CHANGE_INTERVAL;
        if (block.timestamp < nextAllowed) revert TaskRegistrySigmaChangeTooSoon(taskId, msg.sender, nextAllowed);
        _checkSigma(sigmaBps);
        member.sigmaBps = uint16(sigmaBps);
        member.since = uint40(block.timestamp);
        emit SigmaSet(taskId, msg.sender, sigmaBps);
    }

    /// @inheritdoc ITaskRegistry
    function delegateStake(uint256 taskId, address operator, uint256 amount) external {
        if (amount == 0) revert TaskRegistryZeroAmount();
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        if (task.kind != TaskKind.Arena) revert TaskRegistryRoleNotInTask(taskId, task.kind, Role.Delegator);
        Role operatorRole = _members[taskId][operator].role;
        if (operatorRole != Role.Node && operatorRole != Role.Validator) {
            _wrongRole(taskId, operator, operatorRole);
        }
        MemberRecord storage member = _members[taskId][msg.sender];
        Pool storage pool = _pools[taskId][operator];
        Stakes storage s = _stakes[taskId];
        uint256 allocated;
        uint256 since = block.timestamp; // a new delegation answers for offences from now on
        if (member.role == Role.None || (member.role == Role.Delegator && member.released)) {
            uint256 minimum = _params.minDelegation;
            if (amount < minimum) revert TaskRegistryStakeBelowMinimum(amount, minimum);
            _operatorOf[taskId][msg.sender] = operator;
            allocated = amount;
            pool.delegators += 1;
        } else if (member.role == Role.Delegator) {
            address current = _operatorOf[taskId][msg.sender];
            if (current != operator) revert TaskRegistryDelegatedElsewhere(taskId, msg.sender, current);
            if (member.exitAt != 0) revert TaskRegistryUndelegating(taskId, msg.sender, member.exitAt);
            (allocated,) = _sync(taskId, msg.sender, member, pool);
            allocated += amount;
            since = member.since; // a top-up joins its delegation's risk window
        } else {
            revert TaskRegistryAlreadyMember(taskId, msg.sender, member.role);
        }
        _members[taskId][msg.sender] = MemberRecord({
            role: Role.Delegator,
            stake: SafeCast.toUint96(allocated),
            sigmaBps: 0,
            since: uint40(since),
            exitAt: 0,
            syncedSlashes: pool.slashes,
            released: false
        });
        pool.active += SafeCast.toUint96(amount);
        pool.allocated += uint96(amount);
        s.delegationsAllocated += uint96(amount);
        if (operatorRole == Role.Node) {
            s.delegatedToNodes += uint96(amount);
        } else {
            s.delegatedToValidators += uint96(amount);
        }
        emit Delegated(taskId, msg.sender, operator, amount, allocated);
        _gm.allocate(msg.sender, amount);
        _report(taskId, task, s);
    }

    /// @inheritdoc ITaskRegistry
    function undelegate(uint256 taskId) external {
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        MemberRecord storage member = _members[taskId][msg.sender];
        if (member.role != Role.Delegator || member.released) {
            _wrongRole(taskId, msg.sender, member.role);
        }
        if (member.exitAt != 0) revert TaskRegistryUndelegating(taskId, msg.sender, member.exitAt);
        address operator = _operatorOf[taskId][msg.sender];
        Pool storage pool = _pools[taskId][operator];
        (uint256 value,) = _sync(taskId, msg.sender, member, pool);
        uint256 active = pool.active;
        uint256 moved = Math.min(value, active);
        pool.active = uint96(active - moved);
        pool.exiting += uint96(value);
        member.exitAt = uint40(block.timestamp);
        Stakes storage s = _stakes[taskId];
        _reduceDelegated(s, _members[taskId][operator].role, moved);
        emit UndelegationRequested(taskId, msg.sender, operator, value, _delegationReleaseAt(task, block.timestamp));
        _report(taskId, task, s);
    }

    /// @inheritdoc ITaskRegistry
    function sync(uint256 taskId, address delegator) external nonReentrant returns (uint256 flockSeized) {
        _task(taskId);
        MemberRecord storage member = _members[taskId][delegator];
        if (member.role != Role.Delegator || member.released) {
            _wrongRole(taskId, delegator, member.role);
        }
        (, flockSeized) = _sync(taskId, delegator, member, _pools[taskId][_operatorOf[taskId][delegator]]);
    }

    /// @inheritdoc ITaskRegistry
    function release(uint256 taskId, address account) external nonReentrant returns (uint256 amount) {
        Task storage task = _task(taskId);
        MemberRecord storage member = _members[taskId][account];
        Role role = member.role;
        uint256 taskReleaseAt = _taskReleaseAt(task);
        bool taskOver = block.timestamp >= taskReleaseAt;
        if (taskOver && (task.state == TaskState.Pending || task.state == TaskState.Approved)) _end(taskId, task);

        uint256 lockedUntil; // earliest release of what stays locked
        bool released;
        if (role != Role.None && !member.released) {
            uint256 releaseAt = role == Role.Delegator && member.exitAt != 0
                ? _delegationReleaseAt(task, member.exitAt)
                : taskReleaseAt;
            if (block.timestamp < releaseAt) {
                lockedUntil = releaseAt;
            } else if (role == Role.Delegator) {
                amount = _releaseDelegation(taskId, account, member);
                released = true;
            } else {
                amount = member.stake;
                bool holdsSlot = member.exitAt == 0; // an evicted participant freed its slot already
                member.stake = 0;
                member.released = true;
                Stakes storage s = _stakes[taskId];
                _subOwn(s, role, amount);
                if (holdsSlot) s.members -= 1;
                emit StakeReleased(taskId, account, amount, false);
                released = true;
            }
        }
        if (account == task.creator && !task.creatorReleased) {
            if (taskOver) {
                uint256 creatorStake = task.creatorStake;
                task.creatorReleased = true;
                task.creatorStake = 0;
                emit StakeReleased(taskId, account, creatorStake, true);
                amount += creatorStake;
                released = true;
            } else if (lockedUntil == 0) {
                lockedUntil = taskReleaseAt;
            }
        }
        if (!released) {
            if (lockedUntil == 0) revert TaskRegistryNothingToRelease(taskId, account);
            revert TaskRegistryStakeLocked(taskId, account, lockedUntil);
        }
        if (amount != 0) _gm.release(account, amount);
    }

    // ======================================================================= slashers

    /// @inheritdoc ITaskRegistry
    function slash(uint256 taskId, address account, uint256 gmAmount, uint256 offenceAt, SlashRoute calldata route)
        external
        onlyRole(SLASHER_ROLE)
        nonReentrant
        returns (uint256 flockSeized, uint256 poolGm)
    {
        if (gmAmount == 0) revert TaskRegistryZeroAmount();
        if (route.keeperBps + route.burnBps > _BPS) revert TaskRegistryInvalidRoute(route.keeperBps, route.burnBps);
        Task storage task = _task(taskId);
        uint256 closedAt = _taskReleaseAt(task);
        if (block.timestamp >= closedAt) revert TaskRegistryDisputeWindowClosed(taskId, closedAt);
        if (offenceAt < task.createdAt || offenceAt > block.timestamp) {
            revert TaskRegistryInvalidOffenceTime(taskId, offenceAt, task.createdAt, block.timestamp);
        }
        uint256 ownGm;
        (ownGm, poolGm) = _takeStake(taskId, account, gmAmount, offenceAt);
        if (ownGm != 0) flockSeized = _gm.slash(account, ownGm, _seizedTo(route));
        emit Slashed(taskId, account, msg.sender, gmAmount, ownGm, poolGm, flockSeized, offenceAt);
        _report(taskId, task, _stakes[taskId]);
        _route(taskId, flockSeized, route);
    }

    /// @inheritdoc ITaskRegistry
    function vacate(uint256 taskId, address account) external onlyRole(SLASHER_ROLE) {
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        MemberRecord storage member = _members[taskId][account];
        Role role = member.role;
        if (role != Role.Participant || member.released) _wrongRole(taskId, account, role);
        uint256 exitAt = member.exitAt;
        if (exitAt != 0) revert TaskRegistryVacated(taskId, account, exitAt);
        member.exitAt = uint40(block.timestamp);
        _stakes[taskId].members -= 1;
        emit MemberVacated(taskId, account, msg.sender);
    }

    /// @inheritdoc ITaskRegistry
    function withdrawSlashPot(uint256 taskId, address to, uint256 amount)
        external
        onlyRole(SLASHER_ROLE)
        nonReentrant
    {
        if (amount == 0) revert TaskRegistryZeroAmount();
        uint256 available = _slashPot[taskId];
        if (amount > available) revert TaskRegistryPotExceeded(taskId, amount, available);
        _slashPot[taskId] = available - amount;
        emit SlashPotWithdrawn(taskId, to, amount);
        _flock.safeTransfer(to, amount);
    }

    // ======================================================================= governance

    /// @inheritdoc ITaskRegistry
    function setStakeMinimums(uint256 node, uint256 validator, uint256 participant, uint256 delegation)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setStakeMinimums(node, validator, participant, delegation);
    }

    /// @inheritdoc ITaskRegistry
    function setTaskRules(
        uint256 creatorStakePerDay,
        uint256 minTaskDuration,
        uint256 maxTaskDuration,
        uint256 disputeWindow,
        uint256 maxParticipants
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTaskRules(creatorStakePerDay, minTaskDuration, maxTaskDuration, disputeWindow, maxParticipants);
    }

    /// @inheritdoc ITaskRegistry
    function setDelegationRules(
        uint256 minSigmaBps,
        uint256 maxSigmaBps,
        uint256 sigmaFreeze,
        uint256 undelegationCooldown,
        uint256 syncKeeperBps
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDelegationRules(minSigmaBps, maxSigmaBps, sigmaFreeze, undelegationCooldown, syncKeeperBps);
    }

    // ======================================================================= views

    /// @inheritdoc ITaskRegistry
    function gmFlock() external view returns (IGmFlock) {
        return _gm;
    }

    /// @inheritdoc ITaskRegistry
    function emissions() external view returns (IEmissionController) {
        return _emissions;
    }

    /// @inheritdoc ITaskRegistry
    function flock() external view returns (IFlockToken) {
        return _flock;
    }

    /// @inheritdoc ITaskRegistry
    function stakeMinimums()
        external
        view
        returns (uint256 node, uint256 validator, uint256 participant, uint256 delegation)
    {
        StoredParams storage p = _params;
        return (p.minNodeStake, p.minValidatorStake, p.minParticipantStake, p.minDelegation);
    }

    /// @inheritdoc ITaskRegistry
    function taskRules()
        external
        view
        returns (
            uint256 creatorStakePerDay,
            uint256 minTaskDuration,
            uint256 maxTaskDuration,
            uint256 disputeWindow,
            uint256 maxParticipants
        )
    {
        StoredParams storage p = _params;
        return (p.creatorStakePerDay, p.minTaskDuration, p.maxTaskDuration, p.disputeWindow, p.maxParticipants);
    }

    /// @inheritdoc ITaskRegistry
    function delegationRules()
        external
        view
        returns (
            uint256 minSigmaBps,
            uint256 maxSigmaBps,
            uint256 sigmaFreeze,
            uint256 undelegationCooldown,
            uint256 syncKeeperBps
        )
    {
        StoredParams storage p = _params;
        return (p.minSigmaBps, p.maxSigmaBps, p.sigmaFreeze, p.undelegationCooldown, p.syncKeeperBps);
    }

    /// @inheritdoc ITaskRegistry
    function taskCount() external view returns (uint256) {
        return _taskCount;
    }

    /// @inheritdoc ITaskRegistry
    function taskInfo(uint256 taskId) external view returns (TaskInfo memory) {
        Task memory t = _tasks[taskId];
        return TaskInfo({
            kind: t.kind,
            state: t.state,
            creator: t.creator,
            createdAt: t.createdAt,
            endTime: t.endTime,
            disputeWindow: t.disputeWindow,
            creatorStake: t.creatorStake,
            specHash: t.specHash,
            minParticipants: t.minParticipants,
            maxParticipants: t.maxParticipants,
            members: _stakes[taskId].members
        });
    }

    /// @inheritdoc ITaskRegistry
    function taskStakes(uint256 taskId) external view returns (TaskStakes memory stakes) {
        Stakes storage s = _stakes[taskId];
        Task storage task = _tasks[taskId];
        stakes.creator = task.creatorStake;
        if (task.kind == TaskKind.Alliance) {
            stakes.participants = s.nodes;
        } else {
            stakes.nodes = s.nodes;
        }
        stakes.validators = s.validators;
        stakes.delegatedToNodes = s.delegatedToNodes;
        stakes.delegatedToValidators = s.delegatedToValidators;
        stakes.delegationsAllocated = s.delegationsAllocated;
        stakes.allocated = stakes.creator + s.nodes + s.validators + s.delegationsAllocated;
    }

    /// @inheritdoc ITaskRegistry
    function isEligible(uint256 taskId) external view returns (bool) {
        Task storage t = _tasks[taskId];
        return t.state == TaskState.Approved && block.timestamp < t.endTime;
    }

    /// @inheritdoc ITaskRegistry
    function tasksByState(TaskState state, uint256 offset, uint256 limit)
        external
        view
        returns (uint256[] memory ids, uint256 total)
    {
        EnumerableSet.UintSet storage set = _byState[state];
        total = set.length();
        uint256 end = offset >= total ? offset : Math.min(total, offset + limit);
        ids = new uint256[](end - offset);
        for (uint256 i = 0; i < ids.length; ++i) {
            ids[i] = set.at(offset + i);
        }
    }

    /// @inheritdoc ITaskRegistry
    function memberOf(uint256 taskId, address account) external view returns (Member memory) {
        MemberRecord memory m = _members[taskId][account];
        return Member(m.role, m.stake, m.sigmaBps, m.since, m.exitAt, m.released);
    }

    /// @inheritdoc ITaskRegistry
    function effectiveStake(uint256 taskId, address operator)
        external
        view
        returns (uint256 own, uint256 delegated, uint256 total)
    {
        MemberRecord storage m = _members[taskId][operator];
        Role role = m.role;
        if (role == Role.Delegator) return (0, 0, 0);
        own = m.stake;
        if (role == Role.Node || role == Role.Validator) delegated = _pools[taskId][operator].active;
        total = own + delegated;
    }

    /// @inheritdoc ITaskRegistry
    function poolOf(uint256 taskId, address operator)
        external
        view
        returns (uint256 active, uint256 exiting, uint256 allocated, uint256 delegators, uint256 slashes)
    {
        Pool memory pool = _pools[taskId][operator];
        return (pool.active, pool.exiting, pool.allocated, pool.delegators, pool.slashes);
    }

    /// @inheritdoc ITaskRegistry
    function delegationOf(uint256 taskId, address delegator) external view returns (DelegationInfo memory info) {
        MemberRecord memory m = _members[taskId][delegator];
        if (m.role != Role.Delegator || m.released) return info;
        info.operator = _operatorOf[taskId][delegator];
        info.allocated = m.stake;
        (info.value,) = _valueOf(taskId, info.operator, m);
        info.exitAt = m.exitAt;
        Task storage task = _tasks[taskId];
        info.releaseAt = m.exitAt != 0 ? _delegationReleaseAt(task, m.exitAt) : _taskReleaseAt(task);
    }

    /// @inheritdoc ITaskRegistry
    function participantCount(uint256 taskId) external view returns (uint256) {
        return _tasks[taskId].kind == TaskKind.Alliance ? _stakes[taskId].members : 0;
    }

    /// @inheritdoc ITaskRegistry
    function slashPot(uint256 taskId) external view returns (uint256) {
        return _slashPot[taskId];
    }

    // ======================================================================= internals: tasks

    function _wrongRole(uint256 taskId, address account, Role role) private pure {
        revert TaskRegistryWrongRole(taskId, account, role);
    }

    function _task(uint256 taskId) private view returns (Task storage task) {
        task = _tasks[taskId];
        if (task.state == TaskState.None) revert TaskRegistryUnknownTask(taskId);
    }

    function _requireActive(uint256 taskId, Task storage task) private view {
        TaskState state = task.state;
        uint256 endTime = task.endTime;
        if ((state != TaskState.Pending && state != TaskState.Approved) || block.timestamp >= endTime) {
            revert TaskRegistryTaskNotActive(taskId, state, endTime);
        }
    }

    function _moveState(uint256 taskId, Task storage task, TaskState to) private {
        _byState[task.state].remove(taskId);
        _byState[to].add(taskId);
        task.state = to;
    }

    function _end(uint256 taskId, Task storage task) private {
        _moveState(taskId, task, TaskState.Ended);
        emit TaskEnded(taskId);
    }

    /// @dev Tells the emission controller about a stake change of an approved, running task.
    function _report(uint256 taskId, Task storage task, Stakes storage s) private {
        if (task.state != TaskState.Approved || block.timestamp >= task.endTime) return;
        if (task.kind == TaskKind.Alliance) {
            _emissions.updateTask(taskId, s.nodes, 0); // participants; no delegation in Alliance tasks
        } else {
            _emissions.updateTask(
                taskId, uint256(s.nodes) + s.delegatedToNodes, uint256(s.validators) + s.delegatedToValidators
            );
        }
    }

    function _taskReleaseAt(Task storage task) private view returns (uint256) {
        return uint256(task.endTime) + task.disputeWindow;
    }

    /// @dev A delegation that stopped counting at `exitAt` stays at risk for the dispute window
    /// after the earlier of its exit and the task's end, and at least for the cooldown.
    function _delegationReleaseAt(Task storage task, uint256 exitAt) private view returns (uint256) {
        return Math.max(Math.min(exitAt, task.endTime) + task.disputeWindow, exitAt + _params.undelegationCooldown);
    }

    // ======================================================================= internals: pools

    /// @dev What a delegation is worth after its pool's slashes since it last synced: `value` with
    /// the slashes whose offence falls in its risk window [since, exitAt] applied, `book` with all
    /// of them applied, as the pool's totals were booked (book <= value).
    function _valueOf(uint256 taskId, address operator, MemberRecord memory m)
        private
        view
        returns (uint256 value, uint256 book)
    {
        value = m.stake;
        book = value;
        uint256 slashes = _pools[taskId][operator].slashes; // <= MAX_POOL_SLASHES
        uint256 exitAt = m.exitAt == 0 ? type(uint256).max : m.exitAt;
        for (uint256 k = uint256(m.syncedSlashes) + 1; k <= slashes; ++k) {
            PoolSlash memory ps = _poolSlashes[taskId][operator][k];
            book = Math.mulDiv(book, ps.keep, _SCALE_ONE);
            if (ps.offenceAt >= m.since && ps.offenceAt <= exitAt) value = Math.mulDiv(value, ps.keep, _SCALE_ONE);
        }
    }

    /// @dev Applies the pool's slashes since the delegation last synced to the delegator's gmFLOCK.
    /// Returns the delegation's value (= its allocation after the sync) and the FLOCK seized: the
    /// keeper share to a third-party caller, the rest to the task's slash pot.
    function _sync(uint256 taskId, address delegator, MemberRecord storage member, Pool storage pool)
        private
        returns (uint256 value, uint256 seized)
    {
        MemberRecord memory m = member;
        uint256 slashes = pool.slashes;
        if (m.syncedSlashes == slashes) return (m.stake, 0);
        address operator = _operatorOf[taskId][delegator];
        uint256 book;
        (value, book) = _valueOf(taskId, operator, m);
        uint256 loss = m.stake - value;
        member.stake = uint96(value);
        member.syncedSlashes = uint32(slashes);
        if (value != book) _restore(taskId, operator, pool, m.exitAt != 0, value - book);
        if (loss == 0) {
            emit DelegatorSynced(taskId, delegator, msg.sender, 0, 0, 0); // a slash too small to reach it
            return (value, 0);
        }
        pool.allocated -= uint96(loss);
        _stakes[taskId].delegationsAllocated -= uint96(loss);
        seized = _gm.slash(delegator, loss, address(this));
        uint256 keeperAmount;
        if (msg.sender != delegator) keeperAmount = (seized * _params.syncKeeperBps) / _BPS;
        _slashPot[taskId] += seized - keeperAmount;
        emit DelegatorSynced(taskId, delegator, msg.sender, loss, seized, keeperAmount);
        if (keeperAmount != 0) _flock.safeTransfer(msg.sender, keeperAmount);
    }

    /// @dev Gives back to the pool's totals what they booked for a delegation outside a slash's window.
    function _restore(uint256 taskId, address operator, Pool storage pool, bool exiting, uint256 amount) private {
        if (exiting) {
            pool.exiting += uint96(amount);
        } else {
            pool.active += uint96(amount);
            Stakes storage s = _stakes[taskId];
            if (_members[taskId][operator].role == Role.Validator) {
                s.delegatedToValidators += uint96(amount);
            } else {
                s.delegatedToNodes += uint96(amount);
            }
            _report(taskId, _tasks[taskId], s); // the delegation counts in full again
        }
    }

    function _releaseDelegation(uint256 taskId, address delegator, MemberRecord storage member)
        private
        returns (uint256 value)
    {
        address operator = _operatorOf[taskId][delegator];
        Pool storage pool = _pools[taskId][operator];
        (value,) = _sync(taskId, delegator, member, pool);
        Stakes storage s = _stakes[taskId];
        if (member.exitAt != 0) {
            uint256 exiting = pool.exiting;
            pool.exiting = uint96(exiting - Math.min(value, exiting));
        } else {
            uint256 active = pool.active;
            uint256 moved = Math.min(value, active);
            pool.active = uint96(active - moved);
            _reduceDelegated(s, _members[taskId][operator].role, moved);
        }
        pool.allocated -= uint96(value);
        pool.delegators -= 1;
        s.delegationsAllocated -= uint96(value);
        member.stake = 0;
        member.released = true;
        emit StakeReleased(taskId, delegator, value, false);
    }

    /// @dev Books a slash of `gmAmount` of `account`'s effective stake: its own share now, its
    /// delegators' share in the pool's scale. Returns both parts.
    function _takeStake(uint256 taskId, address account, uint256 gmAmount, uint256 offenceAt)
        private
        returns (uint256 ownGm, uint256 poolGm)
    {
        MemberRecord storage member = _members[taskId][account];
        Role role = member.role;
        if (role != Role.Node && role != Role.Validator && role != Role.Participant) {
            _wrongRole(taskId, account, role);
        }
        Pool storage pool = _pools[taskId][account];
        uint256 own = member.stake;
        uint256 pooled = uint256(pool.active) + pool.exiting;
        if (gmAmount > own + pooled) revert TaskRegistrySlashExceedsStake(taskId, account, gmAmount, own + pooled);
        ownGm = Math.mulDiv(gmAmount, own, own + pooled);
        poolGm = gmAmount - ownGm;
        Stakes storage s = _stakes[taskId];
        if (ownGm != 0) {
            member.stake = uint96(own - ownGm);
            _subOwn(s, role, ownGm);
        }
        if (poolGm == 0) return (ownGm, 0);
        if (pool.slashes >= MAX_POOL_SLASHES) return (ownGm, 0); // the delegations' share is waived
        _slashPool(taskId, account, pool, pooled, poolGm, offenceAt, s, role);
    }

    /// @dev Records a slash of `poolGm` out of an operator's pool worth `pooled` for an offence at
    /// `offenceAt`, in O(1): the totals are booked as if every delegation were at risk; each
    /// delegation applies it at sync only if the offence falls in its window.
    function _slashPool(
        uint256 taskId,
        address operator,
        Pool storage pool,
        uint256 pooled,
        uint256 poolGm,
        uint256 offenceAt,
        Stakes storage s,
        Role role
    ) private {
        Pool memory p = pool;
        uint256 slashes = uint256(p.slashes) + 1;
        uint256 keep = Math.mulDiv(_SCALE_ONE, pooled - poolGm, pooled);
        _poolSlashes[taskId][operator][slashes] = PoolSlash(uint40(offenceAt), uint128(keep));
        uint256 active = Math.mulDiv(p.active, keep, _SCALE_ONE);
        uint256 activeLoss = p.active - active;
        pool.active = uint96(active);
        pool.exiting = uint96(Math.mulDiv(p.exiting, keep, _SCALE_ONE));
        pool.slashes = uint32(slashes);
        _reduceDelegated(s, role, activeLoss);
    }

    function _addOwn(Stakes storage s, Role role, uint256 amount) private {
        if (role == Role.Validator) {
            s.validators += SafeCast.toUint96(amount);
        } else {
            s.nodes += SafeCast.toUint96(amount);
        }
    }

    function _subOwn(Stakes storage s, Role role, uint256 amount) private {
        if (role == Role.Validator) {
            s.validators -= uint96(amount);
        } else {
            s.nodes -= uint96(amount);
        }
    }

    function _reduceDelegated(Stakes storage s, Role operatorRole, uint256 amount) private {
        if (amount == 0) return;
        if (operatorRole == Role.Validator) {
            uint256 current = s.delegatedToValidators;
            s.delegatedToValidators = uint96(current - Math.min(amount, current));
        } else {
            uint256 current = s.delegatedToNodes;
            s.delegatedToNodes = uint96(current - Math.min(amount, current));
        }
    }

    /// @dev Where gmFLOCK sends the FLOCK a slash seizes: straight to the route's recipient when all
    /// of it goes there (no keeper share, nothing burned: the Alliance's route), one transfer
    /// instead of two; otherwise here, and `_route` splits it.
    function _seizedTo(SlashRoute calldata route) private view returns (address) {
        return _routesAllToRecipient(route) ? route.recipient : address(this);
    }

    function _routesAllToRecipient(SlashRoute calldata route) private pure returns (bool) {
        return route.recipient != address(0) && route.keeperBps == 0 && route.burnBps == 0;
    }

    /// @dev Pays out (or records, if gmFLOCK paid the recipient directly) a slash's seized FLOCK.
    function _route(uint256 taskId, uint256 amount, SlashRoute calldata route) private {
        if (amount == 0) return;
        if (_routesAllToRecipient(route)) {
            emit SlashRouted(taskId, route.recipient, amount, route.keeper, 0, 0); // paid by gmFLOCK
            return;
        }
        uint256 keeperAmount = (amount * route.keeperBps) / _BPS;
        uint256 burned = (amount * route.burnBps) / _BPS;
        uint256 recipientAmount = amount - keeperAmount - burned;
        if (route.recipient == address(0)) {
            burned += recipientAmount;
            recipientAmount = 0;
        }
        if (route.keeper == address(0)) {
            burned += keeperAmount;
            keeperAmount = 0;
        }
        emit SlashRouted(taskId, route.recipient, recipientAmount, route.keeper, keeperAmount, burned);
        if (recipientAmount != 0) _flock.safeTransfer(route.recipient, recipientAmount);
        if (keeperAmount != 0) _flock.safeTransfer(route.keeper, keeperAmount);
        if (burned != 0) _flock.burn(burned);
    }

    // ======================================================================= internals: parameters

    function _checkSigma(uint256 sigmaBps) private view {
        uint256 low = _params.minSigmaBps;
        uint256 high = _params.maxSigmaBps;
        if (sigmaBps < low || sigmaBps > high) revert TaskRegistryInvalidSigma(sigmaBps, low, high);
    }

    /// @dev Reverts with `TaskRegistryParameterOutOfBounds(name, value)` unless low <= value <= high.
    function _bound(bytes32 name, uint256 value, uint256 low, uint256 high) private pure {
        if (value < low || value > high) revert TaskRegistryParameterOutOfBounds(name, value);
    }

    function _setStakeMinimums(uint256 node, uint256 validator, uint256 participant, uint256 delegation) private {
        uint256 max96 = type(uint96).max;
        _bound("minNodeStake", node, 1, max96);
        _bound("minValidatorStake", validator, 1, max96);
        _bound("minParticipantStake", participant, 1, max96);
        _bound("minDelegation", delegation, 1, max96);
        StoredParams storage p = _params;
        p.minNodeStake = uint96(node);
        p.minValidatorStake = uint96(validator);
        p.minParticipantStake = uint96(participant);
        p.minDelegation = uint96(delegation);
        emit StakeMinimumsSet(node, validator, participant, delegation);
    }

    function _setTaskRules(
        uint256 creatorStakePerDay,
        uint256 minTaskDuration,
        uint256 maxTaskDuration,
        uint256 disputeWindow,
        uint256 maxParticipants
    ) private {
        _bound("creatorStakePerDay", creatorStakePerDay, 0, type(uint96).max);
        _bound("minTaskDuration", minTaskDuration, 1, MAX_TASK_DURATION_BOUND);
        _bound("maxTaskDuration", maxTaskDuration, minTaskDuration, MAX_TASK_DURATION_BOUND);
        _bound("disputeWindow", disputeWindow, 0, MAX_DISPUTE_WINDOW);
        _bound("maxParticipants", maxParticipants, 2, MAX_PARTICIPANTS_BOUND);
        StoredParams storage p = _params;
        p.creatorStakePerDay = uint96(creatorStakePerDay);
        p.minTaskDuration = uint32(minTaskDuration);
        p.maxTaskDuration = uint32(maxTaskDuration);
        p.disputeWindow = uint32(disputeWindow);
        p.maxParticipants = uint16(maxParticipants);
        emit TaskRulesSet(creatorStakePerDay, minTaskDuration, maxTaskDuration, disputeWindow, maxParticipants);
    }

    function _setDelegationRules(
        uint256 minSigmaBps,
        uint256 maxSigmaBps,
        uint256 sigmaFreeze,
        uint256 undelegationCooldown,
        uint256 syncKeeperBps
    ) private {
        _bound("maxSigmaBps", maxSigmaBps, 0, _BPS);
        _bound("minSigmaBps", minSigmaBps, 0, maxSigmaBps);
        _bound("sigmaFreeze", sigmaFreeze, 0, MAX_TASK_DURATION_BOUND);
        _bound("undelegationCooldown", undelegationCooldown, 0, MAX_COOLDOWN);
        _bound("syncKeeperBps", syncKeeperBps, 0, MAX_SYNC_KEEPER_BPS);
        StoredParams storage p = _params;
        p.minSigmaBps = uint16(minSigmaBps);
        p.maxSigmaBps = uint16(maxSigmaBps);
        p.sigmaFreeze = uint32(sigmaFreeze);
        p.undelegationCooldown = uint32(undelegationCooldown);
        p.syncKeeperBps = uint16(syncKeeperBps);
        emit DelegationRulesSet(minSigmaBps, maxSigmaBps, sigmaFreeze, undelegationCooldown, syncKeeperBps);
    }
}
