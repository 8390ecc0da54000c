// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {IArenaSubmissions} from "../../interfaces/IArenaSubmissions.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";
import {TaskStatus} from "../tasks/TaskStatus.sol";
import {EpochClock} from "../utils/EpochClock.sol";

/**
 * @title ArenaSubmissions
 * @dev Training nodes' model commitments and reveals and validators' score commitments for AI Arena
 * tasks, per task and epoch, with the epoch's phases. See {IArenaSubmissions}; docs/oracle.md shows
 * how the oracle reads the events back.
 *
 * Epochs are the emission controller's (its genesis and epoch length, read once at construction and
 * immutable there too), so an epoch's inputs and its budget line up. The contract stores only what it
 * needs to refuse a second commitment, to check a reveal and to prove a missing reveal (ArenaSlasher
 * reads `modelOf` and `scoresOf`); the oracle reads the rest from the events.
 *
 * Storage:
 *
 *     _phaseHistory           checkpoints fromEpoch -> [ reveal: 32 | commit: 32 | modelReveal: 32 | submit: 32 ]
 *     _models[k][node]        [ commitment ] [ model hash ]        k = keccak256(taskId, epoch)
 *     _scores[k][validator]   [ commitment ] [ file hash ]
 *
 * A phase change is a checkpoint from the next epoch on (OpenZeppelin Checkpoints): a second change
 * in the same epoch replaces the pending checkpoint, and no change ever reaches an epoch that has
 * started, so the schedule of every past and running epoch stays what it was.
 */
