// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {LibBit} from "solady/utils/LibBit.sol";
import {IAllianceRounds} from "../../interfaces/IAllianceRounds.sol";
import {
    AllianceRoundsStorage,
    COMMITTED,
    DUPLICATE,
    ENROLLED,
    POSTED,
    REVEALED,
    REWARD_CREDITED,
    SEEDED,
    SLASH_SETTLED
} from "./AllianceRoundsStorage.sol";
import {RoleDraw} from "./RoleDraw.sol";
import {ModuleCall} from "../utils/ModuleCall.sol";
import {SettlementRules} from "./SettlementRules.sol";
import {AllianceSettlement} from "./AllianceSettlement.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";

/**
 * @title AllianceRounds
 * @dev FL Alliance rounds over the Alliance tasks of a {ITaskRegistry}: see {IAllianceRounds} for
 * the rules and docs/alliance.md for the randomness argument and a worked example.
 *
 * This contract needs the registry's `SLASHER_ROLE` (it slashes participants through the registry,
 * which keeps the stake ledger) and the emission controller's `DISTRIBUTOR_ROLE` (it draws each
 * task's budget into the task's reward pool). It holds FLOCK for exactly: every task's pool, the
 * rewards and honest pots of finalized rounds not yet credited, and the credits not yet withdrawn
 * (INV-07, checked by the alliance state machine). It needs gmFLOCK's `LOCKER_ROLE` too: `withdraw`
 * pays the shares of slashes as locks (decision 195).
 *
 * `settle` and `evict` run in {AllianceSettlement}, the settlement module this contract deploys in
 * its constructor, by delegatecall on this contract's storage (both inherit {AllianceRoundsStorage}
 * first, so the layout is one): together they exceed the 24 KiB code limit (docs/decisions.md 64).
 *
 * The rules are libraries, each read against its Python model in flock/alliance/protocol.py (the
 * same names): {RoleDraw} draws the proposers (`draw_seed`, `draw_proposers`), {SettlementRules}
 * says what a finalized round means for each participant (`assess`, `split_seized`).
 *
 * Nothing loops over a round's participants: votes are tallied as they are revealed (stake for
 * each proposal, and stake per distinct vote so that the stake of the voters who agreed with the
 * outcome on every proposal is one read), `finalize` is O(proposers), and each participant's slash
 * or credit is computed from its own entry when it is settled. The draw builds a memory index of
 * the revealed participants, O(participants) in memory but O(proposers) in storage.
 *
 * Storage (per task and round):
 *
 *     _rounds[t][r]  [ enrollEnd | seedEnd | drawAt | proposeEnd | proposalRevealEnd | commitEnd :
 *                      40 each | outcome: 8 | full: 8 ]                          the clock
 *                    [ enrolled | seeded : 16 | proposers | posted : 8 | committed | revealed |
 *                      postedMask | acceptedMask | minParticipants : 16 | proposerTarget : 8 |
 *                      proposer-, voter-, absentSlashBps, finalizerBps, quorumBps : 16 | openedAt : 40 ]
 *                    [ seededStake | voterStake : 96 | proposalsCommitted : 8 ]
 *                    [ revealedStake | postedStake : 96 | revealEnd : 40 ]   (a vote reveal reads
 *                      its deadline in the slot it writes)
 *                    [ acceptedStake | honestStake : 96 ]
 *                    [ reward | rewardCredited : 96 | acceptedCount | rewardedCount : 16 ]
 *                    [ finalizer: 160 | honestPot: 96 ]   (written by finalize, so a slash adds
 *                      to the pot in a slot it has read, never in a fresh one)
 *                    [ entropy: XOR of secrets, then the seed ]
 *     entries[a]     [ stake: 96 | honestCredited: 96 | status: 8 | slot: 8 | votes: 16 | flags: 8 |
 *                      order: 8 (a proposer's place in the proposal commit order, from 1) ]
 *     commitments[a] the secret's commitment, then the proposal's or the vote's (overwritten: a
 *                    cheaper write)
 *     slotOfUpdate[h] the slot (+ 1) whose proposal is the update `h` (one hash counts once)
 *     _accepted[t][h] the update `h` is in the task's lineage (never proposed again)
 *     _owed[a]       [ open: 1 | relock: 127 | liquid: 128 ]: credits to withdraw; `open` set at
 *                    enrollment and kept by `withdraw`, so a credit rewrites a slot (decision 237)
 */
