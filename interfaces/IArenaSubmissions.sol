// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEmissionController} from "./IEmissionController.sol";
import {ITaskRegistry} from "./ITaskRegistry.sol";

/**
 * @title IArenaSubmissions
 * @notice The on-chain inputs of the scoring oracle for AI Arena tasks, per task and epoch (the
 * emission controller's epochs): training nodes commit to a model and then reveal it, validators
 * commit to their score file and then reveal its hash. Everything the oracle needs is in the events.
 *
 * Phases. Epoch e starts at `genesis + e x epochLength`. From its start, for `submit` seconds,
 * training nodes of the task commit to one model each; then for `modelReveal` seconds they reveal
 * it (hash + URI); then for `commit` seconds validators, who evaluated the revealed models, commit
 * to the hash of their score file; then for `reveal` seconds they reveal it. The four together fit
 * in one epoch, so every action belongs to the current epoch. After the reveal phase the oracles
 * compute and post the epoch's rewards (IRewardDistributor). Governance sets the phase lengths; a
 * change applies from the next epoch, never to a running or past one: `phasesAt(e)` never changes
 * once epoch e has started.
 *
 * Commit-reveal. A node commits `keccak256(abi.encode(modelHash, keccak256(uri), salt, node, taskId,
 * epoch))` (`modelCommitmentOf`), a validator `keccak256(abi.encode(fileHash, salt, validator,
 * taskId, epoch))` (`commitmentOf`): bound to the account, so copying another's commitment is
 * useless, and to the task epoch, so it cannot be replayed. Nothing of a model is public before the
 * submit phase closes, so nobody can copy a model of the same epoch; the oracle pays a model hash
 * only to its first committer (earliest `ModelCommitted` event) and only in the first epoch it is
 * revealed in (docs/oracle.md). A commitment never revealed is a fault anyone can prove from
 * `modelOf` / `scoresOf` and `schedule` (ArenaSlasher slashes it).
 *
 * Who may act: `commitModel` only a training node of the task, `commitScores` only a validator
 * (TaskRegistry.memberOf), in an approved Arena task that has not ended; `revealModel` and
 * `revealScores` whoever committed.
 */
interface IArenaSubmissions {
    enum Phase {
        Submit, // training nodes commit to their model
        ModelReveal, // training nodes reveal their model
        Commit, // validators commit to their score file
        Reveal, // validators reveal it
        Closed // after the reveal phase, until the next epoch starts
    }

    /// @notice The phase lengths in force for an epoch, in seconds.
    struct Phases {
        uint256 submit;
        uint256 modelReveal;
        uint256 commit;
        uint256 reveal;
    }

    /// @notice When each phase of an epoch ends (unix seconds).
    struct Schedule {
        uint256 start;
        uint256 submitEnd;
        uint256 modelRevealEnd;
        uint256 commitEnd;
        uint256 revealEnd;
    }

    // ---------------------------------------------------------------------------------------- errors

    /// @notice The action belongs to phase `required`; epoch `epoch` is in phase `current`.
    error SubmissionsWrongPhase(uint256 epoch, Phase current, Phase required);
    /// @notice Only approved Arena tasks that have not ended take commitments.
    error SubmissionsTaskNotOpen(uint256 taskId, ITaskRegistry.TaskKind kind, ITaskRegistry.TaskState state);
    /// @notice The caller does not hold the role this needs in the task.
    error SubmissionsWrongRole(uint256 taskId, address account, ITaskRegistry.Role role, ITaskRegistry.Role required);
    /// @notice The account already committed (a model, or scores) for this task epoch.
    error SubmissionsAlreadyCommitted(uint256 taskId, uint256 epoch, address account, bytes32 commitment);
    /// @notice The account has no commitment for this task epoch.
    error SubmissionsNotCommitted(uint256 taskId, uint256 epoch, address account);
    /// @notice The account already revealed (`revealed`: the model or file hash) for this task epoch.
    error SubmissionsAlreadyRevealed(uint256 taskId, uint256 epoch, address account, bytes32 revealed);
    /// @notice The revealed values do not give the commitment.
    error SubmissionsRevealMismatch(
        uint256 taskId, uint256 epoch, address account, bytes32 committed, bytes32 revealed
    );
    /// @notice A model or file hash, or a commitment, must not be zero; a model needs a URI.
    error SubmissionsEmptyInput();
    /// @notice Each phase needs at least `MIN_PHASE`, and the four must fit in one epoch.
    error SubmissionsInvalidPhases(
        uint256 submit, uint256 modelReveal, uint256 commit, uint256 reveal, uint256 epochLength
    );

    // ---------------------------------------------------------------------------------------- events

