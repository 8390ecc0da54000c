// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/**
 * @title FlockTimelock
 * @dev OpenZeppelin's {TimelockController}, unchanged, under the project's name: the account that holds
 * every admin role of every FLock contract and the DAO treasury (its FLOCK balance).
 *
 * Wiring after `ape run deploy` (docs/governance.md):
 *
 * - `PROPOSER_ROLE`: the {FlockGovernor} alone, so only a passed proposal can schedule an operation;
 * - `CANCELLER_ROLE`: the {FlockGovernor} (it cancels the timelock operation of a proposal it cancels);
 * - `EXECUTOR_ROLE`: the zero address, which opens execution to anyone once an operation is ready;
 * - `DEFAULT_ADMIN_ROLE`: the timelock itself. The deployer is admin during the deployment only, to wire
 *   the roles above, and renounces it in the plan's last steps.
 *
 * `updateDelay` can only be called by the timelock itself, that is, by a passed proposal.
 */
contract FlockTimelock is TimelockController {
    /**
     * @param minDelay seconds between a proposal's queueing and its earliest execution.
     * @param proposers accounts granted `PROPOSER_ROLE` and `CANCELLER_ROLE`.
     * @param executors accounts granted `EXECUTOR_ROLE` (the zero address: anyone).
     * @param admin optional temporary admin for the deployment (zero: none).
     */
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