contract ArenaSubmissions is IArenaSubmissions, AccessControlUpgradeable, UUPSUpgradeable {
    using Checkpoints for Checkpoints.Trace224;

    /// @notice Shortest phase.
    uint256 public constant MIN_PHASE = 10 minutes;

    struct Commitment {
        bytes32 commitment;
        bytes32 revealed; // the model hash, or the score file hash
    }

    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    ITaskRegistry private immutable _registry;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IEmissionController private immutable _emissions;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 private immutable _genesis;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 private immutable _epochLength;

    /// @custom:storage-location erc7201:flock.storage.ArenaSubmissions
    struct ArenaSubmissionsStorage {
        Checkpoints.Trace224 _phaseHistory;
        mapping(uint256 key => mapping(address node => Commitment)) _models;
        mapping(uint256 key => mapping(address validator => Commitment)) _scores;
    }

    // keccak256(abi.encode(uint256(keccak256("flock.storage.ArenaSubmissions")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _ARENA_SUBMISSIONS_STORAGE =
        0xc0202807f8256d1eb7d3c525a11522b3983a02f1e3ee11ddc2fa00a337a33500;

    /**
     * @dev The implementation: the registry and the emission controller (proxies: fixed addresses)
     * and the controller's clock are its immutables, fixed across upgrades; the proxy's state is
     * set by {initialize}, and the implementation itself can never be initialized.
     * @param registry_ the task registry (roles and task states).
     * @param emissions_ the emission controller (its epochs).
     * @custom:oz-upgrades-unsafe-allow constructor
     */
    constructor(ITaskRegistry registry_, IEmissionController emissions_) {
        _registry = registry_;
        _emissions = emissions_;
        _genesis = emissions_.genesis();
        _epochLength = emissions_.epochLength();
        _disableInitializers();
    }

    /**
     * @notice Sets the proxy's state, once, in the proxy's deployment.
     * @param admin receives `DEFAULT_ADMIN_ROLE` (the deployer until governance takes over).
     * @param lengths the phase lengths in seconds (submit, model reveal, commit, reveal), from epoch 0.
     */
    function initialize(address admin, Phases calldata lengths) external initializer {
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setPhases(0, lengths);
    }

    // ======================================================================= participants

    /// @inheritdoc IArenaSubmissions
    function commitModel(uint256 taskId, bytes32 commitment) external {
        uint256 epoch = _commit(_getArenaSubmissionsStorage()._models, taskId, commitment, Phase.Submit);
        emit ModelCommitted(taskId, epoch, msg.sender, commitment);
    }

    /// @inheritdoc IArenaSubmissions
    function revealModel(uint256 taskId, bytes32 modelHash, string calldata uri, bytes32 salt) external {
        if (modelHash == bytes32(0) || bytes(uri).length == 0) revert SubmissionsEmptyInput();
        uint256 epoch = _inPhase(Phase.ModelReveal);
        bytes32 computed = modelCommitmentOf(modelHash, uri, salt, msg.sender, taskId, epoch);
        _reveal(
            _getArenaSubmissionsStorage()._models[_key(taskId, epoch)][msg.sender], taskId, epoch, modelHash, computed
        );
        emit ModelRevealed(taskId, epoch, msg.sender, modelHash, uri);
    }

    /// @inheritdoc IArenaSubmissions
    function commitScores(uint256 taskId, bytes32 commitment) external {
        uint256 epoch = _commit(_getArenaSubmissionsStorage()._scores, taskId, commitment, Phase.Commit);
        emit ScoresCommitted(taskId, epoch, msg.sender, commitment);
    }

    /// @inheritdoc IArenaSubmissions
    function revealScores(uint256 taskId, bytes32 fileHash, bytes32 salt) external {
        if (fileHash == bytes32(0)) revert SubmissionsEmptyInput();
        uint256 epoch = _inPhase(Phase.Reveal);
        bytes32 computed = commitmentOf(fileHash, salt, msg.sender, taskId, epoch);
        _reveal(
            _getArenaSubmissionsStorage()._scores[_key(taskId, epoch)][msg.sender], taskId, epoch, fileHash, computed
        );
        emit ScoresRevealed(taskId, epoch, msg.sender, fileHash);
    }

    // ======================================================================= governance

    /// @inheritdoc IArenaSubmissions
    function setPhases(Phases calldata lengths) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPhases(currentEpoch() + 1, lengths);
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
    function modelCommitmentOf(
        bytes32 modelHash,
        string calldata uri,
        bytes32 salt,
        address node,
        uint256 taskId,
        uint256 epoch
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(modelHash, keccak256(bytes(uri)), salt, node, taskId, epoch));
    }

    /// @inheritdoc IArenaSubmissions
    function phases() external view returns (Phases memory) {
        return _unpack(_getArenaSubmissionsStorage()._phaseHistory.latest());
    }

    /// @inheritdoc IArenaSubmissions
    function phasesFrom() external view returns (uint256 fromEpoch) {
        (, fromEpoch,) = _getArenaSubmissionsStorage()._phaseHistory.latestCheckpoint();
    }

    /// @inheritdoc IArenaSubmissions
    function phaseChanges() external view returns (uint256) {
        return _getArenaSubmissionsStorage()._phaseHistory.length();
    }

    /// @inheritdoc IArenaSubmissions
    function phasesAt(uint256 epoch) public view returns (Phases memory) {
        return _unpack(
            _getArenaSubmissionsStorage()._phaseHistory
                .upperLookupRecent(SafeCast.toUint32(Math.min(epoch, type(uint32).max)))
        );
    }

    /// @inheritdoc IArenaSubmissions
    function schedule(uint256 epoch) public view returns (Schedule memory s) {
        Phases memory p = phasesAt(epoch);
        s.start = EpochClock.epochStart(epoch, _genesis, _epochLength);
        s.submitEnd = s.start + p.submit;
        s.modelRevealEnd = s.submitEnd + p.modelReveal;
        s.commitEnd = s.modelRevealEnd + p.commit;
        s.revealEnd = s.commitEnd + p.reveal;
    }

    /// @inheritdoc IArenaSubmissions
    function currentPhase() public view returns (uint256 epoch, Phase phase, uint256 endsAt) {
        epoch = currentEpoch();
        Schedule memory s = schedule(epoch);
        if (block.timestamp < s.submitEnd) return (epoch, Phase.Submit, s.submitEnd);
        if (block.timestamp < s.modelRevealEnd) return (epoch, Phase.ModelReveal, s.modelRevealEnd);
        if (block.timestamp < s.commitEnd) return (epoch, Phase.Commit, s.commitEnd);
        if (block.timestamp < s.revealEnd) return (epoch, Phase.Reveal, s.revealEnd);
        return (epoch, Phase.Closed, s.start + _epochLength);
    }

    /// @notice The epoch `block.timestamp` falls in (the emission controller's).
    function currentEpoch() public view returns (uint256) {
        return EpochClock.epochAt(block.timestamp, _genesis, _epochLength);
    }

    /// @inheritdoc IArenaSubmissions
    function submissionOf(uint256 taskId, uint256 epoch, address node) external view returns (bytes32) {
        return _getArenaSubmissionsStorage()._models[_key(taskId, epoch)][node].revealed;
    }

    /// @inheritdoc IArenaSubmissions
    function modelOf(uint256 taskId, uint256 epoch, address node)
        external
        view
        returns (bytes32 commitment, bytes32 modelHash)
    {
        return _read(_getArenaSubmissionsStorage()._models, taskId, epoch, node);
    }

    /// @inheritdoc IArenaSubmissions
    function scoresOf(uint256 taskId, uint256 epoch, address validator)
        external
        view
        returns (bytes32 commitment, bytes32 fileHash)
    {
        return _read(_getArenaSubmissionsStorage()._scores, taskId, epoch, validator);
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

    /// @dev Stores the caller's first `commitment` of the current epoch, in phase `phase`, in `commitments`
    /// (the models' in the submit phase, by training nodes; the scores' in the commit phase, by
    /// validators); returns the epoch.
    function _commit(
        mapping(uint256 => mapping(address => Commitment)) storage commitments,
        uint256 taskId,
        bytes32 commitment,
        Phase phase
    ) private returns (uint256 epoch) {
        if (commitment == bytes32(0)) revert SubmissionsEmptyInput();
        epoch = _inPhase(phase);
        _requireMember(taskId, phase == Phase.Submit ? ITaskRegistry.Role.Node : ITaskRegistry.Role.Validator);
        Commitment storage c = commitments[_key(taskId, epoch)][msg.sender];
        bytes32 existing = c.commitment;
        if (existing != bytes32(0)) revert SubmissionsAlreadyCommitted(taskId, epoch, msg.sender, existing);
        c.commitment = commitment;
    }

    /// @dev Records `revealed` in the caller's commitment `c`, which must exist, be unrevealed and
    /// equal `computed` (the commitment recomputed from the reveal).
    function _reveal(Commitment storage c, uint256 taskId, uint256 epoch, bytes32 revealed, bytes32 computed) private {
        bytes32 committed = c.commitment;
        if (committed == bytes32(0)) revert SubmissionsNotCommitted(taskId, epoch, msg.sender);
        bytes32 earlier = c.revealed;
        if (earlier != bytes32(0)) revert SubmissionsAlreadyRevealed(taskId, epoch, msg.sender, earlier);
        if (computed != committed) revert SubmissionsRevealMismatch(taskId, epoch, msg.sender, committed, computed);
        c.revealed = revealed;
    }

    /// @dev `account`'s commitment of the task epoch in `commitments`, and what it revealed.
    function _read(
        mapping(uint256 => mapping(address => Commitment)) storage commitments,
        uint256 taskId,
        uint256 epoch,
        address account
    ) private view returns (bytes32, bytes32) {
        Commitment memory c = commitments[_key(taskId, epoch)][account];
        return (c.commitment, c.revealed);
    }

    /// @dev The caller must hold `role` in an approved Arena task that has not ended. Only Arena tasks
    /// have nodes and validators, so a member in that role of an eligible task (approved, before its
    /// end) passes with two cheap views; otherwise the task's record says which rule failed.
    function _requireMember(uint256 taskId, ITaskRegistry.Role role) private view {
        ITaskRegistry.Role actual = _registry.memberOf(taskId, msg.sender).role;
        if (actual == role && _registry.isEligible(taskId)) return;
        ITaskRegistry.TaskInfo memory info = _registry.taskInfo(taskId);
        if (info.kind != ITaskRegistry.TaskKind.Arena || !TaskStatus.isEligible(info.state, info.endTime)) {
            revert SubmissionsTaskNotOpen(taskId, info.kind, info.state);
        }
        revert SubmissionsWrongRole(taskId, msg.sender, actual, role);
    }

    /// @dev Records `lengths` from epoch `fromEpoch` on (a checkpoint; the same epoch replaces it).
    function _setPhases(uint256 fromEpoch, Phases memory p) private {
        uint256 length = _epochLength;
        bool each = p.submit >= MIN_PHASE && p.modelReveal >= MIN_PHASE && p.commit >= MIN_PHASE
            && p.reveal >= MIN_PHASE && p.submit <= length && p.modelReveal <= length && p.commit <= length
            && p.reveal <= length;
        // Each length is at most the epoch's (below 2^32), so the sum cannot overflow.
        if (!each || p.submit + p.modelReveal + p.commit + p.reveal > length) {
            revert SubmissionsInvalidPhases(p.submit, p.modelReveal, p.commit, p.reveal, length);
        }
        uint224 packed = uint224(p.submit | (p.modelReveal << 32) | (p.commit << 64) | (p.reveal << 96));
        _getArenaSubmissionsStorage()._phaseHistory.push(SafeCast.toUint32(fromEpoch), packed);
        emit PhasesSet(fromEpoch, p.submit, p.modelReveal, p.commit, p.reveal);
    }

    function _unpack(uint224 packed) private pure returns (Phases memory) {
        uint256 v = packed;
        return Phases(uint32(v), uint32(v >> 32), uint32(v >> 64), uint32(v >> 96));
    }

    function _key(uint256 taskId, uint256 epoch) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(taskId, epoch)));
    }

    /// @dev Only the admin (the timelock, after the handover) upgrades the implementation.
    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _getArenaSubmissionsStorage() private pure returns (ArenaSubmissionsStorage storage $) {
        assembly {
            $.slot := _ARENA_SUBMISSIONS_STORAGE
        }
    }
}
