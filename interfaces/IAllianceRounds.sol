// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEmissionController} from "./IEmissionController.sol";
import {IFlockToken} from "./IFlockToken.sol";
import {ITaskRegistry} from "./ITaskRegistry.sol";

/**
 * @title IAllianceRounds
 * @notice FL Alliance rounds: federated training rounds of an Alliance task with random roles,
 * update proposals, commit-reveal stake-weighted votes, rewards and slashing (docs/alliance.md).
 *
 * Rounds. One round at a time per task; anyone opens the next one once the last is finalized and a
 * whole round still fits before the task's end. A round's phases have fixed deadlines from its
 * opening (governance sets their lengths; a round keeps the ones it opened with):
 *
 *     Enrollment  participants of the task (registry `memberOf`) enroll with their stake and a
 *                 commitment to a secret
 *     SeedReveal  they reveal the secret; who does not is left out of the round and slashed
 *     DrawDelay   nothing: lets the chain's randomness move past what anyone saw at the deadline
 *     Proposal    anyone draws the roles (seed = the XOR of the secrets mixed with prevrandao):
 *                 `proposers` of the revealed participants propose, the rest vote; each proposer
 *                 commits to the hash of its candidate update (bound to itself, the round, a salt)
 *     ProposalReveal  each proposer reveals its update's hash (and URI). One hash counts once per
 *                 round: if two proposers reveal the same update, the earlier committer holds the
 *                 proposal and the other gets nothing; an update already in the lineage is refused
 *     Commit      voters commit to a vote (a bit per proposal: accept or reject)
 *     Reveal      voters reveal; each revealed vote counts with the voter's stake
 *     Tally       anyone finalizes: with a quorum of revealed voter stake, a proposal whose tally
 *                 (stake for - stake against) is >= 0 is accepted
 *
 * Settlement. Finalize decides the round in O(proposers), never looping over participants; each
 * participant is then settled on its own (`settle`, anyone, any list): accepted proposers are
 * credited the round reward by stake; rejected proposers, voters on the losing side and
 * participants who did not act when their role required it are slashed through the task
 * registry; of the FLOCK seized, `finalizerBps` is credited to whoever finalized the round and the rest
 * to the round's honest participants by stake. Credits are withdrawn with `withdraw` (pull). FLOCK
 * seized by a slash stays locked (decision 195): the finalizer's and the honest shares are paid as
 * a gmFLOCK lock of the recipient for the maximum lock duration, rewards (emissions) as FLOCK; the
 * seized FLOCK of a round with no honest stake goes to the treasury, never to the pool.
 *
 * Reward pool. Per task, fed by its emission budget (drawn from the emission controller when rounds
 * open and finalize) and by anyone's `fund`. A round with an accepted proposal pays
 * pool / rounds left, counting this round and every whole round that still fits before the end.
 * The accepted update with the most stake for it is appended to the task's model lineage.
 *
 * Eviction. A participant that enrolled in none of the task's last `evictionRounds` rounds (that
 * opened after it joined and did not fill up) can be evicted by anyone: `absentSlashBps` of its
 * stake is slashed (the evictor is credited `finalizerBps` of it, to relock, the treasury the rest) and its slot in
 * the registry is freed; its stake stays at risk until the task's release.
 */
interface IAllianceRounds {
    /// @notice Where a round stands (by the clock, then by its state).
    enum Phase {
        None, // no such round
        Enrollment,
        SeedReveal,
        DrawDelay,
        Proposal,
        ProposalReveal,
        Commit,
        Reveal,
        Tally, // the reveal deadline passed: waiting for `finalize`
        Finalized
    }

    /// @notice How a finalized round ended.
    enum Outcome {
        Pending, // not finalized
        NotDrawn, // too few revealed secrets, or nobody drew the roles in time: void
        NoProposals, // no proposer posted an update: void
        NoQuorum, // revealed voter stake below the quorum: void
        Decided // each proposal accepted or rejected by the stake-weighted tally
    }

