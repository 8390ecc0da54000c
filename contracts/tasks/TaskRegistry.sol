// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {IGmFlock} from "../../interfaces/IGmFlock.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";
import {TaskLifecycle} from "./TaskLifecycle.sol";
import {TaskRegistryStorage} from "./TaskRegistryStorage.sol";
import {DelegationPool} from "./DelegationPool.sol";
import {TaskStatus} from "./TaskStatus.sol";
import {ModuleCall} from "../utils/ModuleCall.sol";

/**
 * @title TaskRegistry
 * @dev AI Arena and FL Alliance tasks and the gmFLOCK staked in them. See {ITaskRegistry} for the
 * rules; docs/tasks.md walks through delegation pools and lazy slashing with an example.
 *
 * This contract holds the registry's `STAKE_MANAGER_ROLE` and `SLASHER_ROLE` on gmFLOCK: every
 * stake here is a gmFLOCK allocation of its owner, and the ledger below always adds up to those
 * allocations (invariant 4): creator stakes + own stakes + the pools' `allocated` of every task =
 * the sum of gmFLOCK allocations (a task's delegations are counted in its pools only, decision
 * 190). An approved task reports its node and validator stake (own + delegated, after slashes) to
 * the emission controller whenever it changes, until its end.
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
 *                        [ delegationsAllocated: 96 ]   DEPRECATED, neither read nor written (decision
 *                                                  190: the sum of the task's pools' `allocated`)
 *     _members[id][a]    [ role: 8 | stake: 96 | sigma: 16 | since: 40 | exitAt: 40 |
 *                          syncedSlashes: 32 | released: 8 ]               one slot per member
 *     _operatorOf[id][a] a delegator's operator
 *     _pools[id][op]     [ active: 96 | exiting: 96 | slashes: 32 ]      ({DelegationPool})
 *                        [ allocated: 96 | delegators: 32 ]
 *     _poolSlashes[id][op][k]  [ offenceAt: 40 | keep: 128 ]     the pool's k-th slash (k from 1)
 *
 * The contract is a thin layer over libraries that each hold one concept: {DelegationPool} (a
 * pool's deposits, exits, lazy slashes and their risk windows, over {SlashScale}'s arithmetic),
 * {TaskStatus} (the "task is active" and "task is eligible" rules) and {ModuleCall} (the lifecycle
 * module, {TaskLifecycle}, run by delegatecall). The task's own totals (`_stakes`) follow what the
 * pool functions return: the active pool values are the delegated stake reported for emissions.
 */
