// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/**
 * @title IFlockGovernor
 * @notice The FLock DAO's governor (OpenZeppelin Governor with the Settings, CountingSimple, Votes,
 * VotesQuorumFraction, TimelockControl and PreventLateQuorum modules), everything a governance
 * front-end (Tally) or a vote relayer needs beyond the standard {IGovernor}:
 *
 * - votes: gmFLOCK's `getPastVotes` at the proposal snapshot (`token()`, ERC-6372 `mode=timestamp`);
 *   a lock mined in a block stamped at the snapshot itself counts (OpenZeppelin's rule), one stamped
 *   later does not. `proposalVotes` returns the against / for / abstain tally; quorum counts for and
 *   abstain. A vote of zero weight succeeds and marks the account as having voted.
 * - late quorum: the first vote that reaches quorum moves the deadline to at least
 *   `lateQuorumVoteExtension()` seconds later and emits `ProposalExtended`, so the deadline in
 *   `ProposalCreated` (`voteEnd`) is not final: read `proposalDeadline`.
 * - signatures: `castVoteBySig(proposalId, support, voter, signature)` over the EIP-712 struct
 *   `Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)` (`BALLOT_TYPEHASH`), domain
 *   from `eip712Domain()` (name "FLock Governor", version "1"), nonce from `nonces(voter)`;
 *   ERC-1271 signatures of contract wallets are accepted.
 * - execution: every proposal is queued in the timelock (`timelock()`) and executed through it
 *   after its delay. Executing before the delay has passed reverts with the timelock's
 *   `TimelockUnexpectedOperationState`, which this interface declares like the other errors that
 *   bubble up from the timelock and from gmFLOCK; {IFlockErrors} declares every error of the suite.
 */
interface IFlockGovernor is IGovernor, IERC5267, IERC721Receiver, IERC1155Receiver {
    // ------------------------------------------------------------------------- errors of the modules

    /// @notice The voting token does not use the timestamp clock; `tokenClockMode` is what it reports.
    error FlockGovernorClockMismatch(string tokenClockMode);
    /// @notice A quorum numerator above the denominator (100).
    error GovernorInvalidQuorumFraction(uint256 quorumNumerator, uint256 quorumDenominator);
    /// @notice A late-quorum extension longer than the voting period allows.
    error GovernorPreventLateQuorumVoteExtensionTooLarge(uint256 newVoteExtension, uint256 maxVoteExtension);
    /// @notice `castVoteBySig`: the signature was not made with `nonces(voter)` (OpenZeppelin `Nonces`).
    error InvalidAccountNonce(address account, uint256 currentNonce);

    // ------------------------------------------------------- errors bubbling up from the timelock

    /// @notice The timelock operation is not in an expected state: `execute` before the delay has
    /// passed (operation Waiting, expected Ready), or an operation already done or cancelled.
    error TimelockUnexpectedOperationState(bytes32 operationId, bytes32 expectedStates);
    /// @notice The timelock refused a delay below its minimum.
    error TimelockInsufficientDelay(uint256 delay, uint256 minDelay);
    /// @notice A call of an executed proposal reverted without a reason.
    error FailedCall();

    // ---------------------------------------------------------- errors bubbling up from gmFLOCK

    /// @notice `getVotes` or `quorum` asked for a timepoint that is not yet in the past (gmFLOCK).
    error GmFlockFutureLookup(uint256 timepoint, uint48 clock);

    // ----------------------------------------------------------------------------------- events

    /// @notice Quorum was reached late: voting on `proposalId` now ends at `extendedDeadline`.
    event ProposalExtended(uint256 indexed proposalId, uint64 extendedDeadline);
    /// @notice The late-quorum extension changed (seconds).
    event LateQuorumVoteExtensionSet(uint64 oldVoteExtension, uint64 newVoteExtension);
    /// @notice The quorum percentage changed.
    event QuorumNumeratorUpdated(uint256 oldQuorumNumerator, uint256 newQuorumNumerator);
    /// @notice The timelock changed.
    event TimelockChange(address oldTimelock, address newTimelock);
    /// @notice The voting delay changed (seconds).
    event VotingDelaySet(uint256 oldVotingDelay, uint256 newVotingDelay);
    /// @notice The voting period changed (seconds).
    event VotingPeriodSet(uint256 oldVotingPeriod, uint256 newVotingPeriod);
    /// @notice The proposal threshold changed (gmFLOCK wei).
    event ProposalThresholdSet(uint256 oldProposalThreshold, uint256 newProposalThreshold);

    // ---------------------------------------------------------------------------------- views

    /// @notice The voting token (gmFLOCK).
    function token() external view returns (IERC5805);

    /// @notice The timelock that queues and executes proposals.
    function timelock() external view returns (address);

    /// @notice The tally of `proposalId`: against, for and abstain votes (gmFLOCK wei).
    function proposalVotes(uint256 proposalId)
        external
        view
        returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes);

    /// @notice The next nonce a `castVoteBySig` signature of `owner` must carry.
    function nonces(address owner) external view returns (uint256);

    /// @notice The EIP-712 type hash of `Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)`.
    function BALLOT_TYPEHASH() external view returns (bytes32);

    /// @notice The EIP-712 type hash of `ExtendedBallot(uint256 proposalId,uint8 support,address voter,uint256
    /// nonce,string reason,bytes params)`.
    function EXTENDED_BALLOT_TYPEHASH() external view returns (bytes32);

    /// @notice Seconds a proposal stays open after its quorum is first reached.
    function lateQuorumVoteExtension() external view returns (uint48);

    /// @notice The quorum, in percent of the gmFLOCK supply at the snapshot (current value).
    function quorumNumerator() external view returns (uint256);

    /// @notice The quorum percentage that applied at `timepoint`.
    function quorumNumerator(uint256 timepoint) external view returns (uint256);

    /// @notice The quorum's denominator: 100.
    function quorumDenominator() external view returns (uint256);

    // ------------------------------------------------------- governance-only (through proposals)

    /// @notice Sets the voting delay (seconds). Only through a proposal.
    function setVotingDelay(uint48 newVotingDelay) external;

    /// @notice Sets the voting period (seconds, not zero). Only through a proposal.
    function setVotingPeriod(uint32 newVotingPeriod) external;

    /// @notice Sets the proposal threshold (gmFLOCK wei). Only through a proposal.
    function setProposalThreshold(uint256 newProposalThreshold) external;

    /// @notice Sets the quorum percentage (at most 100). Only through a proposal.
    function updateQuorumNumerator(uint256 newQuorumNumerator) external;

    /// @notice Sets the late-quorum extension (seconds). Only through a proposal.
    function setLateQuorumVoteExtension(uint48 newVoteExtension) external;

    /// @notice Moves execution to another timelock. Only through a proposal.
    function updateTimelock(address newTimelock) external;

    /// @notice Performs a call from the governor itself (to recover assets sent to it by mistake).
    /// Only through a proposal.
    function relay(address target, uint256 value, bytes calldata data) external payable;
}
