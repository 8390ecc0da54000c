// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";

/**
 * @title TaskStatus
 * @dev The "task is active" rule, stated once ({ITaskRegistry-isActive}): a task takes members,
 * stake and rounds while it is open (pending or approved) and its end time has not come. The
 * registry applies it to its own storage; a contract that already holds a task's
 * {ITaskRegistry-TaskInfo} applies it to that copy instead of calling `isActive` again.
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
}
