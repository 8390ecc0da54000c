// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IArenaSubmissions} from "./IArenaSubmissions.sol";
import {IEmissionController} from "./IEmissionController.sol";
import {IFlockToken} from "./IFlockToken.sol";
import {ITaskRegistry} from "./ITaskRegistry.sol";

/**
 * @title IRewardDistributor
 * @notice Pays AI Arena rewards per task and epoch from Merkle roots that the scoring oracles post,
 * bounded by the task epoch's emission budget, after a challenge window. Nobody has to trust one
 * operator: a root needs k of the n oracles governance appointed, it can never pay more than the
 * budget, a guardian or governance can veto it during the window, and anyone can recompute it from
 * the chain and the score files (`ape run oracle verify`, docs/oracle.md).
 *
 * Posting. After the epoch's reveal phase (IArenaSubmissions), each oracle posts the tuple
 * (root, total, burn, reportHash) it computed: `total` is what the tree's leaves pay, `burn` the
 * claim fees the oracle deducted from them (per role, governance parameters read by the oracle), and
 * `reportHash` the keccak256 of the canonical report listing every input and amount. The first post
 * of a task epoch draws everything the task accrued at the emission controller and has not drawn
 * into this contract, into the task's pool (`unallocatedOf`: its budgets and funded revenue that no
 * root reserves, all epochs together); a tuple must fit it: total + burn <= the pool. When `quorum`
 * oracles of the current set have posted the same tuple, it is accepted: total + burn are reserved
 * out of the pool, the challenge window starts, and the vesting terms in force are fixed for it.
 * That a root spends no more than its own epoch's budget (plus that epoch's funded revenue) is the
 * oracles' rule, recomputed by `verify` from the controller's events and vetoed in the challenge
 * window; the chain bounds a task's roots by the task's own budget (decision 236).
 *
 * Challenge. Until the window ends, a `GUARDIAN_ROLE` holder (governance, and an optional guardian
 * it appoints and can revoke) may veto: total + burn return to the task's pool and
 * the oracles post again (a new round). After the window, anyone finalizes the root: the claim fees
 * are burned, and the root gets its own escrow, an {IRewardPot} holding exactly its total: a clone of
 * `potImplementation()` whose immutable arguments are the root and its terms, at an address fixed by
 * the task epoch and the root (CREATE2, salt `taskId << 128 | epoch`).
 *
 * Claims, in the pot (`potOf`). Leaves are OpenZeppelin StandardMerkleTree leaves of type
 * (uint256 index, address account, uint256 amount): `index` numbers the leaves 0..n-1 and marks a
 * bit in a bitmap, so no leaf is paid twice. Anyone may claim for an account; the FLOCK goes to the
 * account. If the root's locked share is non-zero, that share of each leaf vests linearly over the
 * vesting period from the end of the challenge window. Here, `claimMany` claims leaves of many task
 * epochs in one transaction (finalizing roots whose window is over) and `releaseVested` releases an
 * account's vesting in many of them.
 */
interface IRewardDistributor {
    enum Status {
        None, // nothing posted yet
        Open, // budget drawn, no accepted root (posting, or after a veto)
        Accepted, // a root reached quorum: in its challenge window
        Final // finalized: claims open, fees burned
    }

    /// @notice Governance parameters at construction (afterwards read with `rewardParameters`,
    /// `claimFees`, `scoringParameters`).
    struct Parameters {
        uint256 challengeWindow; // seconds
        uint256 lockedShareBps; // share of each leaf that vests
        uint256 vestingPeriod; // seconds
        uint256 nodeFeeBps; // claim fees the oracle deducts per role
        uint256 validatorFeeBps;
        uint256 delegatorFeeBps;
        uint256 rankRatioBps; // the oracle's geometric ratio q over node ranks
        uint256 toleranceBps; // the oracle's distance at which validator quality reaches zero
    }

    /// @notice A task epoch's rewards as the views report them.
    struct EpochRewards {
        Status status;
        bytes32 root; // the accepted (or final) root; zero otherwise
        uint256 total; // what its leaves pay
        uint256 burn; // claim fees, burned at finalization
        uint256 finalizesAt; // end of the challenge window
        uint256 round; // vetoes so far
        uint256 lockedShareBps; // vesting terms fixed at acceptance
        uint256 vestingPeriod;
    }