/// @custom:oz-upgrades-unsafe-allow delegatecall
contract AllianceRounds is
    AllianceRoundsStorage,
    IAllianceRounds,
    AccessControlUpgradeable,
    ReentrancyGuardTransient,
    UUPSUpgradeable
{
    using SafeERC20 for IFlockToken;

    /// @dev The settlement module (settle, evict), run by delegatecall; each implementation deploys
    /// its own, so it is fixed for the implementation's life (an upgrade brings its module along).
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    address private immutable _settlement;

    /// @notice Hard bounds on the governance parameters.
    uint256 public constant MIN_PHASE = _MIN_PHASE;
    uint256 public constant MAX_PHASE = _MAX_PHASE;
    uint256 public constant MAX_DRAW_DELAY = _MAX_DRAW_DELAY;
    uint256 public constant MAX_PROPOSERS = _MAX_PROPOSERS;
    uint256 public constant MAX_PARTICIPANTS_BOUND = _MAX_PARTICIPANTS_BOUND;
    uint256 public constant MAX_FINALIZER_BPS = _MAX_FINALIZER_BPS;
    uint256 public constant MAX_EVICTION_ROUNDS = _MAX_EVICTION_ROUNDS;

    /**
     * @dev The implementation: the registry, the treasury and what derives from them are its
     * immutables (the registry is a proxy, the treasury the timelock: fixed across upgrades), and so
     * is its settlement module, deployed here; the proxy's state is set by {initialize}, and the
     * implementation itself can never be initialized.
     * @param registry_ the task registry; this contract needs its SLASHER_ROLE.
     * @param treasury_ where `sweep` sends the pools of finished tasks (the DAO's timelock).
     * @custom:oz-upgrades-unsafe-allow constructor
     */
    constructor(ITaskRegistry registry_, address treasury_) AllianceRoundsStorage(registry_, treasury_) {
        if (treasury_ == address(0)) revert AllianceZeroValue(); // FLOCK cannot be swept to it
        _settlement = address(new AllianceSettlement(registry_, treasury_));
        _disableInitializers();
    }

    /**
     * @notice Sets the proxy's state, once, in the proxy's deployment.
     * @param admin receives `DEFAULT_ADMIN_ROLE` (the deployer until governance takes over).
     * @param params the initial governance parameters.
     */
    function initialize(address admin, Parameters calldata params) external initializer {
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        // The settlement module validates and stores the parameters, as for governance's setters.
        ModuleCall.run(_settlement, msg.data);
    }

    // ======================================================================= rounds

    /// @inheritdoc IAllianceRounds
    function openRound(uint256 taskId) external nonReentrant returns (uint256 round) {
        AllianceStorage storage $ = _getAllianceStorage();
        ITaskRegistry.TaskInfo memory task = _allianceTask(taskId);
        _requireActive(taskId, task);
        TaskBook storage book = $._books[taskId];
        uint256 latest = book.rounds;
        if (latest != 0 && $._rounds[taskId][latest].outcome == Outcome.Pending) {
            revert AllianceRoundInProgress(taskId, latest);
        }
        StoredParams memory p = $._params;
        uint256 roundEnd = block.timestamp + _duration(p);
        if (roundEnd > task.endTime) revert AllianceRoundDoesNotFit(taskId, roundEnd, task.endTime);
        _start(taskId, book, task);
        round = latest + 1;
        book.rounds = uint32(round);
        Round storage r = $._rounds[taskId][round];
        _schedule(r, p, task.minParticipants);
        emit RoundOpened(
            taskId, round, r.enrollEnd, r.seedEnd, r.drawAt, r.proposeEnd, r.proposalRevealEnd, r.commitEnd, r.revealEnd
        );
        _pull(taskId, book);
    }

    /// @inheritdoc IAllianceRounds
    function enroll(uint256 taskId, uint256 round, bytes32 commitment) external {
        if (commitment == bytes32(0)) revert AllianceZeroValue();
        Round storage r = _round(taskId, round);
        _inPhase(taskId, round, Phase.Enrollment, uint256(r.openedAt), r.enrollEnd);
        Entry storage e = r.entries[msg.sender];
        if (e.status != 0) revert AllianceAlreadyEnrolled(taskId, round, msg.sender);
        uint256 enrolled = r.enrolled;
        uint256 cap = _getAllianceStorage()._params.maxParticipants;
        if (enrolled >= cap) revert AllianceRoundFull(taskId, round, cap);
        ITaskRegistry.Member memory m = _registry.memberOf(taskId, msg.sender);
        if (m.role != ITaskRegistry.Role.Participant || m.released || m.stake == 0 || m.exitAt != 0) {
            revert AllianceNotParticipant(taskId, msg.sender);
        }
        e.stake = uint96(m.stake);
        e.status = ENROLLED;
        mapping(address => uint256) storage credits = _getAllianceStorage()._owed;
        if (credits[msg.sender] == 0) credits[msg.sender] = _OWED_OPEN; // its credits rewrite this slot
        r.commitments[msg.sender] = commitment;
        r.enrolled = uint16(enrolled + 1);
        if (enrolled + 1 >= cap) r.full = true; // the next member is refused: stop the eviction clock
        emit Enrolled(taskId, round, msg.sender, m.stake, commitment);
    }

    /// @inheritdoc IAllianceRounds
    function revealSeed(uint256 taskId, uint256 round, bytes32 secret) external {
        Round storage r = _round(taskId, round);
        _inPhase(taskId, round, Phase.SeedReveal, r.enrollEnd, r.seedEnd);
        Entry storage e = r.entries[msg.sender];
        uint8 status = e.status;
        if (status == 0) revert AllianceNotEnrolled(taskId, round, msg.sender);
        if (status == SEEDED) revert AllianceSeedAlreadyRevealed(taskId, round, msg.sender);
        if (keccak256(abi.encode(taskId, round, msg.sender, secret)) != r.commitments[msg.sender]) {
            revert AllianceSeedMismatch(taskId, round, msg.sender);
        }
        e.status = SEEDED;
        uint256 index = r.seeded;
        r.seededAt[index] = msg.sender;
        r.seeded = uint16(index + 1);
        r.seededStake += e.stake;
        r.entropy ^= secret;
        emit SeedRevealed(taskId, round, msg.sender, secret);
    }

    /// @inheritdoc IAllianceRounds
    function drawRoles(uint256 taskId, uint256 round) external returns (bytes32 seed) {
        Round storage r = _round(taskId, round);
        _inPhase(taskId, round, Phase.Proposal, r.drawAt, r.proposeEnd);
        if (r.proposers != 0) revert AllianceAlreadyDrawn(taskId, round);
        uint256 n = r.seeded;
        uint256 needed = Math.max(2, r.minParticipants);
        if (n < needed) revert AllianceTooFewParticipants(taskId, round, n, needed);
        seed = RoleDraw.drawSeed(r.entropy, block.prevrandao, taskId, round);
        uint256[] memory drawn = RoleDraw.drawProposers(seed, n, r.proposerTarget);
        uint256 count = drawn.length;
        address[] memory chosen = new address[](count);
        uint256 proposerStake;
        for (uint256 i = 0; i < count; ++i) {
            address proposer = r.seededAt[drawn[i]];
            chosen[i] = proposer;
            r.proposerAt[i] = proposer;
            Entry storage e = r.entries[proposer];
            e.slot = uint8(i + 1);
            proposerStake += e.stake;
        }
        r.proposers = uint8(count);
        r.voterStake = uint96(r.seededStake - proposerStake);
        r.entropy = seed;
        emit RolesDrawn(taskId, round, seed, chosen);
    }

    /// @inheritdoc IAllianceRounds
    function commitProposal(uint256 taskId, uint256 round, bytes32 commitment) external {
        if (commitment == bytes32(0)) revert AllianceZeroValue();
        Round storage r = _round(taskId, round);
        _inPhase(taskId, round, Phase.Proposal, r.drawAt, r.proposeEnd);
        if (r.proposers == 0) revert AllianceNotDrawn(taskId, round);
        Entry storage e = r.entries[msg.sender];
        uint256 slot = e.slot;
        if (slot == 0 || e.status != SEEDED) revert AllianceNotProposer(taskId, round, msg.sender);
        if (e.flags & COMMITTED != 0) revert AllianceAlreadyProposed(taskId, round, msg.sender);
        uint8 order = r.proposalsCommitted + 1;
        r.proposalsCommitted = order;
        e.flags |= COMMITTED;
        e.order = order;
        r.commitments[msg.sender] = commitment;
        emit ProposalCommitted(taskId, round, msg.sender, slot - 1, commitment);
    }

    /// @inheritdoc IAllianceRounds
    function revealProposal(uint256 taskId, uint256 round, bytes32 updateHash, bytes32 salt, string calldata uri)
        external
    {
        if (updateHash == bytes32(0)) revert AllianceZeroValue();
        Round storage r = _round(taskId, round);
        _inPhase(taskId, round, Phase.ProposalReveal, r.proposeEnd, r.proposalRevealEnd);
        Entry storage e = r.entries[msg.sender];
        Entry memory m = e;
        if (m.flags & COMMITTED == 0 || m.slot == 0) revert AllianceNotCommitted(taskId, round, msg.sender);
        if (m.flags & POSTED != 0) revert AllianceAlreadyProposed(taskId, round, msg.sender);
        if (keccak256(abi.encode(taskId, round, msg.sender, updateHash, salt)) != r.commitments[msg.sender]) {
            revert AllianceProposalMismatch(taskId, round, msg.sender);
        }
        if (_getAllianceStorage()._accepted[taskId][updateHash]) revert AllianceUpdateInLineage(taskId, updateHash);
        uint256 slot = m.slot - 1;
        uint256 holder = r.slotOfUpdate[updateHash];
        if (holder != 0) {
            // One update counts once per round, for its earliest committer: the later one gets
            // nothing (no reward, no share, no slash for a proposal it did post).
            address other = r.proposerAt[holder - 1];
            Entry storage o = r.entries[other];
            if (o.order < m.order) {
                e.flags = m.flags | POSTED | DUPLICATE;
                emit DuplicateUpdate(taskId, round, msg.sender, other, updateHash);
                return;
            }
            o.flags |= DUPLICATE;
            delete r.updateOf[holder - 1];
            r.postedMask &= ~uint16(1 << (holder - 1));
            r.posted -= 1;
            r.postedStake -= o.stake;
            emit DuplicateUpdate(taskId, round, other, msg.sender, updateHash);
        }
        e.flags = m.flags | POSTED;
        r.slotOfUpdate[updateHash] = slot + 1;
        r.updateOf[slot] = updateHash;
        r.postedMask |= uint16(1 << slot);
        r.posted += 1;
        r.postedStake += m.stake;
        emit UpdateProposed(taskId, round, msg.sender, slot, updateHash, uri);
    }

    /// @inheritdoc IAllianceRounds
    function commitVote(uint256 taskId, uint256 round, bytes32 commitment) external {
        if (commitment == bytes32(0)) revert AllianceZeroValue();
        Round storage r = _round(taskId, round);
        _inPhase(taskId, round, Phase.Commit, r.proposalRevealEnd, r.commitEnd);
        Entry storage e = r.entries[msg.sender];
        if (r.proposers == 0) revert AllianceNotDrawn(taskId, round);
        if (e.status != SEEDED || e.slot != 0) revert AllianceNotVoter(taskId, round, msg.sender);
        if (e.flags & COMMITTED != 0) revert AllianceAlreadyCommitted(taskId, round, msg.sender);
        e.flags |= COMMITTED;
        r.commitments[msg.sender] = commitment;
        r.committed += 1;
        emit VoteCommitted(taskId, round, msg.sender, commitment);
    }

    /// @inheritdoc IAllianceRounds
    function revealVote(uint256 taskId, uint256 round, uint256 votes, bytes32 salt) external {
        Round storage r = _round(taskId, round);
        _inPhase(taskId, round, Phase.Reveal, r.commitEnd, r.revealEnd);
        Entry storage e = r.entries[msg.sender];
        uint8 flags = e.flags;
        if (flags & COMMITTED == 0) revert AllianceNotCommitted(taskId, round, msg.sender);
        if (flags & REVEALED != 0) revert AllianceVoteAlreadyRevealed(taskId, round, msg.sender);
        if (keccak256(abi.encode(taskId, round, msg.sender, votes, salt)) != r.commitments[msg.sender]) {
            revert AllianceVoteMismatch(taskId, round, msg.sender);
        }
        uint256 counted = votes & r.postedMask;
        uint256 stake = e.stake;
        e.flags = flags | REVEALED;
        e.votes = uint16(counted);
        r.revealed += 1;
        r.revealedStake += uint96(stake);
        r.stakeByVotes[counted] += stake;
        for (uint256 bits = counted; bits != 0; bits &= bits - 1) {
            r.stakeFor[LibBit.ffs(bits)] += stake;
        }
        emit VoteRevealed(taskId, round, msg.sender, counted, stake);
    }

    /// @inheritdoc IAllianceRounds
    function finalize(uint256 taskId, uint256 round) external nonReentrant returns (Outcome outcome) {
        Round storage r = _round(taskId, round);
        if (r.outcome != Outcome.Pending) revert AllianceAlreadyFinalized(taskId, round);
        if (block.timestamp < r.revealEnd) {
            revert AllianceOutsidePhase(taskId, round, Phase.Tally, r.revealEnd, type(uint256).max);
        }
        TaskBook storage book = _getAllianceStorage()._books[taskId];
        _pull(taskId, book);
        uint256 honestStake;
        uint256 reward;
        if (r.proposers == 0) {
            outcome = Outcome.NotDrawn;
            honestStake = r.seededStake;
        } else if (r.posted == 0) {
            outcome = Outcome.NoProposals;
            honestStake = r.voterStake;
        } else if (uint256(r.revealedStake) * _BPS < uint256(r.quorumBps) * r.voterStake) {
            outcome = Outcome.NoQuorum;
            honestStake = uint256(r.revealedStake) + r.postedStake;
        } else {
            outcome = Outcome.Decided;
            uint256 accepted = _tally(taskId, round, r);
            honestStake = uint256(r.acceptedStake) + r.stakeByVotes[accepted];
            if (accepted != 0) {
                uint256 pool = book.pool;
                reward = pool / roundsLeft(taskId, r.revealEnd);
                book.pool = uint96(pool - reward);
                r.reward = uint96(reward);
            }
        }
        r.outcome = outcome;
        r.honestStake = uint96(honestStake);
        r.finalizer = msg.sender;
        emit RoundFinalized(taskId, round, msg.sender, outcome, r.acceptedMask, reward, honestStake);
    }

    /// @inheritdoc IAllianceRounds
    /// @dev Runs {AllianceSettlement-settle} on this contract's storage.
    function settle(uint256, uint256, address[] calldata) external {
        ModuleCall.forward(_settlement);
    }

    /// @inheritdoc IAllianceRounds
    /// @dev Runs {AllianceSettlement-evict} on this contract's storage.
    function evict(uint256, address) external returns (uint256) {
        ModuleCall.forward(_settlement);
    }

    /// @inheritdoc IAllianceRounds
    function withdraw(address) external returns (uint256, uint256) {
        ModuleCall.forward(_settlement);
    }

    // ======================================================================= pool

    /// @inheritdoc IAllianceRounds
    function fund(uint256, uint256) external {
        ModuleCall.forward(_settlement);
    }

    /// @inheritdoc IAllianceRounds
    function pullEmissions(uint256) external returns (uint256) {
        ModuleCall.forward(_settlement);
    }

    /// @inheritdoc IAllianceRounds
    function sweep(uint256) external returns (uint256) {
        ModuleCall.forward(_settlement);
    }

    // ======================================================================= governance
    // Run by the settlement module (the parameters' bounds and their storage), after the role check.

    /// @inheritdoc IAllianceRounds
    function setRoundPhases(uint256, uint256, uint256, uint256, uint256, uint256, uint256)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        ModuleCall.forward(_settlement);
    }

    /// @inheritdoc IAllianceRounds
    function setEvictionRounds(uint256) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ModuleCall.forward(_settlement);
    }

    /// @inheritdoc IAllianceRounds
    function setRoundRules(uint256, uint256, uint256) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ModuleCall.forward(_settlement);
    }

    /// @inheritdoc IAllianceRounds
    function setSlashRules(uint256, uint256, uint256, uint256) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ModuleCall.forward(_settlement);
    }

    // ======================================================================= views

    /// @inheritdoc IAllianceRounds
    function registry() external view returns (ITaskRegistry) {
        return _registry;
    }

    /// @inheritdoc IAllianceRounds
    function emissions() external view returns (IEmissionController) {
        return _emissions;
    }

    /// @inheritdoc IAllianceRounds
    function flock() external view returns (IFlockToken) {
        return _flock;
    }

    /// @inheritdoc IAllianceRounds
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IAllianceRounds
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
        )
    {
        StoredParams storage p = _getAllianceStorage()._params;
        return (p.enrollment, p.seedReveal, p.drawDelay, p.proposal, p.proposalReveal, p.commit, p.reveal);
    }

    /// @inheritdoc IAllianceRounds
    function evictionRounds() external view returns (uint256) {
        return _getAllianceStorage()._params.evictionRounds;
    }

    /// @inheritdoc IAllianceRounds
    function roundRules() external view returns (uint256 proposers, uint256 quorumBps, uint256 maxParticipants) {
        StoredParams storage p = _getAllianceStorage()._params;
        return (p.proposers, p.quorumBps, p.maxParticipants);
    }

    /// @inheritdoc IAllianceRounds
    function slashRules()
        external
        view
        returns (uint256 proposerSlashBps, uint256 voterSlashBps, uint256 absentSlashBps, uint256 finalizerBps)
    {
        StoredParams storage p = _getAllianceStorage()._params;
        return (p.proposerSlashBps, p.voterSlashBps, p.absentSlashBps, p.finalizerBps);
    }

    /// @inheritdoc IAllianceRounds
    function roundDuration() external view returns (uint256) {
        return _duration(_getAllianceStorage()._params);
    }

    /// @inheritdoc IAllianceRounds
    function poolOf(uint256 taskId) external view returns (uint256 pool, uint256 rounds, uint256 nextDrawEpoch) {
        TaskBook memory book = _getAllianceStorage()._books[taskId];
        return (book.pool, book.rounds, book.nextDrawEpoch);
    }

    /// @inheritdoc IAllianceRounds
    function roundsLeft(uint256 taskId, uint256 roundEnd) public view returns (uint256) {
        uint256 endTime = _registry.taskInfo(taskId).endTime;
        return endTime > roundEnd ? 1 + (endTime - roundEnd) / _duration(_getAllianceStorage()._params) : 1;
    }

    /// @inheritdoc IAllianceRounds
    function phaseOf(uint256 taskId, uint256 round) public view returns (Phase) {
        Round storage r = _getAllianceStorage()._rounds[taskId][round];
        if (r.enrollEnd == 0) return Phase.None;
        if (r.outcome != Outcome.Pending) return Phase.Finalized;
        uint256 t = block.timestamp;
        if (t < r.enrollEnd) return Phase.Enrollment;
        if (t < r.seedEnd) return Phase.SeedReveal;
        if (t < r.drawAt) return Phase.DrawDelay;
        if (t < r.proposeEnd) return Phase.Proposal;
        if (t < r.proposalRevealEnd) return Phase.ProposalReveal;
        if (t < r.commitEnd) return Phase.Commit;
        if (t < r.revealEnd) return Phase.Reveal;
        return Phase.Tally;
    }

    /// @inheritdoc IAllianceRounds
    function roundInfo(uint256 taskId, uint256 round) external view returns (RoundInfo memory info) {
        Round storage r = _getAllianceStorage()._rounds[taskId][round];
        info.phase = phaseOf(taskId, round);
        info.outcome = r.outcome;
        info.openedAt = r.openedAt;
        info.enrollEnd = r.enrollEnd;
        info.seedEnd = r.seedEnd;
        info.drawAt = r.drawAt;
        info.proposeEnd = r.proposeEnd;
        info.proposalRevealEnd = r.proposalRevealEnd;
        info.commitEnd = r.commitEnd;
        info.revealEnd = r.revealEnd;
        info.enrolled = r.enrolled;
        info.seeded = r.seeded;
        info.proposers = r.proposers;
        info.posted = r.posted;
        info.committed = r.committed;
        info.revealed = r.revealed;
        info.postedMask = r.postedMask;
        info.acceptedMask = r.acceptedMask;
        info.seededStake = r.seededStake;
        info.voterStake = r.voterStake;
        info.revealedStake = r.revealedStake;
        info.honestStake = r.honestStake;
        info.reward = r.reward;
        info.rewardCredited = r.rewardCredited;
        info.honestPot = r.honestPot;
        info.finalizer = r.finalizer;
        info.seed = r.entropy;
    }

    /// @inheritdoc IAllianceRounds
    function entryOf(uint256 taskId, uint256 round, address account) external view returns (EntryInfo memory info) {
        Entry memory e = _getAllianceStorage()._rounds[taskId][round].entries[account];
        info.enrolled = e.status != 0;
        info.seedRevealed = e.status == SEEDED;
        info.proposer = e.slot != 0;
        info.slot = e.slot == 0 ? 0 : e.slot - 1;
        info.stake = e.stake;
        info.posted = e.flags & POSTED != 0;
        info.committed = e.flags & COMMITTED != 0;
        info.voteRevealed = e.flags & REVEALED != 0;
        info.votes = e.votes;
        info.slashSettled = e.flags & SLASH_SETTLED != 0;
        info.rewardCredited = e.flags & REWARD_CREDITED != 0;
        info.honestCredited = e.honestCredited;
        info.duplicate = e.flags & DUPLICATE != 0;
        info.commitOrder = e.order;
    }

    /// @inheritdoc IAllianceRounds
    function proposalsOf(uint256 taskId, uint256 round)
        external
        view
        returns (address[] memory proposers, bytes32[] memory updates, uint256[] memory stakeFor)
    {
        Round storage r = _getAllianceStorage()._rounds[taskId][round];
        uint256 count = r.proposers;
        proposers = new address[](count);
        updates = new bytes32[](count);
        stakeFor = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            proposers[i] = r.proposerAt[i];
            updates[i] = r.updateOf[i];
            stakeFor[i] = r.stakeFor[i];
        }
    }

    /// @inheritdoc IAllianceRounds
    function seededAt(uint256 taskId, uint256 round, uint256 index) external view returns (address) {
        return _getAllianceStorage()._rounds[taskId][round].seededAt[index];
    }

    /// @inheritdoc IAllianceRounds
    function settlementOf(uint256 taskId, uint256 round, address account) external view returns (Settlement memory s) {
        Round storage r = _getAllianceStorage()._rounds[taskId][round];
        Entry memory e = r.entries[account];
        if (r.outcome == Outcome.Pending || e.status == 0) return s;
        (SlashReason reason, uint256 gm, bool honest, bool rewarded) = SettlementRules.assess(r, e);
        if (e.flags & SLASH_SETTLED == 0) (s.reason, s.slashGm) = (reason, gm);
        if (rewarded && e.flags & REWARD_CREDITED == 0) s.reward = SettlementRules.rewardShare(r, e.stake);
        if (honest) s.honestShare = SettlementRules.honestShare(r, e.stake) - e.honestCredited;
    }

    /// @inheritdoc IAllianceRounds
    function owed(address account) external view returns (uint256, uint256) {
        uint256 o = _getAllianceStorage()._owed[account];
        return (uint128(o), uint120(o >> _RELOCK_SHIFT));
    }

    /// @inheritdoc IAllianceRounds
    function lineageLength(uint256 taskId) external view returns (uint256) {
        return _getAllianceStorage()._lineage[taskId].length;
    }

    /// @inheritdoc IAllianceRounds
    function lineageAt(uint256 taskId, uint256 index) external view returns (LineageEntry memory) {
        StoredLineage memory l = _getAllianceStorage()._lineage[taskId][index];
        return LineageEntry(l.updateHash, l.proposer, l.round, l.acceptedAt);
    }

    // ======================================================================= internals: rounds

    /// @dev Reverts unless `opensAt <= now < closesAt` and the round is not finalized.
    function _inPhase(uint256 taskId, uint256 round, Phase phase, uint256 opensAt, uint256 closesAt) private view {
        if (block.timestamp < opensAt || block.timestamp >= closesAt) {
            revert AllianceOutsidePhase(taskId, round, phase, opensAt, closesAt);
        }
    }

    function _duration(StoredParams memory p) private pure returns (uint256) {
        return uint256(p.enrollment) + p.seedReveal + p.drawDelay + p.proposal + p.proposalReveal + p.commit + p.reveal;
    }

    /// @dev Sets a new round's deadlines and the rules it keeps until it is settled.
    function _schedule(Round storage r, StoredParams memory p, uint256 minParticipants) private {
        uint256 t = block.timestamp;
        r.openedAt = uint40(t);
        r.enrollEnd = uint40(t += p.enrollment);
        r.seedEnd = uint40(t += p.seedReveal);
        r.drawAt = uint40(t += p.drawDelay);
        r.proposeEnd = uint40(t += p.proposal);
        r.proposalRevealEnd = uint40(t += p.proposalReveal);
        r.commitEnd = uint40(t += p.commit);
        r.revealEnd = uint40(t += p.reveal);
        r.minParticipants = uint16(minParticipants);
        r.proposerTarget = p.proposers;
        r.quorumBps = p.quorumBps;
        r.proposerSlashBps = p.proposerSlashBps;
        r.voterSlashBps = p.voterSlashBps;
        r.absentSlashBps = p.absentSlashBps;
        r.finalizerBps = p.finalizerBps;
    }

    /// @dev Accepts each posted proposal whose stake for it is at least the stake against it,
    /// appends the accepted one with the most stake for it (the lowest slot on a tie) to the
    /// lineage, and records the accepted proposers' stake. Returns the accepted mask.
    function _tally(uint256 taskId, uint256 round, Round storage r) private returns (uint256 accepted) {
        uint256 revealed = r.revealedStake;
        uint256 posted = r.postedMask;
        uint256 count = r.proposers;
        uint256 acceptedStake;
        uint256 acceptedCount;
        uint256 best = type(uint256).max;
        uint256 bestFor;
        for (uint256 slot = 0; slot < count; ++slot) {
            if (posted & (1 << slot) == 0) continue;
            uint256 stakeFor = r.stakeFor[slot];
            if (2 * stakeFor < revealed) continue; // tally = for - against < 0
            accepted |= 1 << slot;
            acceptedStake += r.entries[r.proposerAt[slot]].stake;
            acceptedCount += 1;
            if (best == type(uint256).max || stakeFor > bestFor) (best, bestFor) = (slot, stakeFor);
        }
        r.acceptedMask = uint16(accepted);
        r.acceptedStake = uint96(acceptedStake);
        r.acceptedCount = uint16(acceptedCount);
        if (accepted != 0) _appendLineage(taskId, round, r.proposerAt[best], r.updateOf[best]);
    }

    /// @dev Appends an accepted update to the task's lineage; it can never be proposed again.
    function _appendLineage(uint256 taskId, uint256 round, address proposer, bytes32 updateHash) private {
        AllianceStorage storage $ = _getAllianceStorage();
        StoredLineage[] storage lineage = $._lineage[taskId];
        $._accepted[taskId][updateHash] = true;
        emit ModelAccepted(taskId, round, lineage.length, proposer, updateHash);
        lineage.push(StoredLineage(updateHash, proposer, uint32(round), uint40(block.timestamp)));
    }

    /// @dev Only the admin (the timelock, after the handover) upgrades the implementation.
    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}
}
