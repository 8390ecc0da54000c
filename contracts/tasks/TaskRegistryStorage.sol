// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {IGmFlock} from "../../interfaces/IGmFlock.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";
import {DelegationPool} from "./DelegationPool.sol";
import {TaskStatus} from "./TaskStatus.sol";

/**
 * @title TaskRegistryStorage
 * @dev The state of {TaskRegistry} (one ERC-7201 namespace) and the rules it shares with its
 * lifecycle module {TaskLifecycle}, which runs the task's approval, cancellation and end, the
 * release of stakes and the governance parameters by delegatecall on the same storage (the two
 * contracts together exceed the 24 KiB code limit: docs/decisions.md 90). Both inherit this
 * contract; neither declares state of its own. TaskRegistry's NatSpec has the slot map and the
 * delegation-pool arithmetic.
 */
abstract contract TaskRegistryStorage {
    using DelegationPool for DelegationPool.Pool;
    using EnumerableSet for EnumerableSet.UintSet;
    using SafeERC20 for IFlockToken;

    // Hard bounds on the governance parameters (TaskRegistry publishes them).
    uint256 internal constant _MAX_TASK_DURATION_BOUND = 365 days;
    uint256 internal constant _MAX_DISPUTE_WINDOW = 90 days;
    uint256 internal constant _MAX_COOLDOWN = 90 days;
    uint256 internal constant _MAX_PARTICIPANTS_BOUND = 1_000;
    uint256 internal constant _MAX_SYNC_KEEPER_BPS = 2_000;
    uint256 internal constant _SIGMA_CHANGE_INTERVAL = 1 days;
    uint256 internal constant _MAX_POOL_SLASHES = 32;

    uint256 internal constant _BPS = 10_000;

    struct Task {
        address creator;
        uint40 endTime;
        uint24 disputeWindow; // at most MAX_DISPUTE_WINDOW (90 days < 2^24 s)
        ITaskRegistry.TaskKind kind;
        ITaskRegistry.TaskState state;
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
        uint96 delegationsAllocated; // DEPRECATED, neither read nor written (decision 190): layout only
    }

    struct MemberRecord {
        ITaskRegistry.Role role;
        uint96 stake; // own stake, or the gmFLOCK allocated to a delegation
        uint16 sigmaBps;
        uint40 since; // operators: last sigma change; delegators: delegation start; participants: join
        uint40 exitAt;
        uint32 syncedSlashes;
        bool released;
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

    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IGmFlock internal immutable _gm;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IFlockToken internal immutable _flock;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IEmissionController internal immutable _emissions;

    /// @custom:storage-location erc7201:flock.storage.TaskRegistry
    struct RegistryStorage {
        StoredParams _params;
        uint256 _taskCount;
        mapping(uint256 taskId => Task) _tasks;
        mapping(uint256 taskId => Stakes) _stakes;
        mapping(uint256 taskId => mapping(address account => MemberRecord)) _members;
        mapping(uint256 taskId => mapping(address delegator => address)) _operatorOf;
        mapping(uint256 taskId => mapping(address operator => DelegationPool.Pool)) _pools;
        mapping(uint256 taskId => mapping(address operator => mapping(uint256 k => DelegationPool.Slash))) _poolSlashes;
        mapping(uint256 taskId => uint256) _slashPot;
        mapping(ITaskRegistry.TaskState state => EnumerableSet.UintSet) _byState;
    }

    // keccak256(abi.encode(uint256(keccak256("flock.storage.TaskRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _TASK_REGISTRY_STORAGE =
        0x18495e321d94b97923708f49056929c43e5bb3f0c62c7ac22c3e83bfbc380500;

    /**
     * @dev The contracts the registry calls: gmFLOCK and the emission controller are proxies,
     * FLOCK has none, so these addresses are fixed across upgrades.
     * @param gm the gmFLOCK contract; this registry needs its STAKE_MANAGER_ROLE and SLASHER_ROLE.
     * @param emissions_ the emission controller; this registry needs its TASK_REGISTRY_ROLE.
     * @custom:oz-upgrades-unsafe-allow constructor
     */
    constructor(IGmFlock gm, IEmissionController emissions_) {
        _gm = gm;
        _flock = gm.flock();
        _emissions = emissions_;
    }

    // ======================================================================= internals: tasks

    function _wrongRole(uint256 taskId, address account, ITaskRegistry.Role role) internal pure {
        revert ITaskRegistry.TaskRegistryWrongRole(taskId, account, role);
    }

    function _task(uint256 taskId) internal view returns (Task storage task) {
        task = _getRegistryStorage()._tasks[taskId];
        if (task.state == ITaskRegistry.TaskState.None) revert ITaskRegistry.TaskRegistryUnknownTask(taskId);
    }

    function _requireActive(uint256 taskId, Task storage task) internal view {
        ITaskRegistry.TaskState state = task.state;
        uint256 endTime = task.endTime;
        if (!TaskStatus.isActive(state, endTime)) {
            revert ITaskRegistry.TaskRegistryTaskNotActive(taskId, state, endTime);
        }
    }

    function _moveState(uint256 taskId, Task storage task, ITaskRegistry.TaskState to) internal {
        RegistryStorage storage $ = _getRegistryStorage();
        $._byState[task.state].remove(taskId);
        $._byState[to].add(taskId);
        task.state = to;
    }

    function _end(uint256 taskId, Task storage task) internal {
        _moveState(taskId, task, ITaskRegistry.TaskState.Ended);
        emit ITaskRegistry.TaskEnded(taskId);
    }

    /// @dev Tells the emission controller about a stake change of an approved, running task.
    function _report(uint256 taskId, Task storage task, Stakes storage s) internal {
        if (!TaskStatus.isEligible(task.state, task.endTime)) return;
        if (task.kind == ITaskRegistry.TaskKind.Alliance) {
            _emissions.updateTask(taskId, s.nodes, 0); // participants; no delegation in Alliance tasks
        } else {
            _emissions.updateTask(
                taskId, uint256(s.nodes) + s.delegatedToNodes, uint256(s.validators) + s.delegatedToValidators
            );
        }
    }

    function _taskReleaseAt(Task storage task) internal view returns (uint256) {
        return uint256(task.endTime) + task.disputeWindow;
    }

    /// @dev A delegation that stopped counting at `exitAt` stays at risk for the dispute window
    /// after the earlier of its exit and the task's end, and at least for the cooldown.
    function _delegationReleaseAt(Task storage task, uint256 exitAt) internal view returns (uint256) {
        return Math.max(
            Math.min(exitAt, task.endTime) + task.disputeWindow,
            exitAt + _getRegistryStorage()._params.undelegationCooldown
        );
    }

    // ======================================================================= internals: pools

    /// @dev A delegation's value and book value after its pool's slashes since it last synced
    /// ({DelegationPool-valueOf}).
    function _valueOf(uint256 taskId, address operator, MemberRecord memory m)
        internal
        view
        returns (uint256 value, uint256 book)
    {
        RegistryStorage storage $ = _getRegistryStorage();
        return DelegationPool.valueOf(
            $._poolSlashes[taskId][operator],
            $._pools[taskId][operator].slashes,
            m.stake,
            m.since,
            m.exitAt,
            m.syncedSlashes
        );
    }

    /// @dev Applies the pool's slashes since the delegation last synced to the delegator's gmFLOCK.
    /// Returns the delegation's value (= its allocation after the sync) and the FLOCK seized: the
    /// keeper share to a third-party caller, the rest to the task's slash pot.
    function _sync(uint256 taskId, address delegator, MemberRecord storage member, DelegationPool.Pool storage pool)
        internal
        returns (uint256 value, uint256 seized)
    {
        RegistryStorage storage $ = _getRegistryStorage();
        MemberRecord memory m = member;
        uint256 slashes = pool.slashes;
        if (m.syncedSlashes == slashes) return (m.stake, 0);
        address operator = $._operatorOf[taskId][delegator];
        uint256 book;
        (value, book) = _valueOf(taskId, operator, m);
        uint256 loss = m.stake - value;
        member.stake = uint96(value);
        member.syncedSlashes = uint32(slashes);
        pool.settle(m.exitAt != 0, value - book, loss);
        if (value != book && m.exitAt == 0) _countAgain(taskId, operator, value - book);
        if (loss == 0) {
            emit ITaskRegistry.DelegatorSynced(taskId, delegator, msg.sender, 0, 0, 0); // a slash too small to reach it
            return (value, 0);
        }
        seized = _gm.slash(delegator, loss, address(this));
        uint256 keeperAmount;
        if (msg.sender != delegator) keeperAmount = (seized * $._params.syncKeeperBps) / _BPS;
        $._slashPot[taskId] += seized - keeperAmount;
        emit ITaskRegistry.DelegatorSynced(taskId, delegator, msg.sender, loss, seized, keeperAmount);
        if (keeperAmount != 0) _flock.safeTransfer(msg.sender, keeperAmount);
    }

    /// @dev A sync gave `amount` back to the active pool of `operator`: it counts again in the
    /// operator's delegated stake, and the emission controller hears of it.
    function _countAgain(uint256 taskId, address operator, uint256 amount) private {
        RegistryStorage storage $ = _getRegistryStorage();
        Stakes storage s = $._stakes[taskId];
        _addDelegated(s, $._members[taskId][operator].role, amount);
        _report(taskId, $._tasks[taskId], s);
    }

    function _releaseDelegation(uint256 taskId, address delegator, MemberRecord storage member)
        internal
        returns (uint256 value)
    {
        RegistryStorage storage $ = _getRegistryStorage();
        address operator = $._operatorOf[taskId][delegator];
        DelegationPool.Pool storage pool = $._pools[taskId][operator];
        (value,) = _sync(taskId, delegator, member, pool);
        Stakes storage s = $._stakes[taskId];
        uint256 moved = pool.withdraw(value, member.exitAt != 0);
        _reduceDelegated(s, $._members[taskId][operator].role, moved);
        member.stake = 0;
        member.released = true;
        emit ITaskRegistry.StakeReleased(taskId, delegator, value, false);
    }

    /// @dev Books a slash of `gmAmount` of `account`'s effective stake: its own share now, its
    /// delegators' share in the pool's scale. Returns both parts.
    function _takeStake(uint256 taskId, address account, uint256 gmAmount, uint256 offenceAt)
        internal
        returns (uint256 ownGm, uint256 poolGm)
    {
        RegistryStorage storage $ = _getRegistryStorage();
        MemberRecord storage member = $._members[taskId][account];
        ITaskRegistry.Role role = member.role;
        if (
            role != ITaskRegistry.Role.Node && role != ITaskRegistry.Role.Validator
                && role != ITaskRegistry.Role.Participant
        ) {
            _wrongRole(taskId, account, role);
        }
        DelegationPool.Pool storage pool = $._pools[taskId][account];
        uint256 own = member.stake;
        // Only nodes and validators take delegations: a participant's pool is empty, not read.
        uint256 pooled = role == ITaskRegistry.Role.Participant ? 0 : uint256(pool.active) + pool.exiting;
        if (gmAmount > own + pooled) {
            revert ITaskRegistry.TaskRegistrySlashExceedsStake(taskId, account, gmAmount, own + pooled);
        }
        ownGm = Math.mulDiv(gmAmount, own, own + pooled);
        poolGm = gmAmount - ownGm;
        Stakes storage s = $._stakes[taskId];
        if (ownGm != 0) {
            member.stake = uint96(own - ownGm);
            _subOwn(s, role, ownGm);
        }
        if (poolGm == 0) return (ownGm, 0);
        if (pool.slashes >= _MAX_POOL_SLASHES) return (ownGm, 0); // the delegations' share is waived
        _slashPool(taskId, account, pool, pooled, poolGm, offenceAt, s, role);
    }

    /// @dev Records the pool's share of a slash in O(1) ({DelegationPool-slash}: the totals are
    /// booked as if every delegation were at risk; each delegation applies the slash at sync only
    /// if the offence falls in its window) and takes the active loss out of the delegated stake.
    function _slashPool(
        uint256 taskId,
        address operator,
        DelegationPool.Pool storage pool,
        uint256 pooled,
        uint256 poolGm,
        uint256 offenceAt,
        Stakes storage s,
        ITaskRegistry.Role role
    ) private {
        uint256 activeLoss = pool.slash(_getRegistryStorage()._poolSlashes[taskId][operator], pooled, poolGm, offenceAt);
        _reduceDelegated(s, role, activeLoss);
    }

    function _addOwn(Stakes storage s, ITaskRegistry.Role role, uint256 amount) internal {
        if (role == ITaskRegistry.Role.Validator) {
            s.validators += SafeCast.toUint96(amount);
        } else {
            s.nodes += SafeCast.toUint96(amount);
        }
    }

    function _subOwn(Stakes storage s, ITaskRegistry.Role role, uint256 amount) internal {
        if (role == ITaskRegistry.Role.Validator) {
            s.validators -= uint96(amount);
        } else {
            s.nodes -= uint96(amount);
        }
    }

    function _addDelegated(Stakes storage s, ITaskRegistry.Role operatorRole, uint256 amount) internal {
        if (operatorRole == ITaskRegistry.Role.Validator) {
            s.delegatedToValidators += uint96(amount);
        } else {
            s.delegatedToNodes += uint96(amount);
        }
    }

    function _reduceDelegated(Stakes storage s, ITaskRegistry.Role operatorRole, uint256 amount) internal {
        if (amount == 0) return;
        if (operatorRole == ITaskRegistry.Role.Validator) {
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
    function _seizedTo(ITaskRegistry.SlashRoute calldata route) internal view returns (address) {
        return _routesAllToRecipient(route) ? route.recipient : address(this);
    }

    function _routesAllToRecipient(ITaskRegistry.SlashRoute calldata route) internal pure returns (bool) {
        return route.recipient != address(0) && route.keeperBps == 0 && route.burnBps == 0;
    }

    /// @dev Pays out (or records, if gmFLOCK paid the recipient directly) a slash's seized FLOCK.
    function _route(uint256 taskId, uint256 amount, ITaskRegistry.SlashRoute calldata route) internal {
        if (amount == 0) return;
        if (_routesAllToRecipient(route)) {
            emit ITaskRegistry.SlashRouted(taskId, route.recipient, amount, route.keeper, 0, 0); // paid by gmFLOCK
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
        emit ITaskRegistry.SlashRouted(taskId, route.recipient, recipientAmount, route.keeper, keeperAmount, burned);
        if (recipientAmount != 0) _flock.safeTransfer(route.recipient, recipientAmount);
        if (keeperAmount != 0) _flock.safeTransfer(route.keeper, keeperAmount);
        if (burned != 0) _flock.burn(burned);
    }

    // ======================================================================= internals: parameters

    function _checkSigma(uint256 sigmaBps) internal view {
        RegistryStorage storage $ = _getRegistryStorage();
        uint256 low = $._params.minSigmaBps;
        uint256 high = $._params.maxSigmaBps;
        if (sigmaBps < low || sigmaBps > high) revert ITaskRegistry.TaskRegistryInvalidSigma(sigmaBps, low, high);
    }

    /// @dev Reverts with `TaskRegistryParameterOutOfBounds(name, value)` unless low <= value <= high.
    function _bound(bytes32 name, uint256 value, uint256 low, uint256 high) internal pure {
        if (value < low || value > high) revert ITaskRegistry.TaskRegistryParameterOutOfBounds(name, value);
    }

    function _setStakeMinimums(uint256 node, uint256 validator, uint256 participant, uint256 delegation) internal {
        uint256 max96 = type(uint96).max;
        _bound("minNodeStake", node, 1, max96);
        _bound("minValidatorStake", validator, 1, max96);
        _bound("minParticipantStake", participant, 1, max96);
        _bound("minDelegation", delegation, 1, max96);
        StoredParams storage p = _getRegistryStorage()._params;
        p.minNodeStake = uint96(node);
        p.minValidatorStake = uint96(validator);
        p.minParticipantStake = uint96(participant);
        p.minDelegation = uint96(delegation);
        emit ITaskRegistry.StakeMinimumsSet(node, validator, participant, delegation);
    }

    function _setTaskRules(
        uint256 creatorStakePerDay,
        uint256 minTaskDuration,
        uint256 maxTaskDuration,
        uint256 disputeWindow,
        uint256 maxParticipants
    ) internal {
        _bound("creatorStakePerDay", creatorStakePerDay, 0, type(uint96).max);
        _bound("minTaskDuration", minTaskDuration, 1, _MAX_TASK_DURATION_BOUND);
        _bound("maxTaskDuration", maxTaskDuration, minTaskDuration, _MAX_TASK_DURATION_BOUND);
        _bound("disputeWindow", disputeWindow, 0, _MAX_DISPUTE_WINDOW);
        _bound("maxParticipants", maxParticipants, 2, _MAX_PARTICIPANTS_BOUND);
        StoredParams storage p = _getRegistryStorage()._params;
        p.creatorStakePerDay = uint96(creatorStakePerDay);
        p.minTaskDuration = uint32(minTaskDuration);
        p.maxTaskDuration = uint32(maxTaskDuration);
        p.disputeWindow = uint32(disputeWindow);
        p.maxParticipants = uint16(maxParticipants);
        emit ITaskRegistry.TaskRulesSet(
            creatorStakePerDay, minTaskDuration, maxTaskDuration, disputeWindow, maxParticipants
        );
    }

    function _setDelegationRules(
        uint256 minSigmaBps,
        uint256 maxSigmaBps,
        uint256 sigmaFreeze,
        uint256 undelegationCooldown,
        uint256 syncKeeperBps
    ) internal {
        _bound("maxSigmaBps", maxSigmaBps, 0, _BPS);
        _bound("minSigmaBps", minSigmaBps, 0, maxSigmaBps);
        _bound("sigmaFreeze", sigmaFreeze, 0, _MAX_TASK_DURATION_BOUND);
        _bound("undelegationCooldown", undelegationCooldown, 0, _MAX_COOLDOWN);
        _bound("syncKeeperBps", syncKeeperBps, 0, _MAX_SYNC_KEEPER_BPS);
        StoredParams storage p = _getRegistryStorage()._params;
        p.minSigmaBps = uint16(minSigmaBps);
        p.maxSigmaBps = uint16(maxSigmaBps);
        p.sigmaFreeze = uint32(sigmaFreeze);
        p.undelegationCooldown = uint32(undelegationCooldown);
        p.syncKeeperBps = uint16(syncKeeperBps);
        emit ITaskRegistry.DelegationRulesSet(
            minSigmaBps, maxSigmaBps, sigmaFreeze, undelegationCooldown, syncKeeperBps
        );
    }

    function _getRegistryStorage() internal pure returns (RegistryStorage storage $) {
        assembly {
            $.slot := _TASK_REGISTRY_STORAGE
        }
    }
}
