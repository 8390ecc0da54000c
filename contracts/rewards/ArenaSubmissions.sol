// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IArenaSubmissions} from "../../interfaces/IArenaSubmissions.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";

/**
 * @title ArenaSubmissions
 * @dev Training nodes' model submissions and validators' score commitments for AI Arena tasks, per
 * task and epoch, with the epoch's phases. See {IArenaSubmissions}; docs/oracle.md shows how the
 * oracle reads the events back.
 *
 * Epochs are the emission controller's (its genesis and epoch length, read once at construction and
 * immutable there too), so an epoch's inputs and its budget line up. The contract stores only what it
 * needs to refuse a second submission or commitment and to check a reveal; the oracle reads the rest
 * from the events.
 *
 * Storage:
 *
 *     _phases                 [ fromEpoch: 32 | submit: 32 | commit: 32 | reveal: 32 |
 *                               previous submit: 32 | previous commit: 32 | previous reveal: 32 ]
 *     _submissions[k][node]   the model hash, k = keccak256(taskId, epoch)
 *     _scores[k][validator]   [ commitment ] [ file hash ]
 *
 * A phase change is recorded with the epoch it applies from, and the lengths it replaces are kept,
 * so the schedule of every epoch (the running one included) stays what it was when it started.
 */
contract ArenaSubmissions is IArenaSubmissions, AccessControl {
    /// @notice Shortest phase.
    uint256 public constant MIN_PHASE = 10 minutes;

    struct PhaseConfig {
        uint32 fromEpoch;
        uint32 submit;
        uint32 commit;
        uint32 reveal;
        uint32 previousSubmit;
        uint32 previousCommit;
        uint32 previousReveal;
    }

    struct Scores {
        bytes32 commitment;
        bytes32 fileHash;
    }

    ITaskRegistry private immutable _registry;
    IEmissionController private immutable _emissions;
    uint256 private immutable _genesis;
    uint256 private immutable _epochLength;

    PhaseConfig private _phases;
    mapping(uint256 key => mapping(address node => bytes32)) private _submissions;
    mapping(uint256 key => mapping(address validator => Scores)) private _scores;

    /**
     * @param registry_ the task registry (roles and task states).
     * @param emissions_ the emission controller (its epochs).
     * @param admin receives `DEFAULT_ADMIN_ROLE` (the deployer until governance takes over).
     * @param submit,commit,reveal the phase lengths in seconds, from epoch 0.
     */
    constructor(
        ITaskRegistry registry_,
        IEmissionController emissions_,
        address admin,
        uint256 submit,
        uint256 commit,
        uint256 reveal
    ) {
        _registry = registry_;
        _emissions = emissions_;
        _genesis = emissions_.genesis();
        _epochLength = emissions_.epochLength();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _checkPhases(submit, commit, reveal);
        _phases = PhaseConfig(0, uint32(submit), uint32(commit), uint32(reveal), 0, 0, 0);
        emit PhasesSet(0, submit, commit, reveal);
    }

    // ======================================================================= participants

    /// @inheritdoc IArenaSubmissions
    function submitModel(uint256 taskId, bytes32 modelHash, string calldata uri) external {
        if (modelHash == bytes32(0) || bytes(uri).length == 0) revert SubmissionsEmptyInput();
        uint256 epoch = _inPhase(Phase.Submit);
        _requireMember(taskId, ITaskRegistry.Role.Node);
        uint256 key = _key(taskId, epoch);
        bytes32 existing = _submissions[key][msg.sender];
        if (existing != bytes32(0)) revert SubmissionsAlreadySubmitted(taskId, epoch, msg.sender, existing);
        _submissions[key][msg.sender] = modelHash;
        emit ModelSubmitted(taskId, epoch, msg.sender, modelHash, uri);
    }

    /// @inheritdoc IArenaSubmissions
    function commitScores(uint256 taskId, bytes32 commitment) external {
        if (commitment == bytes32(0)) revert SubmissionsEmptyInput();
        uint256 epoch = _inPhase(Phase.Commit);
        _requireMember(taskId, ITaskRegistry.Role.Validator);
        Scores storage scores = _scores[_key(taskId, epoch)][msg.sender];
        bytes32 existing = scores.commitment;
        if (existing != bytes32(0)) revert SubmissionsAlreadyCommitted(taskId, epoch, msg.sender, existing);
        scores.commitment = commitment;
        emit ScoresCommitted(taskId, epoch, msg.sender, commitment);
    }

    /// @inheritdoc IArenaSubmissions
    function revealScores(uint256 taskId, bytes32 fileHash, bytes32 salt) external {
        if (fileHash == bytes32(0)) revert SubmissionsEmptyInput();
        uint256 epoch = _inPhase(Phase.Reveal);
        Scores storage scores = _scores[_key(taskId, epoch)][msg.sender];
        bytes32 committed = scores.commitment;
        if (committed == bytes32(0)) revert SubmissionsNotCommitted(taskId, epoch, msg.sender);
        bytes32 revealed = scores.fileHash;
        if (revealed != bytes32(0)) revert SubmissionsAlreadyRevealed(taskId, epoch, msg.sender, revealed);
        bytes32 computed = commitmentOf(fileHash, salt, msg.sender, taskId, epoch);
        if (computed != committed) revert SubmissionsRevealMismatch(taskId, epoch, msg.sender, committed, computed);
        scores.fileHash = fileHash;
        emit ScoresRevealed(taskId, epoch, msg.sender, fileHash);
    }

    // ======================================================================= governance

    /// @inheritdoc IArenaSubmissions
    function setPhases(uint256 submit, uint256 commit, uint256 reveal) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _checkPhases(submit, commit, reveal);
        PhaseConfig memory p = _phases;
        uint256 next = currentEpoch() + 1;
        if (p.fromEpoch < next) {
            // The latest lengths are in force now: they become the previous ones.
            (p.previousSubmit, p.previousCommit, p.previousReveal) = (p.submit, p.commit, p.reveal);
        }
        _phases = PhaseConfig(
            uint32(next), uint32(submit), uint32(commit), uint32(reveal), p.previousSubmit, p.previousCommit, p.previousReveal
        );
        emit PhasesSet(next, submit, commit, reveal);
    }

    // ======================================================================= views

    /// @inheritdoc IArenaSubmissions
    function commitmentOf(bytes32 fileHash, bytes32 salt, address validator, uint256 taskId, uint256 epoch)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(fileHash, salt, validator, taskId, epoch));
    }

    /// @inheritdoc IArenaSubmissions
    function phases() external view returns (uint256 submit, uint256 commit, uint256 reveal) {
        PhaseConfig memory p = _phases;
        return (p.submit, p.commit, p.reveal);
    }

    /// @inheritdoc IArenaSubmissions
    function phasesFrom() external view returns (uint256) {
        return _phases.fromEpoch;
    }

    /// @inheritdoc IArenaSubmissions
    function phasesAt(uint256 epoch) public view returns (Phases memory) {
        PhaseConfig memory p = _phases;
        if (epoch >= p.fromEpoch) return Phases(p.submit, p.commit, p.reveal);
        return Phases(p.previousSubmit, p.previousCommit, p.previousReveal);
    }

    /// @inheritdoc IArenaSubmissions
    function schedule(uint256 epoch) public view returns (Schedule memory s) {
        Phases memory p = phasesAt(epoch);
        s.start = _genesis + epoch * _epochLength;
        s.submitEnd = s.start + p.submit;
        s.commitEnd = s.submitEnd + p.commit;
        s.revealEnd = s.commitEnd + p.reveal;
    }

    /// @inheritdoc IArenaSubmissions
    function currentPhase() public view returns (uint256 epoch, Phase phase, uint256 endsAt) {
        epoch = currentEpoch();
        Schedule memory s = schedule(epoch);
        if (block.timestamp < s.submitEnd) return (epoch, Phase.Submit, s.submitEnd);
        if (block.timestamp < s.commitEnd) return (epoch, Phase.Commit, s.commitEnd);
        if (block.timestamp < s.revealEnd) return (epoch, Phase.Reveal, s.revealEnd);
        return (epoch, Phase.Closed, s.start + _epochLength);
    }

    /// @notice The epoch `block.timestamp` falls in (the emission controller's).
    function currentEpoch() public view returns (uint256) {
        return (block.timestamp - _genesis) / _epochLength;
    }

    /// @inheritdoc IArenaSubmissions
    function submissionOf(uint256 taskId, uint256 epoch, address node) external view returns (bytes32) {
        return _submissions[_key(taskId, epoch)][node];
    }

    /// @inheritdoc IArenaSubmissions
    function scoresOf(uint256 taskId, uint256 epoch, address validator)
        external
        view
        returns (bytes32 commitment, bytes32 fileHash)
    {
        Scores memory s = _scores[_key(taskId, epoch)][validator];
        return (s.commitment, s.fileHash);
    }

    /// @inheritdoc IArenaSubmissions
    function registry() external view returns (ITaskRegistry) {
        return _registry;
    }

    /// @inheritdoc IArenaSubmissions
    function emissions() external view returns (IEmissionController) {
        return _emissions;
    }

    // ======================================================================= internals

    /// @dev The current epoch, if it is in phase `required`.
    function _inPhase(Phase required) private view returns (uint256 epoch) {
        Phase phase;
        (epoch, phase,) = currentPhase();
        if (phase != required) revert SubmissionsWrongPhase(epoch, phase, required);
    }

    /// @dev The caller must hold `role` in an approved Arena task that has not ended.
    function _requireMember(uint256 taskId, ITaskRegistry.Role role) private view {
        ITaskRegistry.TaskInfo memory info = _registry.taskInfo(taskId);
        if (
            info.kind != ITaskRegistry.TaskKind.Arena || info.state != ITaskRegistry.TaskState.Approved
                || block.timestamp >= info.endTime
        ) revert SubmissionsTaskNotOpen(taskId, info.kind, info.state);
        ITaskRegistry.Role actual = _registry.memberOf(taskId, msg.sender).role;
        if (actual != role) revert SubmissionsWrongRole(taskId, msg.sender, actual, role);
    }

    function _checkPhases(uint256 submit, uint256 commit, uint256 reveal) private view {
        uint256 length = _epochLength;
        bool fits = submit <= length && commit <= length && reveal <= length && submit + commit + reveal <= length;
        if (!fits || submit < MIN_PHASE || commit < MIN_PHASE || reveal < MIN_PHASE) {
            revert SubmissionsInvalidPhases(submit, commit, reveal, length);
        }
    }

    function _key(uint256 taskId, uint256 epoch) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(taskId, epoch)));
    }
}
