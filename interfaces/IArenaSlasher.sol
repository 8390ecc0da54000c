// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IArenaSubmissions} from "./IArenaSubmissions.sol";
import {IRewardDistributor} from "./IRewardDistributor.sol";
import {ITaskRegistry} from "./ITaskRegistry.sol";

/**
 * @title IArenaSlasher
 * @notice Slashing in AI Arena tasks: a share of a dishonest node's or validator's effective stake
 * is taken through `TaskRegistry.slash` (its delegators' pool loses the same fraction) and routed:
 * `keeperBps` to whoever executes the slash, `burnBps` burned, the rest to `recipient` (governance
 * decides; docs/oracle.md "Slashing").
 *
 * Faults the chain proves. A model commitment not revealed by the end of its epoch's model-reveal
 * phase, or a score commitment not revealed by the end of its reveal phase (IArenaSubmissions
 * `modelOf` / `scoresOf` / `schedule`): anyone slashes it with `slashUnrevealed`, from chain data
 * alone, `provableBps` of the account's effective stake.
 *
 * Faults only the evaluation shows. A validator whose mean relative distance to consensus exceeds
 * `deviationBps` for `deviationEpochs` epochs in a row, a revealed score file that cannot be fetched
 * or parsed, a revealed model that the validators score invalid: the oracles list them in a slash
 * tree (OpenZeppelin StandardMerkleTree leaves (uint256 index, address account, uint8 offence)) and
 * post its root with the same rules as reward roots (IRewardDistributor): the oracle set and quorum
 * of the reward distributor, after the epoch's reveal phase, the reward distributor's challenge
 * window, during which a `GUARDIAN_ROLE` holder (governance, an optional guardian) may veto it.
 * After the window anyone executes each leaf (`executeSlash`), `reportedBps` of the stake.
 *
 * Once. An offence is (task, epoch, account, kind); each is slashed at most once, whichever way.
 * Slashes stop, like every registry slash, at the end of the task's dispute window. The offence
 * time given to the registry (which delegations share the loss) is the missed reveal deadline, or
 * for a reported fault the end of the epoch's reveal phase.
 */
interface IArenaSlasher {
    enum Offence {
        None,
        ModelNotRevealed, // chain-provable
        ScoresNotRevealed, // chain-provable
        Deviation, // reported: far from consensus for `deviationEpochs` epochs in a row
        UnreadableScores, // reported: a revealed score file that cannot be fetched or parsed
        InvalidModel // reported: a revealed model that cannot be fetched or run (consensus: invalid)
    }

    enum Status {
        None, // nothing posted
        Open, // posting (or after a veto)
        Accepted // a root reached quorum: vetoable until `executableAt`, then executable
    }

    /// @notice The governance parameters.
    struct Parameters {
        uint256 provableBps; // share of effective stake slashed for a chain-provable fault
        uint256 reportedBps; // share slashed for an oracle-reported fault
        uint256 keeperBps; // share of the seized FLOCK paid to whoever executes the slash
        uint256 burnBps; // share burned; the rest goes to `recipient`
        address recipient; // zero: burned too
        uint256 deviationBps; // the oracle's deviation threshold (mean relative distance to consensus)
        uint256 deviationEpochs; // consecutive epochs beyond it that make an offence
    }

    /// @notice A task epoch's slash report.
    struct Report {
        Status status;
        bytes32 root;
        uint256 count; // leaves
        bytes32 reportHash;
        uint256 executableAt; // end of the challenge window
        uint256 round; // vetoes so far
    }

    // ---------------------------------------------------------------------------------------- errors

    /// @notice The account has no unrevealed commitment in this task epoch.
    error SlasherNothingUnrevealed(uint256 taskId, uint256 epoch, address account);
    /// @notice The reveal deadline of the commitment has not passed.
    error SlasherRevealStillOpen(uint256 taskId, uint256 epoch, address account, uint256 deadline);
    /// @notice This offence was slashed already.
    error SlasherAlreadySlashed(uint256 taskId, uint256 epoch, address account, Offence offence);
    /// @notice The account has no stake left to slash in the task.
    error SlasherNothingToSlash(uint256 taskId, address account);
    /// @notice The caller is not in the reward distributor's current oracle set.
    error SlasherNotOracle(address account);
    /// @notice Slash roots are posted only after the epoch's reveal phase.
    error SlasherTooEarly(uint256 taskId, uint256 epoch, uint256 revealEnd);
    /// @notice Only AI Arena tasks are slashed here.
    error SlasherNotArenaTask(uint256 taskId);
    /// @notice A slash root must be non-zero and list at least one leaf.
    error SlasherEmptyRoot();
    /// @notice This oracle already posted in the current round.
    error SlasherAlreadyPosted(uint256 taskId, uint256 epoch, address oracle);
    /// @notice The task epoch already has an accepted slash root.
    error SlasherRootAlreadyAccepted(uint256 taskId, uint256 epoch, bytes32 root);
    /// @notice Only an accepted root inside its challenge window can be vetoed.
    error SlasherNotVetoable(uint256 taskId, uint256 epoch, Status status, uint256 executableAt);
    /// @notice Slashes of a report execute after its challenge window, from an accepted root.
    error SlasherNotExecutable(uint256 taskId, uint256 epoch, Status status, uint256 executableAt);
    /// @notice The leaf is not in the accepted root, or names a kind the oracles do not report.
    error SlasherInvalidLeaf(uint256 taskId, uint256 epoch, uint256 index, address account, Offence offence);
    /// @notice A governance parameter outside its hard bounds.
    error SlasherParameterOutOfBounds(bytes32 parameter, uint256 value);
    /// @notice The slash pot is empty, or the task is not an Arena task.
    error SlasherNothingInPot(uint256 taskId);