    /// @notice Why a participant is slashed.
    enum SlashReason {
        None,
        SeedWithheld, // enrolled, did not reveal its secret
        NoProposal, // drawn proposer, did not commit or did not reveal an update
        Rejected, // its proposal was rejected
        NoVote, // drawn voter, did not commit or did not reveal
        LosingVote // voted against the outcome on some proposals (slashed pro rata)
    }

    /// @notice Governance parameters at construction (afterwards read with `roundPhases`,
    /// `roundRules` and `slashRules`). Durations in seconds, shares in basis points.
    struct Parameters {
        uint256 enrollment; // phase lengths
        uint256 seedReveal;
        uint256 drawDelay;
        uint256 proposal;
        uint256 proposalReveal;
        uint256 commit;
        uint256 reveal;
        uint256 proposers; // proposers drawn per round (fewer if fewer participants)
        uint256 quorumBps; // revealed voter stake needed, of all drawn voters' stake
        uint256 maxParticipants; // enrollments per round (so per task: one round at a time)
        uint256 proposerSlashBps; // of a rejected proposer's enrolled stake
        uint256 voterSlashBps; // of a voter's enrolled stake, if it lost on every proposal
        uint256 absentSlashBps; // of the stake of a participant who withheld a secret, proposal or vote
        uint256 finalizerBps; // of the FLOCK seized, to the round's finalizer (or the evictor)
        uint256 evictionRounds; // rounds a participant may skip in a row before anyone can evict it
    }

    /// @notice A round as the views report it.
    struct RoundInfo {
        Phase phase;
        Outcome outcome;
        uint256 openedAt;
        uint256 enrollEnd;
        uint256 seedEnd;
        uint256 drawAt;
        uint256 proposeEnd; // proposal commitments due
        uint256 proposalRevealEnd; // proposals due
        uint256 commitEnd;
        uint256 revealEnd;
        uint256 enrolled; // participants enrolled
        uint256 seeded; // participants who revealed their secret
        uint256 proposers; // proposers drawn (0 before the draw)
        uint256 posted; // distinct proposals revealed (an update counts once)
        uint256 committed; // votes committed
        uint256 revealed; // votes revealed
        uint256 postedMask; // bit i: proposer slot i posted
        uint256 acceptedMask; // bit i: proposal i accepted
        uint256 seededStake; // stake of the participants who revealed their secret
        uint256 voterStake; // stake of the drawn voters
        uint256 revealedStake; // stake of the votes revealed
        uint256 honestStake; // stake sharing the round's slashes
        uint256 reward; // round reward (credited to accepted proposers by stake)
        uint256 rewardCredited;
        uint256 honestPot; // FLOCK from slashes for the honest participants (entries' honestCredited: credited)
        address finalizer;
        bytes32 seed; // XOR of the revealed secrets before the draw, the draw's seed after it
    }

    /// @notice A participant's place in a round.
    struct EntryInfo {
        bool enrolled;
        bool seedRevealed;
        bool proposer;
        uint256 slot; // proposer slot (proposers only)
        uint256 stake; // enrolled stake: its vote weight and the base of its slashes
        bool posted; // proposers: revealed an update
        bool committed; // proposers and voters
        bool voteRevealed; // voters
        uint256 votes; // revealed vote, bit i = accept proposal i
        bool slashSettled;
        bool rewardCredited;
        uint256 honestCredited; // its share of the honest pot credited so far
        bool duplicate; // proposers: its update was an earlier committer's (it gets nothing)
        uint256 commitOrder; // proposers: 1 + the proposers that committed before it (0: none yet)
    }

    /// @notice What settling a participant now would do.
    struct Settlement {
        SlashReason reason;
        uint256 slashGm; // gmFLOCK to slash (before capping at its remaining stake); 0 if none
        uint256 reward; // round reward still to credit
        uint256 honestShare; // honest-pot share still to credit
    }

    /// @notice An accepted update in a task's model lineage.
    struct LineageEntry {
        bytes32 updateHash;
        address proposer;
        uint256 round;
        uint256 acceptedAt;
    }

    // ---------------------------------------------------------------------------------------- errors