    /// @notice One leaf to claim, for `claimMany`.
    struct Claim {
        uint256 taskId;
        uint256 epoch;
        uint256 index;
        address account;
        uint256 amount;
        bytes32[] proof;
    }

    // ---------------------------------------------------------------------------------------- errors

    /// @notice The caller is not in the current oracle set.
    error RewardNotOracle(address account);
    /// @notice A root must pay something and not be empty: zero, or any value with its upper 96 bits
    /// zero (the shape of a final root's slot, which holds its pot's address; a hash has that shape
    /// with probability 2^-96).
    error RewardEmptyRoot(bytes32 root, uint256 total);
    /// @notice This oracle already posted in the current round for the task epoch.
    error RewardAlreadyPosted(uint256 taskId, uint256 epoch, address oracle);
    /// @notice The task epoch already has an accepted root.
    error RewardRootAlreadyAccepted(uint256 taskId, uint256 epoch, bytes32 root);
    /// @notice total + burn exceeds the task's pool (its budget held here that no root reserves).
    error RewardBudgetExceeded(uint256 taskId, uint256 epoch, uint256 requested, uint256 unallocated);
    /// @notice Roots may be posted only after the epoch's reveal phase.
    error RewardTooEarly(uint256 taskId, uint256 epoch, uint256 revealEnd);
    /// @notice Only AI Arena tasks are paid here (Alliance tasks by their rounds).
    error RewardNotArenaTask(uint256 taskId);
    /// @notice The emission controller has not opened the epoch.
    error RewardEpochNotOpened(uint256 epoch, uint256 nextEpoch);
    /// @notice Task ids and epochs are below 2^128.
    error RewardKeyOutOfRange(uint256 taskId, uint256 epoch);
    /// @notice Only an accepted root inside its challenge window can be vetoed.
    error RewardNotVetoable(uint256 taskId, uint256 epoch, Status status, uint256 finalizesAt);
    /// @notice Finalizing needs an accepted root.
    error RewardNothingToFinalize(uint256 taskId, uint256 epoch, Status status);
    /// @notice The root's challenge window is still open.
    error RewardChallengeOpen(uint256 taskId, uint256 epoch, uint256 finalizesAt);
    /// @notice Nothing has vested since the last release, in any of the listed task epochs.
    error RewardNothingToRelease(address account);
    /// @notice Two lists of different lengths.
    error RewardLengthMismatch(uint256 first, uint256 second);
    /// @notice An empty list of claims.
    error RewardNoClaims();
    /// @notice A governance parameter outside its hard bounds.
    error RewardParameterOutOfBounds(bytes32 parameter, uint256 value);
    /// @notice An oracle set needs 1 <= quorum <= oracles <= MAX_ORACLES.
    error RewardInvalidOracleSet(uint256 oracles, uint256 quorum);
    /// @notice An oracle listed twice, or the zero address.
    error RewardInvalidOracle(address oracle);
    /// @notice A task's pool is swept only once the task no longer earns (ended or cancelled).
    error RewardTaskStillActive(uint256 taskId);
    /// @notice No unallocated budget to sweep.
    error RewardNothingToSweep(uint256 taskId);
    /// @notice A task epoch takes extra budget only before a root is accepted, and only for an Arena task.
    error RewardNotFundable(uint256 taskId, uint256 epoch, Status status);

    // ---------------------------------------------------------------------------------------- events

