// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LowLevelCall} from "@openzeppelin/contracts/utils/LowLevelCall.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/**
 * @title Quorum
 * @dev k-of-n ballots over a root, and the versioned member set that votes in them: the one scheme
 * of the three contracts that accept a root only when k members post the same one. The reward
 * distributor's oracles post reward roots, ArenaSlasher counts slash roots with the same oracles
 * (the distributor's `oracleSeat`), and ApiCredits' gateway operators post usage reports.
 *
 * The set. Governance replaces a set whole, each replacement a new version. A member's tag is
 * `version << 8 | index`: an account is a member while its tag names the current version, so a
 * replacement never has to clear the old tags, and each of at most 16 members owns bit `index` of
 * a ballot word.
 *
 *     list          the members, in order
 *     tags[a]       [ version: 248 | index: 8 ]
 *
 * A ballot is one round of one report under one version of the set: `keccak256(key, round,
 * version)`. Its word holds the bits of the members who posted in it; the word at `keccak256(ballot,
 * tuple)` counts the members who posted that tuple (the report's fields, ABI-encoded). The post that
 * brings a tuple's count to the quorum accepts it, exactly once. An accepted root then waits a
 * challenge window in which a guardian may veto it; a veto opens the report's next round, and a new
 * round or a new version of the set starts new ballots: the posts of an open round stop counting.
 *
 *     votes[ballot]                        who posted (bits)
 *     votes[keccak256(ballot, tuple)]      how many posted this tuple
 *
 * The fields are the calling contract's own (in its namespaced storage, passed in), and a refused
 * set reverts with the caller's own errors, so each contract keeps its storage layout and its ABI.
 */
library Quorum {
    /// @dev The largest set: a member's index is its bit in a ballot word.
    uint256 internal constant MAX_MEMBERS = 16;

    /**
     * @dev Makes `members` with `quorum` the set after the one of version `previous`, in `list` and
     * `tags`; returns its quorum, size and version, as the callers store them. Reverts with the
     * caller's error `invalidSet(uint256 size, uint256 quorum)` unless 1 <= quorum <= size <= 16 (or,
     * where `allowEmpty`, both are zero: a set governance has yet to appoint), and with
     * `invalidMember(address member)` for the zero address or a member listed twice.
     */
    function replace(
        address[] storage list,
        mapping(address => uint256) storage tags,
        address[] memory members,
        uint256 quorum,
        uint256 previous,
        bool allowEmpty,
        bytes4 invalidSet,
        bytes4 invalidMember
    ) internal returns (uint8, uint8, uint32 version) {
        uint256 size = members.length;
        bool empty = allowEmpty && size == 0 && quorum == 0;
        if (!empty && (size == 0 || size > MAX_MEMBERS || quorum == 0 || quorum > size)) {
            LowLevelCall.bubbleRevert(abi.encodeWithSelector(invalidSet, size, quorum));
        }
        version = SafeCast.toUint32(previous + 1);
        _tag(tags, members, version, invalidMember);
        _store(list, members);
        return (uint8(quorum), uint8(size), version);
    }

    /// @dev Whether `account` is a member of the set of `version`, and its index (its ballot bit).
    function seat(mapping(address => uint256) storage tags, address account, uint256 version)
        internal
        view
        returns (bool member, uint256 index)
    {
        uint256 tag = tags[account];
        return (tag >> 8 == version, tag & 0xff);
    }

    /// @dev The ballot of round `round` of the report `key` under the set of `version`.
    function ballot(uint256 key, uint256 round, uint256 version) internal pure returns (bytes32) {
        return keccak256(abi.encode(key, round, version));
    }

    /**
     * @dev Counts the post of the member at `index` for `tuple` (the report's fields, ABI-encoded) in
     * `ballot_`; returns how many members posted the same tuple there, this one included, or 0 when
     * this member has posted in the ballot already (the caller reverts with its own error). The post
     * that brings the count to `quorum` writes nothing: the caller accepts the tuple, its record then
     * refuses further posts, and a veto opens the next round's ballot, so this one is never read again.
     */
    function vote(
        mapping(bytes32 => uint256) storage votes,
        bytes32 ballot_,
        uint256 index,
        bytes memory tuple,
        uint256 quorum
    ) internal returns (uint256 count) {
        uint256 voters = votes[ballot_];
        uint256 bit = 1 << index;
        if (voters & bit != 0) return 0;
        bytes32 tally = keccak256(bytes.concat(ballot_, tuple));
        count = votes[tally] + 1;
        if (count < quorum) (votes[ballot_], votes[tally]) = (voters | bit, count);
    }

    /// @dev Whether a root can be vetoed: accepted, and its challenge window (until `endsAt`) still open.
    function vetoable(bool accepted, uint256 endsAt) internal view returns (bool) {
        return accepted && block.timestamp < endsAt;
    }

    function _tag(mapping(address => uint256) storage tags, address[] memory members, uint256 version, bytes4 invalid)
        private
    {
        for (uint256 i = 0; i < members.length; ++i) {
            address member = members[i];
            if (member == address(0) || tags[member] >> 8 == version) {
                LowLevelCall.bubbleRevert(abi.encodeWithSelector(invalid, member));
            }
            tags[member] = (version << 8) | i;
        }
    }

    /// @dev `list = members`, for a list passed by reference.
    function _store(address[] storage list, address[] memory members) private {
        uint256 kept = list.length;
        for (uint256 i = 0; i < members.length; ++i) {
            if (i < kept) list[i] = members[i];
            else list.push(members[i]);
        }
        for (uint256 i = members.length; i < kept; ++i) {
            list.pop();
        }
    }
}
