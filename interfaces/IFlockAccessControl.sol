// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/**
 * @title IFlockAccessControl
 * @notice The role surface shared by every role-managed contract of the suite (FlockToken, GmFlock,
 * TaskRegistry, EmissionController, ArenaSubmissions, RewardDistributor, AllianceRounds, ApiCredits):
 * OpenZeppelin's `AccessControl`. After deployment the timelock holds `DEFAULT_ADMIN_ROLE` of each,
 * so only a passed proposal grants or revokes a role. The deployment manifest lists every role and
 * its holders (`roles`).
 *
 * Kept apart from the contracts' own interfaces, which the contracts inherit: `DEFAULT_ADMIN_ROLE`
 * is a constant of OpenZeppelin's `AccessControl` and cannot be declared in a second base.
 */
interface IFlockAccessControl is IAccessControl, IERC165 {
    /// @notice The admin role of every role (bytes32(0)): held by the timelock after deployment.
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);
}
