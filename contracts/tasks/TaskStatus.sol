// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";

/**
 * @title TaskStatus
 * @dev The "task is active" and "task is eligible" rules, stated once ({ITaskRegistry-isActive},
 * {ITaskRegistry-isEligible}): a task takes members, stake and rounds while it is open (pending or
 * approved) and its end time has not come; it earns emissions (and takes Arena submissions) while it
 * is approved and its end time has not come. The registry applies them to its own storage; a
 * contract that already holds a task's {ITaskRegistry-TaskInfo} applies them to that copy instead of
 * calling the registry again.
 */
library TaskStatus {
    /// @dev Pending or approved: neither cancelled nor ended (nor unknown).
    function isOpen(ITaskRegistry.TaskState state) internal pure returns (bool) {
        return state == ITaskRegistry.TaskState.Pending || state == ITaskRegistry.TaskState.Approved;
    }

    /// @dev Open, and `block.timestamp` is before its `endTime`.
    function isActive(ITaskRegistry.TaskState state, uint256 endTime) internal view returns (bool) {
        return isOpen(state) && block.timestamp < endTime;
    }

    /// @dev Approved, and `block.timestamp` is before its `endTime`: the task earns emissions.
    function isEligible(ITaskRegistry.TaskState state, uint256 endTime) internal view returns (bool) {
        return state == ITaskRegistry.TaskState.Approved && block.timestamp < endTime;
    }
}
