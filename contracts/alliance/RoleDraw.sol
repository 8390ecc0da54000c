// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/**
 * @title RoleDraw
 * @dev The role draw of an FL Alliance round, read against `draw_seed` and `draw_proposers` in
 * flock/alliance/protocol.py (same names, same arithmetic): the seed mixes the XOR of the
 * participants' secrets with `block.prevrandao`, and a partial Fisher-Yates shuffle of the
 * participants who revealed a secret (in the order they revealed it) picks the proposers, in slot
 * order; everyone else of them votes. docs/alliance.md argues why no participant can steer it.
 */
library RoleDraw {
    /// @dev `keccak256(abi.encode(entropy, prevrandao, taskId, round))`: the round's seed.
    function drawSeed(bytes32 entropy, uint256 prevrandao, uint256 taskId, uint256 round)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(entropy, prevrandao, taskId, round));
    }

    /**
     * @dev The positions (among `n` participants, in the order they revealed their secrets) of the
     * proposers drawn from `seed`, in slot order: `min(proposers, n - 1)` of them, so that one
     * participant at least votes. O(n) memory, no storage.
     */
    function drawProposers(bytes32 seed, uint256 n, uint256 proposers) internal pure returns (uint256[] memory chosen) {
        uint256 count = Math.min(proposers, n - 1);
        chosen = new uint256[](count);
        uint256[] memory order = new uint256[](n); // the shuffled order, as position + 1 (0: untouched)
        for (uint256 i = 0; i < count; ++i) {
            uint256 j = i + uint256(keccak256(abi.encode(seed, i))) % (n - i);
            uint256 atI = order[i] == 0 ? i : order[i] - 1;
            uint256 atJ = order[j] == 0 ? j : order[j] - 1;
            (order[i], order[j]) = (atJ + 1, atI + 1);
            chosen[i] = atJ;
        }
    }
}