    /// @notice Training node `node` committed to a model for task `taskId` in epoch `epoch`.
    event ModelCommitted(uint256 indexed taskId, uint256 indexed epoch, address indexed node, bytes32 commitment);
    /// @notice Training node `node` revealed model `modelHash` (fetched from `uri`) for task `taskId`
    /// in epoch `epoch`.
    event ModelRevealed(
        uint256 indexed taskId, uint256 indexed epoch, address indexed node, bytes32 modelHash, string uri
    );
    /// @notice Validator `validator` committed to its score file for task `taskId`, epoch `epoch`.
    event ScoresCommitted(uint256 indexed taskId, uint256 indexed epoch, address indexed validator, bytes32 commitment);
    /// @notice Validator `validator` revealed the hash of its score file for task `taskId`, epoch `epoch`.
    event ScoresRevealed(uint256 indexed taskId, uint256 indexed epoch, address indexed validator, bytes32 fileHash);
    /// @notice Governance set the phase lengths, in force from epoch `fromEpoch`.
    event PhasesSet(uint256 fromEpoch, uint256 submit, uint256 modelReveal, uint256 commit, uint256 reveal);

    // ---------------------------------------------------------------------------------------- participants

    /// @notice Sets the proxy's state, once, in the proxy's deployment (then `DEFAULT_ADMIN_ROLE`
    /// is `admin`'s); the implementation itself refuses.
    function initialize(address admin, Phases calldata lengths) external;

    /**
     * @notice Commits to the caller's model for the current epoch of task `taskId`.
     * @dev Only a training node of an approved, running Arena task, in the submit phase, once per epoch.
     * @param commitment `modelCommitmentOf(modelHash, uri, salt, msg.sender, taskId, epoch)`.
     */
    function commitModel(uint256 taskId, bytes32 commitment) external;

    /**
     * @notice Reveals the caller's model for the current epoch of task `taskId`.
     * @dev In the model-reveal phase, once, matching the caller's commitment.
     * @param modelHash keccak256 of the model artifact (what validators check what they fetch against).
     * @param uri where validators fetch the artifact.
     * @param salt the secret the commitment was made with.
     */
    function revealModel(uint256 taskId, bytes32 modelHash, string calldata uri, bytes32 salt) external;

    /**
     * @notice Commits to the caller's score file for the current epoch of task `taskId`.
     * @dev Only a validator of an approved, running Arena task, in the commit phase, once per epoch.
     * @param commitment `commitmentOf(fileHash, salt, msg.sender, taskId, epoch)`.
     */
    function commitScores(uint256 taskId, bytes32 commitment) external;

    /**
     * @notice Reveals the hash of the caller's score file for the current epoch of task `taskId`.
     * @dev In the reveal phase, once, matching the caller's commitment.
     */
    function revealScores(uint256 taskId, bytes32 fileHash, bytes32 salt) external;

    // ---------------------------------------------------------------------------------------- governance

    /**
     * @notice Sets the phase lengths (seconds) from the next epoch on: each at least `MIN_PHASE` (10
     * minutes), the four within one epoch. Epochs that have started keep theirs.
     * @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
     */
    function setPhases(Phases calldata lengths) external;

    // ---------------------------------------------------------------------------------------- views

    /// @notice The commitment a validator posts for a file hash and salt.
    function commitmentOf(bytes32 fileHash, bytes32 salt, address validator, uint256 taskId, uint256 epoch)
        external
        pure
        returns (bytes32);

    /// @notice The commitment a training node posts for a model hash, URI and salt.
    function modelCommitmentOf(
        bytes32 modelHash,
        string calldata uri,
        bytes32 salt,
        address node,
        uint256 taskId,
        uint256 epoch
    ) external pure returns (bytes32);

    /// @notice The latest phase lengths set (in force from `phasesFrom()`).
    function phases() external view returns (Phases memory);

    /// @notice The first epoch in which `phases()` apply.
    function phasesFrom() external view returns (uint256);

    /// @notice How many phase schedules have been recorded (checkpoints of the history).
    function phaseChanges() external view returns (uint256);

    /// @notice The phase lengths in force in `epoch` (never changes once the epoch has started).
    function phasesAt(uint256 epoch) external view returns (Phases memory);

    /// @notice When epoch `epoch` starts and each of its phases ends.
    function schedule(uint256 epoch) external view returns (Schedule memory);

    /// @notice The current epoch, its phase and when that phase ends.
    function currentPhase() external view returns (uint256 epoch, Phase phase, uint256 endsAt);

    /// @notice The model `node` revealed for task `taskId` in `epoch` (zero if none).
    function submissionOf(uint256 taskId, uint256 epoch, address node) external view returns (bytes32);

    /// @notice A node's model commitment and revealed model hash for a task epoch (zeros if none).
    function modelOf(uint256 taskId, uint256 epoch, address node)
        external
        view
        returns (bytes32 commitment, bytes32 modelHash);

    /// @notice A validator's commitment and revealed file hash for a task epoch (zeros if none).
    function scoresOf(uint256 taskId, uint256 epoch, address validator)
        external
        view
        returns (bytes32 commitment, bytes32 fileHash);

    /// @notice The task registry and emission controller this contract reads.
    function registry() external view returns (ITaskRegistry);

    function emissions() external view returns (IEmissionController);

    /// @notice Shortest phase `setPhases` accepts (seconds).
    function MIN_PHASE() external view returns (uint256);

    /// @notice The emission epoch `block.timestamp` falls in (the emission controller's).
    function currentEpoch() external view returns (uint256);
}
