// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title EpochClock
 * @dev The emission epochs, stated once: epoch `e` covers `[genesis + e * length, genesis + (e + 1) *
 * length)`, where `genesis` and `length` are the emission controller's (immutables of its
 * implementation, copied by the contracts that keep time with it). The emission controller, the
 * Arena submission schedule, the API credits and the Alliance task pools all read their epoch here;
 * the Arena schedule and the API credits' report window also where an epoch starts.
 */
library EpochClock {
    /// @dev The epoch `timestamp` falls in; 0 before genesis.
    function epochAt(uint256 timestamp, uint256 genesis, uint256 length) internal pure returns (uint256) {
        return timestamp < genesis ? 0 : (timestamp - genesis) / length;
    }

    /// @dev The first second of epoch `epoch`: `genesis + epoch * length` (epoch `e` ends where
    /// `e + 1` starts).
    function epochStart(uint256 epoch, uint256 genesis, uint256 length) internal pure returns (uint256) {
        return genesis + epoch * length;
    }
}