    /// @notice The task does not exist in the registry, or is not an Alliance task.
    error AllianceNotAllianceTask(uint256 taskId);
    /// @notice The task is over (ended, cancelled, or past its end time).
    error AllianceTaskNotActive(uint256 taskId, ITaskRegistry.TaskState state, uint256 endTime);
    /// @notice The task's latest round is not finalized yet.
    error AllianceRoundInProgress(uint256 taskId, uint256 round);
    /// @notice A new round would end after the task does.
    error AllianceRoundDoesNotFit(uint256 taskId, uint256 roundEnd, uint256 taskEnd);
    /// @notice No such round of the task.
    error AllianceUnknownRound(uint256 taskId, uint256 round);
    /// @notice The action belongs to `phase`, open from `opensAt` until `closesAt` (exclusive).
    error AllianceOutsidePhase(uint256 taskId, uint256 round, Phase phase, uint256 opensAt, uint256 closesAt);
    /// @notice The account is not a participant of the task in the registry (or has no stake left).
    error AllianceNotParticipant(uint256 taskId, address account);
    /// @notice The account already enrolled in the round.
    error AllianceAlreadyEnrolled(uint256 taskId, uint256 round, address account);
    /// @notice The round has its maximum number of participants.
    error AllianceRoundFull(uint256 taskId, uint256 round, uint256 maxParticipants);
    /// @notice The account is not enrolled in the round.
    error AllianceNotEnrolled(uint256 taskId, uint256 round, address account);
    /// @notice The account already revealed its secret.
    error AllianceSeedAlreadyRevealed(uint256 taskId, uint256 round, address account);
    /// @notice The secret does not match the account's commitment.
    error AllianceSeedMismatch(uint256 taskId, uint256 round, address account);
    /// @notice The roles of the round are already drawn.
    error AllianceAlreadyDrawn(uint256 taskId, uint256 round);
    /// @notice Too few participants revealed their secret to draw roles (`needed` at least).
    error AllianceTooFewParticipants(uint256 taskId, uint256 round, uint256 seeded, uint256 needed);
    /// @notice The roles of the round are not drawn.
    error AllianceNotDrawn(uint256 taskId, uint256 round);
    /// @notice The account is not a proposer of the round.
    error AllianceNotProposer(uint256 taskId, uint256 round, address account);
    /// @notice The proposer already posted its update.
    error AllianceAlreadyProposed(uint256 taskId, uint256 round, address account);
    /// @notice The account is not a voter of the round.
    error AllianceNotVoter(uint256 taskId, uint256 round, address account);
    /// @notice The voter already committed.
    error AllianceAlreadyCommitted(uint256 taskId, uint256 round, address account);
    /// @notice The voter did not commit.
    error AllianceNotCommitted(uint256 taskId, uint256 round, address account);
    /// @notice The voter already revealed.
    error AllianceVoteAlreadyRevealed(uint256 taskId, uint256 round, address account);
    /// @notice The vote and salt do not match the voter's commitment.
    error AllianceVoteMismatch(uint256 taskId, uint256 round, address account);
    /// @notice The update and salt do not match the proposer's commitment.
    error AllianceProposalMismatch(uint256 taskId, uint256 round, address account);
    /// @notice The update is already in the task's lineage: proposing it again is no work.
    error AllianceUpdateInLineage(uint256 taskId, bytes32 updateHash);
    /// @notice The participant enrolled in one of the last `evictionRounds` rounds, could not
    /// have enrolled in one of them, or too few rounds opened since it joined.
    error AllianceNotEvictable(uint256 taskId, address account);
    /// @notice The round is already finalized.
    error AllianceAlreadyFinalized(uint256 taskId, uint256 round);
    /// @notice The round is not finalized yet.
    error AllianceNotFinalized(uint256 taskId, uint256 round);
    /// @notice A zero hash, amount or address where a value is required.
    error AllianceZeroValue();
    /// @notice The account has nothing to withdraw.
    error AllianceNothingToWithdraw(address account);
    /// @notice The task's end has not come (sweeping the pool waits for it).
    error AllianceTaskNotOver(uint256 taskId, uint256 endTime);
    /// @notice The task's pool is empty.
    error AllianceNothingToSweep(uint256 taskId);
    /// @notice A governance parameter outside its hard bounds.
    error AllianceParameterOutOfBounds(bytes32 parameter, uint256 value);

