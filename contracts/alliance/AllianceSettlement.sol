// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAllianceRounds} from "../../interfaces/IAllianceRounds.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";
import {AllianceRoundsStorage} from "./AllianceRoundsStorage.sol";

/**
 * @title AllianceSettlement
 * @dev The settlement module of {AllianceRounds}: `settle` (slashes through the registry, rewards
 * and honest shares credited) and `evict` (absent participants slashed and their slots freed).
 * AllianceRounds deploys it in its constructor and runs these functions by delegatecall, on its
 * own storage, with its own roles (the registry's SLASHER_ROLE is AllianceRounds'). Called
 * directly, the module refuses: it has no rounds and no role.
 */
contract AllianceSettlement is AllianceRoundsStorage, ReentrancyGuardTransient {
    /// @notice A direct call: the module only runs inside AllianceRounds.
    error AllianceSettlementNotDelegated();

    address private immutable _self = address(this);

    modifier onlyDelegated() {
        if (address(this) == _self) revert AllianceSettlementNotDelegated();
        _;
    }

    constructor(ITaskRegistry registry_, address treasury_) AllianceRoundsStorage(registry_, treasury_) {}

    /// @notice {IAllianceRounds-settle}.
    function settle(uint256 taskId, uint256 round, address[] calldata accounts) external nonReentrant onlyDelegated {
        Round storage r = _round(taskId, round);
        if (r.outcome == IAllianceRounds.Outcome.Pending) revert IAllianceRounds.AllianceNotFinalized(taskId, round);
        for (uint256 i = 0; i < accounts.length; ++i) {
            _settleSlash(taskId, round, r, accounts[i]);
        }
        for (uint256 i = 0; i < accounts.length; ++i) {
            _credit(taskId, round, r, accounts[i]);
        }
    }

    /// @notice {IAllianceRounds-evict}.
    function evict(uint256 taskId, address account) external nonReentrant onlyDelegated returns (uint256 gm) {
        ITaskRegistry.TaskInfo memory task = _registry.taskInfo(taskId);
        ITaskRegistry.TaskState state = task.state;
        if (
            (state != ITaskRegistry.TaskState.Pending && state != ITaskRegistry.TaskState.Approved)
                || block.timestamp >= task.endTime
        ) revert IAllianceRounds.AllianceTaskNotActive(taskId, state, task.endTime);
        ITaskRegistry.Member memory m = _registry.memberOf(taskId, account);
        if (m.role != ITaskRegistry.Role.Participant || m.released || m.exitAt != 0) {
            revert IAllianceRounds.AllianceNotParticipant(taskId, account);
        }
        (uint256 fromRound, uint256 toRound) = _requireAbsent(taskId, account, m.sigmaSetAt);
        StoredParams memory p = _params;
        gm = (m.stake * p.absentSlashBps) / _BPS;
        _registry.vacate(taskId, account);
        uint256 seized;
        uint256 toEvictor;
        if (gm != 0) {
            (seized, toEvictor) = _slashThroughRegistry(taskId, msg.sender, p.finalizerBps, account, gm);
            _books[taskId].pool += uint96(seized - toEvictor);
        }
        emit IAllianceRounds.ParticipantEvicted(taskId, account, msg.sender, fromRound, toRound, gm, seized, toEvictor);
    }
}