    /// @notice The first post of a task epoch drew `amount`, everything the task had accrued at the
    /// emission controller and not drawn, into the task's pool.
    event BudgetReserved(uint256 indexed taskId, uint256 indexed epoch, uint256 amount);
    /// @notice `oracle` posted a tuple for the task epoch; `votes` oracles have posted the same in
    /// this round.
    event RootPosted(
        uint256 indexed taskId,
        uint256 indexed epoch,
        address indexed oracle,
        bytes32 root,
        uint256 total,
        uint256 burn,
        bytes32 reportHash,
        uint256 round,
        uint256 votes
    );
    /// @notice A tuple reached quorum; claims open after `finalizesAt` unless it is vetoed.
    event RootAccepted(
        uint256 indexed taskId,
        uint256 indexed epoch,
        bytes32 root,
        uint256 total,
        uint256 burn,
        bytes32 reportHash,
        uint256 finalizesAt
    );
    /// @notice `by` vetoed the accepted root; `returned` (total + burn) is back in the task's pool.
    event RootVetoed(uint256 indexed taskId, uint256 indexed epoch, bytes32 root, address indexed by, uint256 returned);
    /// @notice The root is final: `pot` holds its total and takes the claims; `burned` FLOCK of claim
    /// fees were burned.
    event RootFinalized(uint256 indexed taskId, uint256 indexed epoch, bytes32 root, uint256 burned, address pot);
    /// @notice Governance set the oracle set (version `version`) and its quorum.
    event OraclesSet(address[] oracles, uint256 quorum, uint256 version);
    /// @notice Governance set the challenge window and the vesting terms (for roots accepted from now).
    event RewardParametersSet(uint256 challengeWindow, uint256 lockedShareBps, uint256 vestingPeriod);
    /// @notice Governance set the claim fees per role (applied by the oracle to epochs from now).
    event ClaimFeesSet(uint256 nodeFeeBps, uint256 validatorFeeBps, uint256 delegatorFeeBps);
    /// @notice Governance set the oracle's scoring parameters.
    event ScoringParametersSet(uint256 rankRatioBps, uint256 toleranceBps);
    /// @notice `from` (a `REVENUE_ROLE` holder: the API credits) added `amount` to the task's pool as
    /// revenue of `epoch`; the oracles pay it out with the epoch's root (docs/api.md).
    event BudgetFunded(uint256 indexed taskId, uint256 indexed epoch, address indexed from, uint256 amount);
    /// @notice Governance sent an ended task's pool (what no root reserved) to `to`.
    event UnallocatedSwept(uint256 indexed taskId, address to, uint256 amount);

    // ---------------------------------------------------------------------------------------- roles

    /// @notice Sets the proxy's state, once, in the proxy's deployment (then `DEFAULT_ADMIN_ROLE`
    /// is `admin`'s) and creates the RewardPot implementation; the implementation itself refuses.
    function initialize(address admin, Parameters calldata params, address[] calldata oracles, uint256 quorum) external;

    /// @notice Role that may veto roots in their challenge window (governance and an optional guardian).
    function GUARDIAN_ROLE() external view returns (bytes32);

    /// @notice Role that may add to task epochs' budgets (`fundEpoch`): the API credits contract.
    function REVENUE_ROLE() external view returns (bytes32);

    // ---------------------------------------------------------------------------------------- oracles

    /**
     * @notice Posts the caller's result for task `taskId`, epoch `epoch`.
     * @dev Only an oracle of the current set, once per round, after the epoch's reveal phase; the
     * first post of a task epoch draws its budget. Accepts the tuple when `quorum` oracles posted it.
     * @param root the Merkle root of the leaves (index, account, amount).
     * @param total the sum of the leaves' amounts.
     * @param burn the claim fees deducted from them, burned at finalization.
     * @param reportHash keccak256 of the oracle's canonical report.
     */
    function postRoot(uint256 taskId, uint256 epoch, bytes32 root, uint256 total, uint256 burn, bytes32 reportHash)
        external;

    // ---------------------------------------------------------------------------------------- guardian

    /**
     * @notice Vetoes the accepted root of a task epoch during its challenge window; its total and burn
     * return to the task's pool and a new round of posts begins.
     * @dev Only `GUARDIAN_ROLE`.
     */
    function veto(uint256 taskId, uint256 epoch) external;

    // ---------------------------------------------------------------------------------------- revenue

    /**
     * @notice Adds `amount` FLOCK (pulled from the caller) to the task's pool as revenue of a task
     * epoch whose root is not accepted yet; the epoch's root then pays it too.
     * @dev Only `REVENUE_ROLE` (the API credits contract, which funds the task's next epoch).
     */
    function fundEpoch(uint256 taskId, uint256 epoch, uint256 amount) external;

    // ---------------------------------------------------------------------------------------- anyone

    /// @notice Finalizes an accepted root after its challenge window: creates and funds its pot, burns
    /// its claim fees.
    function finalize(uint256 taskId, uint256 epoch) external;

    /// @notice Claims every leaf in `claims` from its task epoch's pot (finalizing roots whose window
    /// is over); each pays its account.
    function claimMany(Claim[] calldata claims) external;

    /// @notice Releases what has vested for `account` in the pots of the listed task epochs.
    function releaseVested(address account, uint256[] calldata taskIds, uint256[] calldata epochs)
        external
        returns (uint256 amount);

    // ---------------------------------------------------------------------------------------- governance

    /// @notice Replaces the oracle set; posts of open rounds by the previous set no longer count.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setOracles(address[] calldata oracles, uint256 quorum) external;