/// @custom:oz-upgrades-unsafe-allow delegatecall
contract TaskRegistry is
    TaskRegistryStorage,
    ITaskRegistry,
    AccessControlUpgradeable,
    ReentrancyGuardTransient,
    UUPSUpgradeable
{
    using DelegationPool for DelegationPool.Pool;
    using EnumerableSet for EnumerableSet.UintSet;
    using SafeERC20 for IFlockToken;

    /// @inheritdoc ITaskRegistry
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");

    /// @notice Hard bounds on the governance parameters.
    uint256 public constant MAX_TASK_DURATION_BOUND = _MAX_TASK_DURATION_BOUND;
    uint256 public constant MAX_DISPUTE_WINDOW = _MAX_DISPUTE_WINDOW;
    uint256 public constant MAX_COOLDOWN = _MAX_COOLDOWN;
    uint256 public constant MAX_PARTICIPANTS_BOUND = _MAX_PARTICIPANTS_BOUND;
    uint256 public constant MAX_SYNC_KEEPER_BPS = _MAX_SYNC_KEEPER_BPS;
    /// @notice Sigma changes at most once per this period.
    uint256 public constant SIGMA_CHANGE_INTERVAL = _SIGMA_CHANGE_INTERVAL;
    /// @notice Slashes a delegation pool records; later slashes of the operator take its own stake only.
    uint256 public constant MAX_POOL_SLASHES = _MAX_POOL_SLASHES;

    /// @dev The lifecycle module (approval, cancellation, end, stake release, governance
    /// parameters), run by delegatecall; each implementation deploys its own, so it is fixed for the
    /// implementation's life (an upgrade brings its module along).
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    address private immutable _lifecycle;

    /**
     * @dev The implementation: the contracts it calls are its immutables (gmFLOCK and the emission
     * controller are proxies, FLOCK has none, so these addresses are fixed across upgrades), and so
     * is its lifecycle module, deployed here; the proxy's state is set by {initialize}, and the
     * implementation itself can never be initialized.
     * @param gm the gmFLOCK contract; this registry needs its STAKE_MANAGER_ROLE and SLASHER_ROLE.
     * @param emissions_ the emission controller; this registry needs its TASK_REGISTRY_ROLE.
     * @custom:oz-upgrades-unsafe-allow constructor
     */
    constructor(IGmFlock gm, IEmissionController emissions_) TaskRegistryStorage(gm, emissions_) {
        _lifecycle = address(new TaskLifecycle(gm, emissions_));
        _disableInitializers();
    }

    /**
     * @notice Sets the proxy's state, once, in the proxy's deployment.
     * @param admin receives `DEFAULT_ADMIN_ROLE` (the deployer until governance takes over).
     * @param params the initial governance parameters.
     */
    function initialize(address admin, Parameters calldata params) external initializer {
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        // The lifecycle module validates and stores the parameters, as for governance's setters.
        ModuleCall.run(
            _lifecycle,
            abi.encodeCall(
                ITaskRegistry.setStakeMinimums,
                (params.minNodeStake, params.minValidatorStake, params.minParticipantStake, params.minDelegation)
            )
        );
        ModuleCall.run(
            _lifecycle,
            abi.encodeCall(
                ITaskRegistry.setTaskRules,
                (
                    params.creatorStakePerDay,
                    params.minTaskDuration,
                    params.maxTaskDuration,
                    params.disputeWindow,
                    params.maxParticipants
                )
            )
        );
        ModuleCall.run(
            _lifecycle,
            abi.encodeCall(
                ITaskRegistry.setDelegationRules,
                (
                    params.minSigmaBps,
                    params.maxSigmaBps,
                    params.sigmaFreeze,
                    params.undelegationCooldown,
                    params.syncKeeperBps
                )
            )
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
        RegistryStorage storage $ = _getRegistryStorage();
        StoredParams storage p = $._params;
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

        taskId = ++$._taskCount;
        $._tasks[taskId] = Task({
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
        $._byState[TaskState.Pending].add(taskId);
        emit TaskCreated(
            taskId, msg.sender, kind, endTime, creatorStake, specHash, specURI, minParticipants, maxParticipants
        );
        if (creatorStake != 0) _gm.allocate(msg.sender, creatorStake);
    }

    /// @inheritdoc ITaskRegistry
    function approveTask(uint256) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ModuleCall.forward(_lifecycle);
    }

    /// @inheritdoc ITaskRegistry
    function cancelTask(uint256) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ModuleCall.forward(_lifecycle);
    }

    /// @inheritdoc ITaskRegistry
    function endTask(uint256) external {
        ModuleCall.forward(_lifecycle);
    }

    // ======================================================================= roles in a task

    /// @inheritdoc ITaskRegistry
    function join(uint256 taskId, Role role, uint256 amount, uint256 sigmaBps) external {
        RegistryStorage storage $ = _getRegistryStorage();
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        TaskKind kind = task.kind;
        MemberRecord storage member = $._members[taskId][msg.sender];
        if (member.role != Role.None) revert TaskRegistryAlreadyMember(taskId, msg.sender, member.role);
        Stakes storage s = $._stakes[taskId];
        uint256 members = s.members;
        uint256 minimum;
        uint256 sigmaSetAt;
        if (kind == TaskKind.Alliance) {
            if (role != Role.Participant) revert TaskRegistryRoleNotInTask(taskId, kind, role);
            if (sigmaBps != 0) revert TaskRegistryInvalidSigma(sigmaBps, 0, 0);
            uint256 maxParticipants = task.maxParticipants;
            if (members >= maxParticipants) revert TaskRegistryTaskFull(taskId, maxParticipants);
            minimum = $._params.minParticipantStake;
            sigmaSetAt = block.timestamp; // joinedAt: the round contract's eviction clock starts here
        } else {
            if (role != Role.Node && role != Role.Validator) revert TaskRegistryRoleNotInTask(taskId, kind, role);
            minimum = role == Role.Node ? $._params.minNodeStake : $._params.minValidatorStake;
            _checkSigma(sigmaBps);
            sigmaSetAt = block.timestamp;
        }
        if (amount < minimum) revert TaskRegistryStakeBelowMinimum(amount, minimum);
        $._members[taskId][msg.sender] = MemberRecord({
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
        RegistryStorage storage $ = _getRegistryStorage();
        if (amount == 0) revert TaskRegistryZeroAmount();
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        MemberRecord storage member = $._members[taskId][msg.sender];
        Role role = member.role;
        if (role == Role.None || role == Role.Delegator) _wrongRole(taskId, msg.sender, role);
        if (member.exitAt != 0) revert TaskRegistryVacated(taskId, msg.sender, member.exitAt);
        uint256 stake = member.stake + amount;
        member.stake = SafeCast.toUint96(stake);
        Stakes storage s = $._stakes[taskId];
        _addOwn(s, role, amount);
        emit StakeAdded(taskId, msg.sender, amount, stake);
        _gm.allocate(msg.sender, amount);
        _report(taskId, task, s);
    }

    /// @inheritdoc ITaskRegistry
    function setSigma(uint256 taskId, uint256 sigmaBps) external {
        RegistryStorage storage $ = _getRegistryStorage();
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        uint256 frozenFrom = uint256(task.endTime) - Math.min($._params.sigmaFreeze, task.endTime);
        if (block.timestamp >= frozenFrom) revert TaskRegistrySigmaFrozen(taskId, frozenFrom);
        MemberRecord storage member = $._members[taskId][msg.sender];
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
        RegistryStorage storage $ = _getRegistryStorage();
        if (amount == 0) revert TaskRegistryZeroAmount();
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        if (task.kind != TaskKind.Arena) revert TaskRegistryRoleNotInTask(taskId, task.kind, Role.Delegator);
        Role operatorRole = $._members[taskId][operator].role;
        if (operatorRole != Role.Node && operatorRole != Role.Validator) {
            _wrongRole(taskId, operator, operatorRole);
        }
        MemberRecord storage member = $._members[taskId][msg.sender];
        DelegationPool.Pool storage pool = $._pools[taskId][operator];
        Stakes storage s = $._stakes[taskId];
        bool newDelegator;
        uint256 allocated;
        uint256 since = block.timestamp; // a new delegation answers for offences from now on
        if (member.role == Role.None || (member.role == Role.Delegator && member.released)) {
            uint256 minimum = $._params.minDelegation;
            if (amount < minimum) revert TaskRegistryStakeBelowMinimum(amount, minimum);
            $._operatorOf[taskId][msg.sender] = operator;
            allocated = amount;
            newDelegator = true;
        } else if (member.role == Role.Delegator) {
            address current = $._operatorOf[taskId][msg.sender];
            if (current != operator) revert TaskRegistryDelegatedElsewhere(taskId, msg.sender, current);
            if (member.exitAt != 0) revert TaskRegistryUndelegating(taskId, msg.sender, member.exitAt);
            (allocated,) = _sync(taskId, msg.sender, member, pool);
            allocated += amount;
            since = member.since; // a top-up joins its delegation's risk window
        } else {
            revert TaskRegistryAlreadyMember(taskId, msg.sender, member.role);
        }
        $._members[taskId][msg.sender] = MemberRecord({
            role: Role.Delegator,
            stake: SafeCast.toUint96(allocated),
            sigmaBps: 0,
            since: uint40(since),
            exitAt: 0,
            syncedSlashes: pool.slashes,
            released: false
        });
        pool.deposit(amount, newDelegator);
        _addDelegated(s, operatorRole, amount);
        emit Delegated(taskId, msg.sender, operator, amount, allocated);
        _gm.allocate(msg.sender, amount);
        _report(taskId, task, s);
    }

    /// @inheritdoc ITaskRegistry
    function undelegate(uint256 taskId) external {
        RegistryStorage storage $ = _getRegistryStorage();
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        MemberRecord storage member = $._members[taskId][msg.sender];
        if (member.role != Role.Delegator || member.released) {
            _wrongRole(taskId, msg.sender, member.role);
        }
        if (member.exitAt != 0) revert TaskRegistryUndelegating(taskId, msg.sender, member.exitAt);
        address operator = $._operatorOf[taskId][msg.sender];
        DelegationPool.Pool storage pool = $._pools[taskId][operator];
        (uint256 value,) = _sync(taskId, msg.sender, member, pool);
        uint256 moved = pool.leave(value);
        member.exitAt = uint40(block.timestamp);
        Stakes storage s = $._stakes[taskId];
        _reduceDelegated(s, $._members[taskId][operator].role, moved);
        emit UndelegationRequested(taskId, msg.sender, operator, value, _delegationReleaseAt(task, block.timestamp));
        _report(taskId, task, s);
    }

    /// @inheritdoc ITaskRegistry
    function sync(uint256 taskId, address delegator) external nonReentrant returns (uint256 flockSeized) {
        RegistryStorage storage $ = _getRegistryStorage();
        _task(taskId);
        MemberRecord storage member = $._members[taskId][delegator];
        if (member.role != Role.Delegator || member.released) {
            _wrongRole(taskId, delegator, member.role);
        }
        (, flockSeized) = _sync(taskId, delegator, member, $._pools[taskId][$._operatorOf[taskId][delegator]]);
    }

    /// @inheritdoc ITaskRegistry
    function release(uint256, address) external returns (uint256) {
        ModuleCall.forward(_lifecycle);
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
        _report(taskId, task, _getRegistryStorage()._stakes[taskId]);
        _route(taskId, flockSeized, route);
    }

    /// @inheritdoc ITaskRegistry
    function vacate(uint256 taskId, address account) external onlyRole(SLASHER_ROLE) {
        RegistryStorage storage $ = _getRegistryStorage();
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        MemberRecord storage member = $._members[taskId][account];
        Role role = member.role;
        if (role != Role.Participant || member.released) _wrongRole(taskId, account, role);
        uint256 exitAt = member.exitAt;
        if (exitAt != 0) revert TaskRegistryVacated(taskId, account, exitAt);
        member.exitAt = uint40(block.timestamp);
        $._stakes[taskId].members -= 1;
        emit MemberVacated(taskId, account, msg.sender);
    }

    /// @inheritdoc ITaskRegistry
    function withdrawSlashPot(uint256 taskId, address to, uint256 amount) external onlyRole(SLASHER_ROLE) nonReentrant {
        RegistryStorage storage $ = _getRegistryStorage();
        if (amount == 0) revert TaskRegistryZeroAmount();
        uint256 available = $._slashPot[taskId];
        if (amount > available) revert TaskRegistryPotExceeded(taskId, amount, available);
        $._slashPot[taskId] = available - amount;
        emit SlashPotWithdrawn(taskId, to, amount);
        _flock.safeTransfer(to, amount);
    }

    // ======================================================================= governance

    /// @inheritdoc ITaskRegistry
    function setStakeMinimums(uint256, uint256, uint256, uint256) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ModuleCall.forward(_lifecycle);
    }

    /// @inheritdoc ITaskRegistry
    function setTaskRules(uint256, uint256, uint256, uint256, uint256) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ModuleCall.forward(_lifecycle);
    }

    /// @inheritdoc ITaskRegistry
    function setDelegationRules(uint256, uint256, uint256, uint256, uint256) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ModuleCall.forward(_lifecycle);
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
        StoredParams storage p = _getRegistryStorage()._params;
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
        StoredParams storage p = _getRegistryStorage()._params;
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
        StoredParams storage p = _getRegistryStorage()._params;
        return (p.minSigmaBps, p.maxSigmaBps, p.sigmaFreeze, p.undelegationCooldown, p.syncKeeperBps);
    }

    /// @inheritdoc ITaskRegistry
    function taskCount() external view returns (uint256) {
        return _getRegistryStorage()._taskCount;
    }

    /// @inheritdoc ITaskRegistry
    function taskInfo(uint256 taskId) external view returns (TaskInfo memory) {
        RegistryStorage storage $ = _getRegistryStorage();
        Task memory t = $._tasks[taskId];
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
            members: $._stakes[taskId].members
        });
    }

    /// @inheritdoc ITaskRegistry
    function taskStakes(uint256 taskId) external view returns (TaskStakes memory stakes) {
        RegistryStorage storage $ = _getRegistryStorage();
        Stakes storage s = $._stakes[taskId];
        Task storage task = $._tasks[taskId];
        stakes.creator = task.creatorStake;
        if (task.kind == TaskKind.Alliance) {
            stakes.participants = s.nodes;
        } else {
            stakes.nodes = s.nodes;
        }
        stakes.validators = s.validators;
        stakes.delegatedToNodes = s.delegatedToNodes;
        stakes.delegatedToValidators = s.delegatedToValidators;
    }

    /// @inheritdoc ITaskRegistry
    function isEligible(uint256 taskId) external view returns (bool) {
        Task storage t = _getRegistryStorage()._tasks[taskId];
        return TaskStatus.isEligible(t.state, t.endTime);
    }

    /// @inheritdoc ITaskRegistry
    function isActive(uint256 taskId) external view returns (bool) {
        Task storage t = _getRegistryStorage()._tasks[taskId];
        return TaskStatus.isActive(t.state, t.endTime);
    }

    /// @inheritdoc ITaskRegistry
    function tasksByState(TaskState state, uint256 offset, uint256 limit)
        external
        view
        returns (uint256[] memory ids, uint256 total)
    {
        EnumerableSet.UintSet storage set = _getRegistryStorage()._byState[state];
        total = set.length();
        uint256 end = offset >= total ? offset : Math.min(total, offset + limit);
        ids = new uint256[](end - offset);
        for (uint256 i = 0; i < ids.length; ++i) {
            ids[i] = set.at(offset + i);
        }
    }

    /// @inheritdoc ITaskRegistry
    function memberOf(uint256 taskId, address account) external view returns (Member memory) {
        MemberRecord memory m = _getRegistryStorage()._members[taskId][account];
        return Member(m.role, m.stake, m.sigmaBps, m.since, m.exitAt, m.released);
    }

    /// @inheritdoc ITaskRegistry
    function slashableStake(uint256 taskId, address account) external view returns (uint256 stake, uint256 closesAt) {
        RegistryStorage storage $ = _getRegistryStorage();
        return ($._members[taskId][account].stake, _taskReleaseAt($._tasks[taskId]));
    }

    /// @inheritdoc ITaskRegistry
    function effectiveStake(uint256 taskId, address operator)
        external
        view
        returns (uint256 own, uint256 delegated, uint256 total)
    {
        RegistryStorage storage $ = _getRegistryStorage();
        MemberRecord storage m = $._members[taskId][operator];
        Role role = m.role;
        if (role == Role.Delegator) return (0, 0, 0);
        own = m.stake;
        if (role == Role.Node || role == Role.Validator) delegated = $._pools[taskId][operator].active;
        total = own + delegated;
    }

    /// @inheritdoc ITaskRegistry
    function poolOf(uint256 taskId, address operator)
        external
        view
        returns (uint256 active, uint256 exiting, uint256 allocated, uint256 delegators, uint256 slashes)
    {
        DelegationPool.Pool memory pool = _getRegistryStorage()._pools[taskId][operator];
        return (pool.active, pool.exiting, pool.allocated, pool.delegators, pool.slashes);
    }

    /// @inheritdoc ITaskRegistry
    function delegationOf(uint256 taskId, address delegator) external view returns (DelegationInfo memory info) {
        RegistryStorage storage $ = _getRegistryStorage();
        MemberRecord memory m = $._members[taskId][delegator];
        if (m.role != Role.Delegator || m.released) return info;
        info.operator = $._operatorOf[taskId][delegator];
        info.allocated = m.stake;
        (info.value,) = _valueOf(taskId, info.operator, m);
        info.exitAt = m.exitAt;
        Task storage task = $._tasks[taskId];
        info.releaseAt = m.exitAt != 0 ? _delegationReleaseAt(task, m.exitAt) : _taskReleaseAt(task);
    }

    /// @inheritdoc ITaskRegistry
    function participantCount(uint256 taskId) external view returns (uint256) {
        RegistryStorage storage $ = _getRegistryStorage();
        return $._tasks[taskId].kind == TaskKind.Alliance ? $._stakes[taskId].members : 0;
    }

    /// @inheritdoc ITaskRegistry
    function slashPot(uint256 taskId) external view returns (uint256) {
        return _getRegistryStorage()._slashPot[taskId];
    }

    // ======================================================================= internals

    /// @dev Only the admin (the timelock, after the handover) upgrades the implementation.
    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}
}
