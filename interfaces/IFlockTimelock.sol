// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/**
 * @title IFlockTimelock
 * @notice The FLock timelock: OpenZeppelin's `TimelockController`, unchanged. It holds every admin
 * role of the suite and the DAO treasury. After deployment the governor alone holds `PROPOSER_ROLE`
 * and `CANCELLER_ROLE`, `EXECUTOR_ROLE` is held by the zero address (anyone executes a ready
 * operation), and the timelock administers itself (`DEFAULT_ADMIN_ROLE`).
 *
 * A proposal's operation id is `hashOperationBatch(targets, values, calldatas, 0, salt)` where the
 * governor's salt is `bytes20(governor) ^ descriptionHash`. Executing an operation that is not Ready
 * reverts with `TimelockUnexpectedOperationState(id, expectedStates)`; `expectedStates` is a bitmap
 * of `OperationState` positions (bit 2 = Ready).
 */
interface IFlockTimelock is IAccessControl, IERC721Receiver, IERC1155Receiver {
    /// @notice An operation's state: never scheduled, scheduled and waiting for its delay, ready to
    /// execute, or executed.
    enum OperationState {
        Unset,
        Waiting,
        Ready,
        Done
    }

    /// @notice The batch's targets, payloads and values differ in length.
    error TimelockInvalidOperationLength(uint256 targets, uint256 payloads, uint256 values);
    /// @notice The delay is below the minimum.
    error TimelockInsufficientDelay(uint256 delay, uint256 minDelay);
    /// @notice The operation is not in one of the expected states (a bitmap of `OperationState`).
    error TimelockUnexpectedOperationState(bytes32 operationId, bytes32 expectedStates);
    /// @notice The predecessor operation has not been executed.
    error TimelockUnexecutedPredecessor(bytes32 predecessorId);
    /// @notice Only the timelock itself may call this (`updateDelay`).
    error TimelockUnauthorizedCaller(address caller);
    /// @notice A call of the operation reverted without a reason.
    error FailedCall();

    /// @notice Call `index` of operation `id` was scheduled.
    event CallScheduled(
        bytes32 indexed id,
        uint256 indexed index,
        address target,
        uint256 value,
        bytes data,
        bytes32 predecessor,
        uint256 delay
    );
    /// @notice Call `index` of operation `id` was executed.
    event CallExecuted(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data);
    /// @notice Operation `id` was scheduled with a non-zero salt.
    event CallSalt(bytes32 indexed id, bytes32 salt);
    /// @notice Operation `id` was cancelled.
    event Cancelled(bytes32 indexed id);
    /// @notice The minimum delay changed (seconds).
    event MinDelayChange(uint256 oldDuration, uint256 newDuration);

    /// @notice The admin role (bytes32(0)): held by the timelock itself.
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);
    /// @notice May schedule operations: the governor.
    function PROPOSER_ROLE() external view returns (bytes32);
    /// @notice May execute ready operations: the zero address, that is anyone.
    function EXECUTOR_ROLE() external view returns (bytes32);
    /// @notice May cancel pending operations: the governor.
    function CANCELLER_ROLE() external view returns (bytes32);

    /// @notice Whether `id` was ever scheduled.
    function isOperation(bytes32 id) external view returns (bool);
    /// @notice Whether `id` is scheduled and not executed (Waiting or Ready).
    function isOperationPending(bytes32 id) external view returns (bool);
    /// @notice Whether `id` can be executed now.
    function isOperationReady(bytes32 id) external view returns (bool);
    /// @notice Whether `id` was executed.
    function isOperationDone(bytes32 id) external view returns (bool);
    /// @notice When `id` becomes ready (0: unset, 1: done).
    function getTimestamp(bytes32 id) external view returns (uint256);
    /// @notice The state of `id`.
    function getOperationState(bytes32 id) external view returns (OperationState);
    /// @notice The minimum delay between scheduling and execution (seconds).
    function getMinDelay() external view returns (uint256);

    /// @notice The id of a single-call operation.
    function hashOperation(address target, uint256 value, bytes calldata data, bytes32 predecessor, bytes32 salt)
        external
        pure
        returns (bytes32);

    /// @notice The id of a batch operation (a governor proposal's operation).
    function hashOperationBatch(
        address[] calldata targets,
        uint256[] calldata values,
        bytes[] calldata payloads,
        bytes32 predecessor,
        bytes32 salt
    ) external pure returns (bytes32);

    /// @notice Schedules a single call. Only `PROPOSER_ROLE`.
    function schedule(
        address target,
        uint256 value,
        bytes calldata data,
        bytes32 predecessor,
        bytes32 salt,
        uint256 delay
    ) external;

    /// @notice Schedules a batch. Only `PROPOSER_ROLE`.
    function scheduleBatch(
        address[] calldata targets,
        uint256[] calldata values,
        bytes[] calldata payloads,
        bytes32 predecessor,
        bytes32 salt,
        uint256 delay
    ) external;

    /// @notice Cancels a pending operation. Only `CANCELLER_ROLE`.
    function cancel(bytes32 id) external;

    /// @notice Executes a ready single-call operation. Only `EXECUTOR_ROLE` (anyone here).
    function execute(address target, uint256 value, bytes calldata payload, bytes32 predecessor, bytes32 salt)
        external
        payable;

    /// @notice Executes a ready batch. Only `EXECUTOR_ROLE` (anyone here).
    function executeBatch(
        address[] calldata targets,
        uint256[] calldata values,
        bytes[] calldata payloads,
        bytes32 predecessor,
        bytes32 salt
    ) external payable;

    /// @notice Changes the minimum delay. Only the timelock itself, that is a passed proposal.
    function updateDelay(uint256 newDelay) external;
}