    /// @notice Sets the challenge window and the vesting terms of roots accepted from now on.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setRewardParameters(uint256 challengeWindow, uint256 lockedShareBps, uint256 vestingPeriod) external;

    /// @notice Sets the claim fee per role, in basis points, that the oracle deducts and this contract burns.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setClaimFees(uint256 nodeFeeBps, uint256 validatorFeeBps, uint256 delegatorFeeBps) external;

    /// @notice Sets the oracle's scoring parameters (docs/oracle.md).
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setScoringParameters(uint256 rankRatioBps, uint256 toleranceBps) external;

    /// @notice Sends an ended (or cancelled) task's pool to `to`, after drawing what it still had
    /// at the emission controller: the budgets no root reserved. Roots accepted and not yet final keep
    /// what they reserved; a later veto returns it to the pool.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock); only an Arena task's (`RewardNotArenaTask`:
    /// an Alliance task's budget is AllianceRounds'), not while the task is active.
    function sweepUnallocated(uint256 taskId, address to) external;

    // ---------------------------------------------------------------------------------------- views

    /// @notice The oracle set and its quorum.
    function oracleSet() external view returns (address[] memory oracles, uint256 quorum);

    /// @notice Whether `account` is in the current oracle set.
    function isOracle(address account) external view returns (bool);

    /**
     * @notice `account`'s seat in the current oracle set: whether it is a member, its index (its bit
     * in a ballot), and the set's version and quorum. ArenaSlasher counts slash roots with it.
     * @param account the account asked about (any address).
     * @return member true if `account` is in the current oracle set (its tag names the set's version).
     * @return index its index in the set, 0 to 15: its bit in a ballot word. Meaningful only when
     * `member` is true (otherwise its index in an earlier set, or 0).
     * @return setVersion the current set's version: a ballot names it, so the posts of a replaced set
     * stop counting.
     * @return quorum how many of the set's oracles must post the same report for it to be accepted.
     */
    function oracleSeat(address account)
        external
        view
        returns (bool member, uint256 index, uint256 setVersion, uint256 quorum);

    /// @notice The challenge window and the vesting terms for roots accepted now.
    function rewardParameters()
        external
        view
        returns (uint256 challengeWindow, uint256 lockedShareBps, uint256 vestingPeriod);

    /// @notice The claim fees per role, in basis points.
    function claimFees() external view returns (uint256 nodeFeeBps, uint256 validatorFeeBps, uint256 delegatorFeeBps);

    /// @notice The oracle's scoring parameters, in basis points.
    function scoringParameters() external view returns (uint256 rankRatioBps, uint256 toleranceBps);

    /// @notice A task epoch's rewards.
    function epochRewards(uint256 taskId, uint256 epoch) external view returns (EpochRewards memory);

    /// @notice The pot of a task epoch's final root (zero before finalization): the only genuine one.
    function potOf(uint256 taskId, uint256 epoch) external view returns (address);

    /// @notice Task `taskId`'s pool: its budget drawn here and funded revenue that no accepted root
    /// reserves, shared by the task's epochs.
    function unallocatedOf(uint256 taskId) external view returns (uint256);

    /// @notice The RewardPot implementation this contract created in its constructor; every pot is a
    /// clone of it.
    function potImplementation() external view returns (address);

    /// @notice The contracts this one reads and pays from.
    function flock() external view returns (IFlockToken);

    function emissions() external view returns (IEmissionController);

    function registry() external view returns (ITaskRegistry);

    function submissions() external view returns (IArenaSubmissions);

    // ------------------------------------------------------------- hard bounds on the parameters

    /// @notice Largest oracle set.
    function MAX_ORACLES() external view returns (uint256);
    /// @notice Shortest challenge window a governance change may set (seconds).
    function MIN_CHALLENGE_WINDOW() external view returns (uint256);
    /// @notice Longest challenge window a governance change may set (seconds).
    function MAX_CHALLENGE_WINDOW() external view returns (uint256);
    /// @notice Longest vesting period a governance change may set (seconds).
    function MAX_VESTING_PERIOD() external view returns (uint256);
    /// @notice Highest fee a governance change may set (basis points).
    function MAX_FEE_BPS() external view returns (uint256);
    /// @notice Highest tolerance a governance change may set (basis points).
    function MAX_TOLERANCE_BPS() external view returns (uint256);
}