    // ---------------------------------------------------------------------------------------- events

    /// @notice Round `round` of task `taskId` opened; its phase deadlines.
    event RoundOpened(
        uint256 indexed taskId,
        uint256 indexed round,
        uint256 enrollEnd,
        uint256 seedEnd,
        uint256 drawAt,
        uint256 proposeEnd,
        uint256 proposalRevealEnd,
        uint256 commitEnd,
        uint256 revealEnd
    );
    /// @notice `account` enrolled with `stake` (its vote weight and slash base) and a secret's commitment.
    event Enrolled(
        uint256 indexed taskId, uint256 indexed round, address indexed account, uint256 stake, bytes32 commitment
    );
    /// @notice `account` revealed its secret.
    event SeedRevealed(uint256 indexed taskId, uint256 indexed round, address indexed account, bytes32 secret);
    /// @notice The roles were drawn from `seed`: `proposers` in slot order; every other revealed
    /// participant votes.
    event RolesDrawn(uint256 indexed taskId, uint256 indexed round, bytes32 seed, address[] proposers);
    /// @notice Proposer `proposer` (slot `slot`) committed to an update.
    event ProposalCommitted(
        uint256 indexed taskId, uint256 indexed round, address indexed proposer, uint256 slot, bytes32 commitment
    );
    /// @notice `duplicate` revealed the update `updateHash` that `holder`, an earlier committer,
    /// proposes too: the proposal is `holder`'s, and `duplicate` gets nothing for it.
    event DuplicateUpdate(
        uint256 indexed taskId, uint256 indexed round, address indexed duplicate, address holder, bytes32 updateHash
    );
    /// @notice `evictor` evicted `account`, absent from rounds `fromRound` to `toRound`: `gm` of its
    /// stake slashed, `flockSeized` FLOCK seized, `toEvictor` of it to the evictor (to relock), the rest to the treasury.
    event ParticipantEvicted(
        uint256 indexed taskId,
        address indexed account,
        address indexed evictor,
        uint256 fromRound,
        uint256 toRound,
        uint256 gm,
        uint256 flockSeized,
        uint256 toEvictor
    );
    /// @notice Proposer `proposer` (slot `slot`) revealed the update `updateHash`, fetched from `uri`.
    event UpdateProposed(
        uint256 indexed taskId,
        uint256 indexed round,
        address indexed proposer,
        uint256 slot,
        bytes32 updateHash,
        string uri
    );
    /// @notice `voter` committed to a vote.
    event VoteCommitted(uint256 indexed taskId, uint256 indexed round, address indexed voter, bytes32 commitment);
    /// @notice `voter` revealed `votes` (bit i: accept proposal i), counting `stake`.
    event VoteRevealed(
        uint256 indexed taskId, uint256 indexed round, address indexed voter, uint256 votes, uint256 stake
    );
    /// @notice The round was finalized by `finalizer`.
    event RoundFinalized(
        uint256 indexed taskId,
        uint256 indexed round,
        address indexed finalizer,
        Outcome outcome,
        uint256 acceptedMask,
        uint256 reward,
        uint256 honestStake
    );
    /// @notice `updateHash` by `proposer` became entry `index` of the task's model lineage.
    event ModelAccepted(
        uint256 indexed taskId, uint256 indexed round, uint256 index, address proposer, bytes32 updateHash
    );
    /// @notice `account` was slashed `gm` gmFLOCK for `reason`: `flockSeized` FLOCK, of which
    /// `toHonest` went to the round's honest participants (or the treasury if there are none) and
    /// `toFinalizer` was credited to the finalizer (both to relock: `withdraw` locks them).
    event ParticipantSlashed(
        uint256 indexed taskId,
        uint256 indexed round,
        address indexed account,
        SlashReason reason,
        uint256 gm,
        uint256 flockSeized,
        uint256 toHonest,
        uint256 toFinalizer
    );
    /// @notice `account` was due a slash of `gmDue` for `reason` that can no longer be taken: its
    /// stake is gone, or the task's dispute window closed.
    event SlashLapsed(
        uint256 indexed taskId, uint256 indexed round, address indexed account, SlashReason reason, uint256 gmDue
    );
    /// @notice `account` was credited `reward` of the round reward and `honestShare` of its slashes.
    event Credited(
        uint256 indexed taskId, uint256 indexed round, address indexed account, uint256 reward, uint256 honestShare
    );
    /// @notice What was left of a round reward after every accepted proposer's floor-rounded share.
    event RewardRemainderReturned(uint256 indexed taskId, uint256 indexed round, uint256 amount);
    /// @notice `account` withdrew `amount` of its credits to `to`.
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
    /// @notice `account` withdrew `amount` FLOCK of shares of slashes as its gmFLOCK lock `lockId`.
    event Relocked(address indexed account, uint256 amount, uint256 lockId);
    /// @notice `from` added `amount` FLOCK to task `taskId`'s reward pool.
    event PoolFunded(uint256 indexed taskId, address indexed from, uint256 amount);
    /// @notice The task's emission budgets of epochs [fromEpoch, toEpoch) joined its pool.
    event EmissionsPulled(uint256 indexed taskId, uint256 fromEpoch, uint256 toEpoch, uint256 amount);
    /// @notice The pool of a task that is over went to the treasury.
    event PoolSwept(uint256 indexed taskId, address indexed treasury, uint256 amount);
    /// @notice Governance set the phase lengths (for rounds opened from now on).
    event RoundPhasesSet(
        uint256 enrollment,
        uint256 seedReveal,
        uint256 drawDelay,
        uint256 proposal,
        uint256 proposalReveal,
        uint256 commit,
        uint256 reveal
    );
    /// @notice Governance set how many rounds in a row a participant may skip before eviction.
    event EvictionRoundsSet(uint256 rounds);
    /// @notice Governance set the round rules (for rounds opened from now on; the cap at once).
    event RoundRulesSet(uint256 proposers, uint256 quorumBps, uint256 maxParticipants);
    /// @notice Governance set the slash rules (for rounds opened from now on).
    event SlashRulesSet(uint256 proposerSlashBps, uint256 voterSlashBps, uint256 absentSlashBps, uint256 finalizerBps);

