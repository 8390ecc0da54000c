// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1822Proxiable} from "@openzeppelin/contracts/interfaces/draft-IERC1822.sol";

/**
 * @title IFlockUpgradeable
 * @notice The upgrade surface shared by every upgradeable contract of the suite (GmFlock,
 * TaskRegistry, EmissionController, ArenaSubmissions, RewardDistributor, AllianceRounds,
 * ArenaSlasher, ApiCredits): each is an implementation behind an ERC-1967 proxy (`FlockProxy`,
 * OpenZeppelin's `ERC1967Proxy`), upgraded by UUPS: `upgradeToAndCall` on the proxy, which only
 * `DEFAULT_ADMIN_ROLE` (the timelock, after deployment) may call, so only a passed proposal upgrades,
 * after the timelock's delay (docs/governance.md, docs/security.md). Clients use the proxy's
 * address; the manifest records the implementation too.
 */
interface IFlockUpgradeable is IERC1822Proxiable {
    /// @notice The proxy now runs `implementation` (ERC-1967), at deployment and at every upgrade.
    event Upgraded(address indexed implementation);

    /// @notice The proxy's state was initialized (`version` 1 at deployment) or reinitialized.
    event Initialized(uint64 version);

    /// @notice "5.0.0": `upgradeToAndCall` is the only upgrade function (an upgrade always names its call).
    function UPGRADE_INTERFACE_VERSION() external view returns (string memory);

    /// @notice Points the proxy at `newImplementation` (which must answer `proxiableUUID` with the
    /// ERC-1967 slot) and, unless `data` is empty, delegatecalls it with `data`. Only
    /// `DEFAULT_ADMIN_ROLE` (the timelock).
    function upgradeToAndCall(address newImplementation, bytes calldata data) external payable;
}
