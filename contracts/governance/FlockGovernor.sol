// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorPreventLateQuorum} from "@openzeppelin/contracts/governance/extensions/GovernorPreventLateQuorum.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {
    GovernorVotesQuorumFraction
} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

/**
 * @title FlockGovernor
 * @dev The FLock DAO: OpenZeppelin's Governor with gmFLOCK as the voting token, assembled from stock
 * modules and nothing else:
 *
 * - {GovernorSettings}: voting delay, voting period and proposal threshold, changeable by governance;
 * - {GovernorCountingSimple}: For / Against / Abstain; quorum counts For and Abstain (Bravo rules);
 * - {GovernorVotes}: votes are gmFLOCK's `getPastVotes` at the proposal snapshot, so stake locked in a
 *   block stamped after the snapshot carries no weight on that proposal (a lock in the block stamped at
 *   the snapshot second counts);
 * - {GovernorVotesQuorumFraction}: quorum = a percentage of gmFLOCK supply at the snapshot;
 * - {GovernorTimelockControl}: passed proposals are queued in, and executed by, the {FlockTimelock},
 *   which holds every admin role of the protocol. `onlyGovernance` functions here are reachable only
 *   from the timelock while it executes a proposal of this governor;
 * - {GovernorPreventLateQuorum}: a proposal whose quorum is reached late stays open at least
 *   `lateQuorumVoteExtension` seconds after that moment, so a last-minute swing can be answered.
 *
 * Clock: gmFLOCK counts votes by timestamp (ERC-6372 `mode=timestamp`), and so does the governor.
 * The constructor refuses a token on another clock; from then on the governor reads
 * `block.timestamp` itself instead of asking the token on every `state()`, which saves an external
 * call per vote and two per proposal (docs/gas.md).
 *
 * Settings: {GovernorSettings} keeps the proposal threshold and the two durations in two slots,
 * so `propose` read two cold slots. The governor keeps the three in one slot of its own,
 * `[ votingDelay: 48 | votingPeriod: 32 | proposalThreshold: 176 ]`, through GovernorSettings'
 * internal setters (the same checks, events and governance-only public setters); GovernorSettings'
 * own fields stay unused. A threshold above 2^176 - 1 wei (far above gmFLOCK's 6e27 maximum, so a
 * threshold nobody could reach anyway) is refused by SafeCast (docs/decisions.md 170).
 *
 * Tally and other governance front-ends see the standard Governor surface: ProposalCreated,
 * ProposalQueued, ProposalExecuted, ProposalCanceled, VoteCast, and the usual views.
 */
contract FlockGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl,
    GovernorPreventLateQuorum
{
    /// @notice The voting token does not use the timestamp clock (ERC-6372 `mode=timestamp`); an
    /// empty `tokenClockMode` means it has no ERC-6372 clock at all.
    error FlockGovernorClockMismatch(string tokenClockMode);

    string private constant _CLOCK_MODE = "mode=timestamp";

    /// @dev GovernorSettings' three values in one slot: `propose` reads them all.
    struct Settings {
        uint48 votingDelay;
        uint32 votingPeriod;
        uint176 proposalThreshold;
    }

    Settings private _settings;

    /**
     * @param gmFlock the voting token (gmFLOCK); its clock must be `mode=timestamp`.
     * @param timelock_ the timelock that queues and executes passed proposals.
     * @param votingDelay_ seconds from proposal to the vote snapshot (and the opening of the vote).
     * @param votingPeriod_ seconds the vote stays open (before any late-quorum extension).
     * @param proposalThreshold_ gmFLOCK (wei) a proposer needs at the moment before proposing.
     * @param quorumPercent quorum, in percent of the gmFLOCK supply at the snapshot.
     * @param lateQuorumExtension seconds a proposal stays open after its quorum is first reached.
     */
    constructor(
        IVotes gmFlock,
        TimelockController timelock_,
        uint48 votingDelay_,
        uint32 votingPeriod_,
        uint256 proposalThreshold_,
        uint256 quorumPercent,
        uint48 lateQuorumExtension
    )
        Governor("FLock Governor")
        GovernorSettings(votingDelay_, votingPeriod_, proposalThreshold_)
        GovernorVotes(gmFlock)
        GovernorVotesQuorumFraction(quorumPercent)
        GovernorTimelockControl(timelock_)
        GovernorPreventLateQuorum(lateQuorumExtension)
    {
        string memory tokenClock;
        try IERC5805(address(gmFlock)).CLOCK_MODE() returns (string memory mode) {
            tokenClock = mode;
        } catch {}
        if (keccak256(bytes(tokenClock)) != keccak256(bytes(_CLOCK_MODE))) {
            revert FlockGovernorClockMismatch(tokenClock);
        }
    }

    /// @notice The current timepoint: `block.timestamp`, as gmFLOCK's clock (ERC-6372).
    function clock() public view override(Governor, GovernorVotes) returns (uint48) {
        return Time.timestamp();
    }

    /// @notice ERC-6372 clock description: `mode=timestamp`, as gmFLOCK's.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override(Governor, GovernorVotes) returns (string memory) {
        return _CLOCK_MODE;
    }

    /// @notice Seconds between a proposal and its vote snapshot, when voting opens.
    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return _settings.votingDelay;
    }

    /// @notice Seconds a vote stays open, before any late-quorum extension.
    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return _settings.votingPeriod;
    }

    /// @notice gmFLOCK (wei) an account needs, one second before proposing, to propose.
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return _settings.proposalThreshold;
    }

    /// @dev GovernorSettings' setter, on the packed slot (the same event).
    function _setVotingDelay(uint48 newVotingDelay) internal override {
        emit VotingDelaySet(_settings.votingDelay, newVotingDelay);
        _settings.votingDelay = newVotingDelay;
    }

    /// @dev GovernorSettings' setter, on the packed slot (the same check and event).
    function _setVotingPeriod(uint32 newVotingPeriod) internal override {
        if (newVotingPeriod == 0) revert GovernorInvalidVotingPeriod(0);
        emit VotingPeriodSet(_settings.votingPeriod, newVotingPeriod);
        _settings.votingPeriod = newVotingPeriod;
    }

    /// @dev GovernorSettings' setter, on the packed slot (the same event); at most 2^176 - 1 wei.
    function _setProposalThreshold(uint256 newProposalThreshold) internal override {
        uint176 threshold = SafeCast.toUint176(newProposalThreshold);
        emit ProposalThresholdSet(_settings.proposalThreshold, newProposalThreshold);
        _settings.proposalThreshold = threshold;
    }

    /// @notice The proposal's state; a queued proposal follows its timelock operation.
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @notice Always true: every proposal goes through the timelock.
    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @notice When voting ends: the original deadline, or later if quorum was reached late.
    function proposalDeadline(uint256 proposalId)
        public
        view
        override(Governor, GovernorPreventLateQuorum)
        returns (uint256)
    {
        return super.proposalDeadline(proposalId);
    }

    function _tallyUpdated(uint256 proposalId) internal override(Governor, GovernorPreventLateQuorum) {
        super._tallyUpdated(proposalId);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
