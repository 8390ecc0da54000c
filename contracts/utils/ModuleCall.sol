// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/**
 * @title ModuleCall
 * @dev How a contract too large for the 24 KiB code limit runs part of its code in a module it
 * deployed itself (docs/decisions.md 90): the module shares the caller's storage layout and runs by
 * delegatecall, on the caller's storage, after the caller's own access checks. The module's address
 * must be an immutable of the caller (deployed by its constructor), never a caller's choice.
 *
 * - {run} delegates an encoded call and bubbles up its revert (OpenZeppelin's
 *   `Address.functionDelegateCall`); the caller continues after it.
 * - {forward} delegates the call as it came (its calldata unchanged) and ends the caller's call with
 *   the module's result, as OpenZeppelin's `Proxy._delegate` does for a proxy's fallback: an external
 *   function whose body is `ModuleCall.forward(module)` behaves as the module's function of the same
 *   selector.
 */
library ModuleCall {
    /// @dev Runs `data` in `module` by delegatecall and returns its result; reverts with its revert.
    function run(address module, bytes memory data) internal returns (bytes memory) {
        return Address.functionDelegateCall(module, data);
    }

    /// @dev Runs the current call's calldata in `module` by delegatecall and returns or reverts with
    /// its result, without returning to the caller (the `Proxy._delegate` sequence: OpenZeppelin
    /// keeps it inside an abstract contract, so it is restated here for an internal call site).
    function forward(address module) internal {
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), module, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }
}