    // ---------------------------------------------------------------------------------------- events

    /// @notice `account` was slashed for `offence` in task `taskId`, epoch `epoch`: `gmAmount` of
    /// its effective stake, of which `flockSeized` FLOCK seized now (routed; `keeper` got its share).
    event ArenaSlashed(
        uint256 indexed taskId,
        uint256 indexed epoch,
        address indexed account,
        Offence offence,
        address keeper,
        uint256 gmAmount,
        uint256 flockSeized
    );
    /// @notice `oracle` posted a slash root for the task epoch; `votes` oracles posted the same.
    event SlashRootPosted(
        uint256 indexed taskId,
        uint256 indexed epoch,
        address indexed oracle,
        bytes32 root,
        uint256 count,
        bytes32 reportHash,
        uint256 round,
        uint256 votes
    );
    /// @notice A slash root reached quorum; its leaves execute from `executableAt` unless vetoed.
    event SlashRootAccepted(
        uint256 indexed taskId,
        uint256 indexed epoch,
        bytes32 root,
        uint256 count,
        bytes32 reportHash,
        uint256 executableAt
    );
    /// @notice `by` vetoed the accepted slash root; the oracles post again.
    event SlashRootVetoed(uint256 indexed taskId, uint256 indexed epoch, bytes32 root, address indexed by);
    /// @notice The FLOCK seized from a task's delegators (the registry's slash pot) went to `to`.
    event SlashPotRouted(uint256 indexed taskId, address to, uint256 amount);
    /// @notice Governance set the slash parameters.
    event SlashParametersSet(
        uint256 provableBps,
        uint256 reportedBps,
        uint256 keeperBps,
        uint256 burnBps,
        address indexed recipient,
        uint256 deviationBps,
        uint256 deviationEpochs
    );

    // ---------------------------------------------------------------------------------------- roles

    /// @notice Sets the proxy's state, once, in the proxy's deployment (then `DEFAULT_ADMIN_ROLE`
    /// is `admin`'s); the implementation itself refuses.
    function initialize(address admin, Parameters calldata params) external;

    /// @notice Role that may veto slash roots in their challenge window (governance and an optional guardian).
    function GUARDIAN_ROLE() external view returns (bytes32);

    // ------------------------------------------------------------- hard bounds on the parameters

    /// @notice Highest share of effective stake one slash may take (basis points), for either path.
    function MAX_SLASH_BPS() external view returns (uint256);
    /// @notice Highest deviation threshold a governance change may set (basis points of consensus).
    function MAX_DEVIATION_BPS() external view returns (uint256);
    /// @notice Most consecutive deviating epochs a governance change may require for one offence.
    function MAX_DEVIATION_EPOCHS() external view returns (uint256);

    // ---------------------------------------------------------------------------------------- anyone

    /**
     * @notice Slashes `account` for a commitment of task `taskId`, epoch `epoch` it never revealed
     * (a model after the model-reveal phase, scores after the reveal phase), `provableBps` of its
     * effective stake; the caller gets the keeper share.
     * @return gmAmount the gmFLOCK slashed.
     */
    function slashUnrevealed(uint256 taskId, uint256 epoch, address account) external returns (uint256 gmAmount);

    /**
     * @notice Executes one leaf of a task epoch's accepted slash root after its challenge window,
     * `reportedBps` of the account's effective stake; the caller gets the keeper share.
     * @return gmAmount the gmFLOCK slashed.
     */
    function executeSlash(
        uint256 taskId,
        uint256 epoch,
        uint256 index,
        address account,
        Offence offence,
        bytes32[] calldata proof
    ) external returns (uint256 gmAmount);

    /// @notice Sends an Arena task's slash pot (FLOCK seized from delegators at sync) to `recipient`
    /// (burned if none).
    function routeSlashPot(uint256 taskId) external;

    // ---------------------------------------------------------------------------------------- oracles

    /**
     * @notice Posts the caller's slash root for task `taskId`, epoch `epoch`.
     * @dev Only an oracle of the reward distributor's current set, once per round, after the epoch's
     * reveal phase. Accepted when `quorum` oracles posted the same (root, count, reportHash).
     */
    function postSlashRoot(uint256 taskId, uint256 epoch, bytes32 root, uint256 count, bytes32 reportHash) external;

    // ---------------------------------------------------------------------------------------- guardian

    /// @notice Vetoes a task epoch's accepted slash root during its challenge window.
    /// @dev Only `GUARDIAN_ROLE`.
    function veto(uint256 taskId, uint256 epoch) external;

    // ---------------------------------------------------------------------------------------- governance

    /// @notice Sets the slash parameters. @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setSlashParameters(Parameters calldata params) external;

    // ---------------------------------------------------------------------------------------- views

    /// @notice The slash parameters.
    function slashParameters() external view returns (Parameters memory);

    /// @notice Whether `account` was slashed for `offence` in the task epoch.
    function isSlashed(uint256 taskId, uint256 epoch, address account, Offence offence) external view returns (bool);

    /// @notice A task epoch's slash report.
    function reportOf(uint256 taskId, uint256 epoch) external view returns (Report memory);

    /// @notice The contracts this one reads and acts through.
    function registry() external view returns (ITaskRegistry);

    function submissions() external view returns (IArenaSubmissions);

    function rewards() external view returns (IRewardDistributor);
}
