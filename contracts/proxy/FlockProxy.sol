// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/**
 * @title FlockProxy
 * @dev OpenZeppelin's {ERC1967Proxy}, unchanged: it adds no function, no storage and no code of
 * its own (its runtime code is ERC1967Proxy's). It exists under the suite's name so that the build
 * (and abi/) carries the proxy's bytecode: the build holds the contracts under contracts/ only.
 *
 * Every upgradeable contract of the suite is deployed behind one (flock/deploy/plan.py): the
 * constructor stores the implementation in the ERC-1967 slot and calls its `initialize` in the
 * proxy's context. Upgrades are UUPS: the implementation's `upgradeToAndCall`, which only the
 * timelock may call (docs/architecture.md, "Upgrades").
 */
contract FlockProxy is ERC1967Proxy {
    /**
     * @param implementation the first implementation.
     * @param data the `initialize` call run in the proxy's context (must not be empty).
     */
    constructor(address implementation, bytes memory data) payable ERC1967Proxy(implementation, data) {}
}