    // ---------------------------------------------------------------------------------------- rounds

    /// @notice Sets the proxy's state, once, in the proxy's deployment (then `DEFAULT_ADMIN_ROLE`
    /// is `admin`'s); the implementation itself refuses.
    function initialize(address admin, Parameters calldata params) external;

    /**
     * @notice Opens the task's next round (anyone), once its latest round is finalized. Pulls the
     * task's emission budgets into its pool first.
     * @return round the new round's number (rounds count from 1).
     */
    function openRound(uint256 taskId) external returns (uint256 round);

    /**
     * @notice Enrolls the caller, a participant of the task, in the round with its current stake
     * and `commitment = keccak256(abi.encode(taskId, round, caller, secret))`.
     */
    function enroll(uint256 taskId, uint256 round, bytes32 commitment) external;

    /// @notice Reveals the caller's secret (seed-reveal phase); it joins the seed and the draw.
    function revealSeed(uint256 taskId, uint256 round, bytes32 secret) external;

    /**
     * @notice Draws the round's roles (anyone, from the end of the draw delay until the proposal
     * deadline): the seed is keccak256(XOR of the revealed secrets, prevrandao, task, round).
     * @return seed the seed the roles were drawn from.
     */
    function drawRoles(uint256 taskId, uint256 round) external returns (bytes32 seed);

    /**
     * @notice Commits the caller's candidate update (a drawn proposer, in the proposal phase):
     * `commitment = keccak256(abi.encode(taskId, round, caller, updateHash, salt))`. Nobody can copy
     * an update before the proposal deadline: only commitments are public until then.
     */
    function commitProposal(uint256 taskId, uint256 round, bytes32 commitment) external;

    /// @notice Reveals the caller's committed update and its URI (proposal-reveal phase). A hash
    /// another proposer of the round revealed too belongs to the earlier committer of the two.
    function revealProposal(uint256 taskId, uint256 round, bytes32 updateHash, bytes32 salt, string calldata uri)
        external;

