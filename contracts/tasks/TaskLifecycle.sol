// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {IGmFlock} from "../../interfaces/IGmFlock.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";
import {TaskRegistryStorage} from "./TaskRegistryStorage.sol";
import {TaskStatus} from "./TaskStatus.sol";

/**
 * @title TaskLifecycle
 * @dev The lifecycle module of {TaskRegistry}: a task's approval, cancellation and end, the release
 * of stakes after the dispute window, and the governance parameters' bounds and storage
 * (the setters, from `initialize` and for governance). TaskRegistry deploys it in its constructor and
 * runs these functions by delegatecall, on its own storage, after its own role checks (approval,
 * cancellation and the setters are the timelock's). Called directly, the module refuses: it has no
 * tasks and no role.
 */
contract TaskLifecycle is TaskRegistryStorage, ReentrancyGuardTransient {
    /// @notice A direct call: the module only runs inside TaskRegistry.
    error TaskLifecycleNotDelegated();

    address private immutable _self = address(this);

    modifier onlyDelegated() {
        if (address(this) == _self) revert TaskLifecycleNotDelegated();
        _;
    }

    constructor(IGmFlock gm, IEmissionController emissions_) TaskRegistryStorage(gm, emissions_) {}

    /// @notice {ITaskRegistry-approveTask}.
    function approveTask(uint256 taskId) external onlyDelegated {
        Task storage task = _task(taskId);
        if (task.state != ITaskRegistry.TaskState.Pending) {
            revert ITaskRegistry.TaskRegistryWrongState(taskId, task.state);
        }
        _requireActive(taskId, task);
        _moveState(taskId, task, ITaskRegistry.TaskState.Approved);
        emit ITaskRegistry.TaskApproved(taskId);
        Stakes storage s = _getRegistryStorage()._stakes[taskId];
        _emissions.enrollTask(
            taskId,
            task.kind == ITaskRegistry.TaskKind.Arena,
            task.endTime,
            uint256(s.nodes) + s.delegatedToNodes,
            uint256(s.validators) + s.delegatedToValidators
        );
    }

    /// @notice {ITaskRegistry-cancelTask}.
    function cancelTask(uint256 taskId) external onlyDelegated {
        Task storage task = _task(taskId);
        _requireActive(taskId, task);
        bool wasApproved = task.state == ITaskRegistry.TaskState.Approved;
        task.endTime = uint40(block.timestamp);
        _moveState(taskId, task, ITaskRegistry.TaskState.Cancelled);
        emit ITaskRegistry.TaskCancelled(taskId);
        if (wasApproved) _emissions.retireTask(taskId);
    }

    /// @notice {ITaskRegistry-endTask}.
    function endTask(uint256 taskId) external onlyDelegated {
        Task storage task = _task(taskId);
        ITaskRegistry.TaskState state = task.state;
        if (!TaskStatus.isOpen(state)) revert ITaskRegistry.TaskRegistryWrongState(taskId, state);
        if (block.timestamp < task.endTime) revert ITaskRegistry.TaskRegistryTaskNotOver(taskId, task.endTime);
        _end(taskId, task);
    }

    /// @notice {ITaskRegistry-release}.
    function release(uint256 taskId, address account) external nonReentrant onlyDelegated returns (uint256 amount) {
        RegistryStorage storage $ = _getRegistryStorage();
        Task storage task = _task(taskId);
        MemberRecord storage member = $._members[taskId][account];
        ITaskRegistry.Role role = member.role;
        uint256 taskReleaseAt = _taskReleaseAt(task);
        bool taskOver = block.timestamp >= taskReleaseAt;
        if (taskOver && TaskStatus.isOpen(task.state)) _end(taskId, task);

        uint256 lockedUntil; // earliest release of what stays locked
        bool released;
        if (role != ITaskRegistry.Role.None && !member.released) {
            uint256 releaseAt = role == ITaskRegistry.Role.Delegator && member.exitAt != 0
                ? _delegationReleaseAt(task, member.exitAt)
                : taskReleaseAt;
            if (block.timestamp < releaseAt) {
                lockedUntil = releaseAt;
            } else if (role == ITaskRegistry.Role.Delegator) {
                amount = _releaseDelegation(taskId, account, member);
                released = true;
            } else {
                amount = member.stake;
                bool holdsSlot = member.exitAt == 0; // an evicted participant freed its slot already
                member.stake = 0;
                member.released = true;
                Stakes storage s = $._stakes[taskId];
                _subOwn(s, role, amount);
                if (holdsSlot) s.members -= 1;
                emit ITaskRegistry.StakeReleased(taskId, account, amount, false);
                released = true;
            }
        }
        if (account == task.creator && !task.creatorReleased) {
            if (taskOver) {
                uint256 creatorStake = task.creatorStake;
                task.creatorReleased = true;
                task.creatorStake = 0;
                emit ITaskRegistry.StakeReleased(taskId, account, creatorStake, true);
                amount += creatorStake;
                released = true;
            } else if (lockedUntil == 0) {
                lockedUntil = taskReleaseAt;
            }
        }
        if (!released) {
            if (lockedUntil == 0) revert ITaskRegistry.TaskRegistryNothingToRelease(taskId, account);
            revert ITaskRegistry.TaskRegistryStakeLocked(taskId, account, lockedUntil);
        }
        if (amount != 0) _gm.release(account, amount);
    }

    /// @notice {ITaskRegistry-setStakeMinimums}.
    function setStakeMinimums(uint256 node, uint256 validator, uint256 participant, uint256 delegation)
        external
        onlyDelegated
    {
        _setStakeMinimums(node, validator, participant, delegation);
    }

    /// @notice {ITaskRegistry-setTaskRules}.
    function setTaskRules(
        uint256 creatorStakePerDay,
        uint256 minTaskDuration,
        uint256 maxTaskDuration,
        uint256 disputeWindow,
        uint256 maxParticipants
    ) external onlyDelegated {
        _setTaskRules(creatorStakePerDay, minTaskDuration, maxTaskDuration, disputeWindow, maxParticipants);
    }

    /// @notice {ITaskRegistry-setDelegationRules}.
    function setDelegationRules(
        uint256 minSigmaBps,
        uint256 maxSigmaBps,
        uint256 sigmaFreeze,
        uint256 undelegationCooldown,
        uint256 syncKeeperBps
    ) external onlyDelegated {
        _setDelegationRules(minSigmaBps, maxSigmaBps, sigmaFreeze, undelegationCooldown, syncKeeperBps);
    }
}
