// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {IGmFlock} from "../../interfaces/IGmFlock.sol";
import {IAllianceRounds} from "../../interfaces/IAllianceRounds.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";
import {AllianceRoundsStorage, REWARD_CREDITED, SLASH_SETTLED} from "./AllianceRoundsStorage.sol";
import {SettlementRules} from "./SettlementRules.sol";

/**
 * @title AllianceSettlement
 * @dev The settlement module of {AllianceRounds}: `settle` (slashes through the registry, rewards
 * and honest shares credited, as {SettlementRules} decides), `evict` (absent participants slashed
 * and their slots freed), the task pools (`pullEmissions`, `fund`, `sweep`), the credits
 * (`withdraw`: rewards as FLOCK, shares of slashes as gmFLOCK locks, decision 195), and the
 * governance parameters' bounds and storage (`initialize`'s, and the setters' after AllianceRounds
 * checked the caller's role).
 * AllianceRounds deploys it in its constructor and runs these functions by delegatecall, on its
 * own storage, with its own roles (the registry's SLASHER_ROLE is AllianceRounds'). Called
 * directly, the module refuses: it has no rounds and no role.
 */
contract AllianceSettlement is AllianceRoundsStorage, ReentrancyGuardTransient {
    using SafeERC20 for IFlockToken;

    /// @notice A direct call: the module only runs inside AllianceRounds.
    error AllianceSettlementNotDelegated();

    address private immutable _self = address(this);
    /// @dev gmFLOCK, where `withdraw` locks the shares of slashes (`lockFor`).
    IGmFlock private immutable _gmFlock;

    modifier onlyDelegated() {
        if (address(this) == _self) revert AllianceSettlementNotDelegated();
        _;
    }

    constructor(ITaskRegistry registry_, address treasury_) AllianceRoundsStorage(registry_, treasury_) {
        _gmFlock = registry_.gmFlock();
    }

    // ======================================================================= settlement

    /// @notice {IAllianceRounds-settle}.
    function settle(uint256 taskId, uint256 round, address[] calldata accounts) external nonReentrant onlyDelegated {
        Round storage r = _round(taskId, round);
        if (r.outcome == IAllianceRounds.Outcome.Pending) revert IAllianceRounds.AllianceNotFinalized(taskId, round);
        for (uint256 i = 0; i < accounts.length; ++i) {
            _settleSlash(taskId, round, r, accounts[i]);
        }
        for (uint256 i = 0; i < accounts.length; ++i) {
            _credit(taskId, round, r, accounts[i]);
        }
    }

    /// @notice {IAllianceRounds-evict}.
    function evict(uint256 taskId, address account) external nonReentrant onlyDelegated returns (uint256 gm) {
        AllianceStorage storage $ = _getAllianceStorage();
        if (!_registry.isActive(taskId)) {
            ITaskRegistry.TaskInfo memory task = _registry.taskInfo(taskId); // read only to say why
            revert IAllianceRounds.AllianceTaskNotActive(taskId, task.state, task.endTime);
        }
        ITaskRegistry.Member memory m = _registry.memberOf(taskId, account);
        if (m.role != ITaskRegistry.Role.Participant || m.released || m.exitAt != 0) {
            revert IAllianceRounds.AllianceNotParticipant(taskId, account);
        }
        (uint256 fromRound, uint256 toRound) = _requireAbsent(taskId, account, m.sigmaSetAt);
        StoredParams storage p = $._params;
        gm = (m.stake * p.absentSlashBps) / _BPS;
        _registry.vacate(taskId, account);
        uint256 seized;
        uint256 toEvictor;
        if (gm != 0) {
            // no honest participant shares an eviction: the rest goes to the treasury, not the pool
            (seized, toEvictor) = _slashThroughRegistry(taskId, msg.sender, p.finalizerBps, account, gm, false);
        }
        emit IAllianceRounds.ParticipantEvicted(taskId, account, msg.sender, fromRound, toRound, gm, seized, toEvictor);
    }

    // ======================================================================= payouts

    /// @notice {IAllianceRounds-pullEmissions}.
    function pullEmissions(uint256 taskId) external nonReentrant onlyDelegated returns (uint256 amount) {
        TaskBook storage book = _getAllianceStorage()._books[taskId];
        _start(taskId, book, _allianceTask(taskId));
        return _pull(taskId, book);
    }

    /// @notice {IAllianceRounds-fund}.
    function fund(uint256 taskId, uint256 amount) external nonReentrant onlyDelegated {
        if (amount == 0) revert IAllianceRounds.AllianceZeroValue();
        ITaskRegistry.TaskInfo memory task = _allianceTask(taskId);
        _requireActive(taskId, task);
        _getAllianceStorage()._books[taskId].pool += SafeCast.toUint96(amount);
        emit IAllianceRounds.PoolFunded(taskId, msg.sender, amount);
        _flock.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice {IAllianceRounds-withdraw}.
    function withdraw(address to) external nonReentrant onlyDelegated returns (uint256 amount, uint256 relocked) {
        AllianceStorage storage $ = _getAllianceStorage();
        uint256 owed = $._owed[msg.sender];
        amount = uint128(owed);
        relocked = uint120(owed >> _RELOCK_SHIFT);
        if (amount == 0 && relocked == 0) revert IAllianceRounds.AllianceNothingToWithdraw(msg.sender);
        $._owed[msg.sender] = _OWED_OPEN; // emptied, still open for the next credit
        if (amount != 0) {
            emit IAllianceRounds.Withdrawn(msg.sender, to, amount);
            _flock.safeTransfer(to, amount);
        }
        if (relocked != 0) {
            // FLOCK seized by a slash stays locked (decision 195): a lock of the maximum duration
            // from now ends no earlier than any lock it could have been seized from.
            _flock.forceApprove(address(_gmFlock), relocked);
            uint256 lockId = _gmFlock.lockFor(msg.sender, relocked);
            emit IAllianceRounds.Relocked(msg.sender, relocked, lockId);
        }
    }

    /// @notice {IAllianceRounds-sweep}.
    function sweep(uint256 taskId) external nonReentrant onlyDelegated returns (uint256 amount) {
        AllianceStorage storage $ = _getAllianceStorage();
        ITaskRegistry.TaskInfo memory task = _allianceTask(taskId);
        if (block.timestamp < task.endTime) revert IAllianceRounds.AllianceTaskNotOver(taskId, task.endTime);
        TaskBook storage book = $._books[taskId];
        uint256 latest = book.rounds;
        if (latest != 0 && $._rounds[taskId][latest].outcome == IAllianceRounds.Outcome.Pending) {
            revert IAllianceRounds.AllianceRoundInProgress(taskId, latest);
        }
        _start(taskId, book, task);
        _pull(taskId, book);
        amount = book.pool;
        if (amount == 0) revert IAllianceRounds.AllianceNothingToSweep(taskId);
        book.pool = 0;
        emit IAllianceRounds.PoolSwept(taskId, _treasury, amount);
        _flock.safeTransfer(_treasury, amount);
    }

    // ======================================================================= governance parameters
    // AllianceRounds runs `initialize` once, in its `initializer`, and checks the caller's role
    // before it delegates a setter here.

    /// @notice The parameters of {IAllianceRounds-initialize} (AllianceRounds sets the roles first).
    function initialize(address, IAllianceRounds.Parameters calldata params) external onlyDelegated {
        _setRoundPhases(
            params.enrollment,
            params.seedReveal,
            params.drawDelay,
            params.proposal,
            params.proposalReveal,
            params.commit,
            params.reveal
        );
        _setRoundRules(params.proposers, params.quorumBps, params.maxParticipants);
        _setSlashRules(params.proposerSlashBps, params.voterSlashBps, params.absentSlashBps, params.finalizerBps);
        _setEvictionRounds(params.evictionRounds);
    }

    /// @notice {IAllianceRounds-setRoundPhases}.
    function setRoundPhases(
        uint256 enrollment,
        uint256 seedReveal,
        uint256 drawDelay,
        uint256 proposal,
        uint256 proposalReveal,
        uint256 commit,
        uint256 reveal
    ) external onlyDelegated {
        _setRoundPhases(enrollment, seedReveal, drawDelay, proposal, proposalReveal, commit, reveal);
    }

    /// @notice {IAllianceRounds-setEvictionRounds}.
    function setEvictionRounds(uint256 rounds) external onlyDelegated {
        _setEvictionRounds(rounds);
    }

    /// @notice {IAllianceRounds-setRoundRules}.
    function setRoundRules(uint256 proposers, uint256 quorumBps, uint256 maxParticipants) external onlyDelegated {
        _setRoundRules(proposers, quorumBps, maxParticipants);
    }

    /// @notice {IAllianceRounds-setSlashRules}.
    function setSlashRules(
        uint256 proposerSlashBps,
        uint256 voterSlashBps,
        uint256 absentSlashBps,
        uint256 finalizerBps
    ) external onlyDelegated {
        _setSlashRules(proposerSlashBps, voterSlashBps, absentSlashBps, finalizerBps);
    }

    // ======================================================================= internals: settlement

    /// @dev Executes an entry's slash once, through the registry, routing `finalizerBps` of the
    /// FLOCK seized to the finalizer (unless the finalizer is the slashed account) and the rest to
    /// the honest pot (to the treasury if the round has no honest stake: never to the pool, whose
    /// rewards are paid liquid, decision 195).
    function _settleSlash(uint256 taskId, uint256 round, Round storage r, address account) private {
        Entry storage e = r.entries[account];
        Entry memory m = e;
        if (m.status == 0) revert IAllianceRounds.AllianceNotEnrolled(taskId, round, account);
        if (m.flags & SLASH_SETTLED != 0) return;
        (IAllianceRounds.SlashReason reason, uint256 gm,,) = SettlementRules.assess(r, m);
        if (reason == IAllianceRounds.SlashReason.None) return;
        e.flags = m.flags | SLASH_SETTLED;
        uint256 take = _takeable(taskId, account, gm);
        if (take == 0) {
            emit IAllianceRounds.SlashLapsed(taskId, round, account, reason, gm);
            return;
        }
        bool honestPot = r.honestStake != 0;
        (uint256 seized, uint256 toFinalizer) =
            _slashThroughRegistry(taskId, r.finalizer, r.finalizerBps, account, take, honestPot);
        uint256 toHonest = seized - toFinalizer;
        if (honestPot) r.honestPot += uint96(toHonest);
        emit IAllianceRounds.ParticipantSlashed(taskId, round, account, reason, take, seized, toHonest, toFinalizer);
    }

    /// @dev What a slash of `gm` can take: capped at the stake left, nothing once the task's
    /// dispute window has closed. One registry read, made only when a slash is due, so settling
    /// credits never reads the task.
    function _takeable(uint256 taskId, address account, uint256 gm) private view returns (uint256) {
        (uint256 stake, uint256 closesAt) = _registry.slashableStake(taskId, account);
        return block.timestamp >= closesAt ? 0 : Math.min(gm, stake);
    }

    /// @dev Slashes `gm` of `account`'s stake and credits `finalizerBps` of the FLOCK seized to the
    /// finalizer (nothing if it is the account itself), to relock. With `kept`, gmFLOCK sends every
    /// FLOCK seized here (one transfer: the route names this contract alone) for the honest pot;
    /// otherwise the registry routes the finalizer's share here (its keeper share, the same
    /// rounding as `splitSeized`) and the rest to the treasury.
    function _slashThroughRegistry(
        uint256 taskId,
        address finalizer,
        uint256 finalizerBps,
        address account,
        uint256 gm,
        bool kept
    ) private returns (uint256 seized, uint256 toFinalizer) {
        if (finalizer == account) finalizerBps = 0;
        // Alliance tasks have no delegations: the offence time (now) only has to be valid.
        (seized,) = _registry.slash(
            taskId,
            account,
            gm,
            block.timestamp,
            kept
                ? ITaskRegistry.SlashRoute(address(this), address(0), 0, 0)
                : ITaskRegistry.SlashRoute(_treasury, address(this), finalizerBps, 0)
        );
        (, toFinalizer) = SettlementRules.splitSeized(seized, finalizerBps);
        if (toFinalizer != 0) _getAllianceStorage()._owed[finalizer] += toFinalizer << _RELOCK_SHIFT;
    }

    /// @dev Credits an entry's reward (once) and its honest share since its last credit.
    function _credit(uint256 taskId, uint256 round, Round storage r, address account) private {
        Entry storage e = r.entries[account];
        Entry memory m = e;
        (,, bool honest, bool rewarded) = SettlementRules.assess(r, m);
        if (!honest) return;
        uint256 reward;
        bool rewardDue = rewarded && m.flags & REWARD_CREDITED == 0;
        if (rewardDue) {
            e.flags = m.flags | REWARD_CREDITED;
            reward = SettlementRules.rewardShare(r, m.stake);
            uint256 credited = r.rewardCredited + reward;
            uint256 rewardedCount = r.rewardedCount + 1;
            r.rewardCredited = uint96(credited);
            r.rewardedCount = uint16(rewardedCount);
            if (rewardedCount == r.acceptedCount && credited < r.reward) {
                // every accepted proposer is paid: the floor-rounding remainder returns to the pool
                uint256 remainder = r.reward - credited;
                r.reward = uint96(credited);
                _getAllianceStorage()._books[taskId].pool += uint96(remainder);
                emit IAllianceRounds.RewardRemainderReturned(taskId, round, remainder);
            }
        }
        uint256 share = SettlementRules.honestShare(r, m.stake) - m.honestCredited;
        if (share != 0) {
            e.honestCredited = m.honestCredited + uint96(share);
        }
        if (!rewardDue && share == 0) return;
        // the reward (emissions) is liquid; the honest share (slashes) is paid as a lock
        _getAllianceStorage()._owed[account] += reward + (share << _RELOCK_SHIFT);
        emit IAllianceRounds.Credited(taskId, round, account, reward, share);
    }

    /// @dev Reverts unless `account` enrolled in none of the task's last `evictionRounds` rounds
    /// whose enrollment closed, could have enrolled in each (they opened after it joined, and none
    /// reached the enrollment cap) and is not enrolled in the round open now. O(evictionRounds).
    function _requireAbsent(uint256 taskId, address account, uint256 joinedAt)
        private
        view
        returns (uint256 fromRound, uint256 toRound)
    {
        AllianceStorage storage $ = _getAllianceStorage();
        toRound = $._books[taskId].rounds;
        if (toRound != 0) {
            Round storage latest = $._rounds[taskId][toRound];
            if (block.timestamp < latest.enrollEnd) {
                if (latest.entries[account].status != 0) revert IAllianceRounds.AllianceNotEvictable(taskId, account);
                toRound -= 1;
            }
        }
        StoredParams storage p = $._params;
        uint256 window = p.evictionRounds;
        uint256 cap = p.maxParticipants;
        if (toRound < window) revert IAllianceRounds.AllianceNotEvictable(taskId, account);
        fromRound = toRound - window + 1;
        if ($._rounds[taskId][fromRound].openedAt < joinedAt) {
            revert IAllianceRounds.AllianceNotEvictable(taskId, account);
        }
        for (uint256 k = fromRound; k <= toRound; ++k) {
            Round storage r = $._rounds[taskId][k];
            if (r.entries[account].status != 0 || r.full || r.enrolled >= cap) {
                revert IAllianceRounds.AllianceNotEvictable(taskId, account);
            }
        }
    }

    // ======================================================================= internals: parameters

    function _bound(bytes32 name, uint256 value, uint256 low, uint256 high) private pure {
        if (value < low || value > high) revert IAllianceRounds.AllianceParameterOutOfBounds(name, value);
    }

    function _setRoundPhases(
        uint256 enrollment,
        uint256 seedReveal,
        uint256 drawDelay,
        uint256 proposal,
        uint256 proposalReveal,
        uint256 commit,
        uint256 reveal
    ) private {
        _bound("enrollment", enrollment, _MIN_PHASE, _MAX_PHASE);
        _bound("seedReveal", seedReveal, _MIN_PHASE, _MAX_PHASE);
        _bound("drawDelay", drawDelay, 0, _MAX_DRAW_DELAY);
        _bound("proposal", proposal, _MIN_PHASE, _MAX_PHASE);
        _bound("proposalReveal", proposalReveal, _MIN_PHASE, _MAX_PHASE);
        _bound("commit", commit, _MIN_PHASE, _MAX_PHASE);
        _bound("reveal", reveal, _MIN_PHASE, _MAX_PHASE);
        StoredParams storage p = _getAllianceStorage()._params;
        p.enrollment = uint32(enrollment);
        p.seedReveal = uint32(seedReveal);
        p.drawDelay = uint32(drawDelay);
        p.proposal = uint32(proposal);
        p.proposalReveal = uint32(proposalReveal);
        p.commit = uint32(commit);
        p.reveal = uint32(reveal);
        emit IAllianceRounds.RoundPhasesSet(enrollment, seedReveal, drawDelay, proposal, proposalReveal, commit, reveal);
    }

    function _setEvictionRounds(uint256 rounds) private {
        _bound("evictionRounds", rounds, 1, _MAX_EVICTION_ROUNDS);
        _getAllianceStorage()._params.evictionRounds = uint8(rounds);
        emit IAllianceRounds.EvictionRoundsSet(rounds);
    }

    function _setRoundRules(uint256 proposers, uint256 quorumBps, uint256 maxParticipants) private {
        _bound("proposers", proposers, 1, _MAX_PROPOSERS);
        _bound("quorumBps", quorumBps, 1, _BPS);
        _bound("maxParticipants", maxParticipants, 2, _MAX_PARTICIPANTS_BOUND);
        StoredParams storage p = _getAllianceStorage()._params;
        p.proposers = uint8(proposers);
        p.quorumBps = uint16(quorumBps);
        p.maxParticipants = uint16(maxParticipants);
        emit IAllianceRounds.RoundRulesSet(proposers, quorumBps, maxParticipants);
    }

    function _setSlashRules(
        uint256 proposerSlashBps,
        uint256 voterSlashBps,
        uint256 absentSlashBps,
        uint256 finalizerBps
    ) private {
        _bound("proposerSlashBps", proposerSlashBps, 0, _BPS);
        _bound("voterSlashBps", voterSlashBps, 0, _BPS);
        _bound("absentSlashBps", absentSlashBps, voterSlashBps, _BPS);
        _bound("finalizerBps", finalizerBps, 0, _MAX_FINALIZER_BPS);
        StoredParams storage p = _getAllianceStorage()._params;
        p.proposerSlashBps = uint16(proposerSlashBps);
        p.voterSlashBps = uint16(voterSlashBps);
        p.absentSlashBps = uint16(absentSlashBps);
        p.finalizerBps = uint16(finalizerBps);
        emit IAllianceRounds.SlashRulesSet(proposerSlashBps, voterSlashBps, absentSlashBps, finalizerBps);
    }
}