    /**
     * @notice Commits the caller's vote (a drawn voter, in the commit phase):
     * `commitment = keccak256(abi.encode(taskId, round, caller, votes, salt))`.
     */
    function commitVote(uint256 taskId, uint256 round, bytes32 commitment) external;

    /// @notice Reveals the caller's vote: bit i of `votes` accepts proposal i (bits of slots
    /// without a proposal are ignored).
    function revealVote(uint256 taskId, uint256 round, uint256 votes, bytes32 salt) external;

    /**
     * @notice Decides the round after its reveal deadline (anyone; the caller is its finalizer and
     * is credited `finalizerBps` of every slash of the round). O(proposers).
     * @return outcome how the round ended.
     */
    function finalize(uint256 taskId, uint256 round) external returns (Outcome outcome);

    /**
     * @notice Settles each of `accounts` in a finalized round (anyone): executes its slash, credits
     * its reward and its share of the honest pot so far. Slashes are taken before credits, so one
     * call with every participant settles the round completely; an honest participant may be
     * settled again later for shares of slashes executed since. Skips what is already settled.
     */
    function settle(uint256 taskId, uint256 round, address[] calldata accounts) external;

    /**
     * @notice Evicts `account` (anyone) if it enrolled in none of the task's last `evictionRounds`
     * rounds whose enrollment closed (each opened after it joined and did not fill up) and is not
     * enrolled in the open round: slashes `absentSlashBps` of its stake (the caller is credited
     * `finalizerBps` of the FLOCK seized, to relock, the treasury the rest) and frees its slot in the
     * registry (`vacate`). Its remaining stake stays at risk until the task's release.
     * @return gm the gmFLOCK slashed.
     */
    function evict(uint256 taskId, address account) external returns (uint256 gm);

    /**
     * @notice Pays the caller's credits: its rewards (emissions) as FLOCK to `to`, its shares of
     * slashes as a new gmFLOCK lock of the caller for the maximum lock duration (`IGmFlock-lockFor`:
     * FLOCK seized by a slash stays locked, decision 195).
     * @param to receives the liquid FLOCK.
     * @return amount the FLOCK sent to `to`.
     * @return relocked the FLOCK locked for the caller (0: no lock opened).
     */
    function withdraw(address to) external returns (uint256 amount, uint256 relocked);

    // ---------------------------------------------------------------------------------------- pool

    /// @notice Adds `amount` of the caller's FLOCK to an active task's reward pool.
    function fund(uint256 taskId, uint256 amount) external;

    /// @notice Moves the task's emission budgets not yet drawn into its pool (anyone; up to 64 epochs).
    function pullEmissions(uint256 taskId) external returns (uint256 amount);

    /// @notice Sends the pool of a task that is over (and has no round in progress) to the
    /// treasury, after pulling its last emission budgets.
    function sweep(uint256 taskId) external returns (uint256 amount);

    // ---------------------------------------------------------------------------------------- governance

    /// @notice Sets the phase lengths (seconds) of rounds opened from now on.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setRoundPhases(
        uint256 enrollment,
        uint256 seedReveal,
        uint256 drawDelay,
        uint256 proposal,
        uint256 proposalReveal,
        uint256 commit,
        uint256 reveal
    ) external;

    /// @notice Sets how many rounds in a row a participant may skip before anyone can evict it
    /// (1 to 16). @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setEvictionRounds(uint256 rounds) external;

    /// @notice Sets proposers per round, the quorum and the cap on participants per round.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setRoundRules(uint256 proposers, uint256 quorumBps, uint256 maxParticipants) external;

    /// @notice Sets the slash shares and the finalizer's share (absent >= voter, so withholding a
    /// vote never costs less than revealing a losing one). @dev Only `DEFAULT_ADMIN_ROLE`.
    function setSlashRules(
        uint256 proposerSlashBps,
        uint256 voterSlashBps,
        uint256 absentSlashBps,
        uint256 finalizerBps
    ) external;

    // ---------------------------------------------------------------------------------------- views

    /// @notice The task registry (participants, stakes, slashing).
    function registry() external view returns (ITaskRegistry);

    /// @notice The emission controller the pools draw from.
    function emissions() external view returns (IEmissionController);

    /// @notice The FLOCK token.
    function flock() external view returns (IFlockToken);

    /// @notice Where `sweep` sends the pool of a finished task (the DAO treasury).
    function treasury() external view returns (address);

    /// @notice The phase lengths in seconds (what `setRoundPhases` sets).
    function roundPhases()
        external
        view
        returns (
            uint256 enrollment,
            uint256 seedReveal,
            uint256 drawDelay,
            uint256 proposal,
            uint256 proposalReveal,
            uint256 commit,
            uint256 reveal
        );

    /// @notice Rounds in a row a participant may skip before anyone can evict it.
    function evictionRounds() external view returns (uint256);

    /// @notice Proposers per round, quorum, cap on participants per round.
    function roundRules() external view returns (uint256 proposers, uint256 quorumBps, uint256 maxParticipants);

    /// @notice Slash shares and the finalizer's share.
    function slashRules()
        external
        view
        returns (uint256 proposerSlashBps, uint256 voterSlashBps, uint256 absentSlashBps, uint256 finalizerBps);

    /// @notice The length of a round under the current parameters.
    function roundDuration() external view returns (uint256);

    /// @notice The task's pool, rounds opened and the next emission epoch to pull.
    function poolOf(uint256 taskId) external view returns (uint256 pool, uint256 rounds, uint256 nextDrawEpoch);

    /// @notice The number of rounds a round ending at `roundEnd` would count as left, itself included.
    function roundsLeft(uint256 taskId, uint256 roundEnd) external view returns (uint256);

    /// @notice The round's phase by the clock.
    function phaseOf(uint256 taskId, uint256 round) external view returns (Phase);

    /// @notice A round.
    function roundInfo(uint256 taskId, uint256 round) external view returns (RoundInfo memory);

    /// @notice `account`'s place in a round.
    function entryOf(uint256 taskId, uint256 round, address account) external view returns (EntryInfo memory);

    /// @notice The round's proposers in slot order, with their update hashes and the stake for each.
    function proposalsOf(uint256 taskId, uint256 round)
        external
        view
        returns (address[] memory proposers, bytes32[] memory updates, uint256[] memory stakeFor);

    /// @notice The participant that revealed its secret `index`-th (the draw's numbering).
    function seededAt(uint256 taskId, uint256 round, uint256 index) external view returns (address);

    /// @notice What settling `account` now would do.
    function settlementOf(uint256 taskId, uint256 round, address account) external view returns (Settlement memory);

    /// @notice FLOCK credited to `account`, not yet withdrawn: `liquid` (rewards, paid as FLOCK)
    /// and `relock` (shares of slashes, paid as a gmFLOCK lock).
    function owed(address account) external view returns (uint256 liquid, uint256 relock);

    /// @notice The number of entries in the task's model lineage.
    function lineageLength(uint256 taskId) external view returns (uint256);

    /// @notice Entry `index` of the task's model lineage (entry i's parent is entry i - 1; entry
    /// 0's the base model of the task's spec).
    function lineageAt(uint256 taskId, uint256 index) external view returns (LineageEntry memory);

    // ------------------------------------------------------------- hard bounds on the parameters

    /// @notice Shortest phase a governance change may set (seconds).
    function MIN_PHASE() external view returns (uint256);
    /// @notice Longest phase a governance change may set (seconds).
    function MAX_PHASE() external view returns (uint256);
    /// @notice Longest draw delay a governance change may set (seconds).
    function MAX_DRAW_DELAY() external view returns (uint256);
    /// @notice Most proposers a round may draw.
    function MAX_PROPOSERS() external view returns (uint256);
    /// @notice Most rounds a governance change may set as the eviction window (`setEvictionRounds`).
    function MAX_EVICTION_ROUNDS() external view returns (uint256);
    /// @notice Highest participant cap a governance change may set.
    function MAX_PARTICIPANTS_BOUND() external view returns (uint256);
    /// @notice Highest finalizer reward a governance change may set (basis points).
    function MAX_FINALIZER_BPS() external view returns (uint256);
}
