// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFlockToken} from "./IFlockToken.sol";

/**
 * @title IEmissionController
 * @notice The FLOCK emission schedule and its split across tasks, O(1) per epoch whatever the
 * number of tasks.
 *
 * Schedule. Epoch k (of `epochLength` seconds from `genesis`) may emit
 * E_k = min(S(floor(k / P)), epochCap, cap - totalSupply), where S(0) = E0 and
 * S(p) = floor(S(p - 1) * r / 1e18): E0 x r^floor(k/P), each decay step rounded down.
 *
 * Split. Each eligible task (approved by governance, not cancelled, not past its end) has a weight
 * in stake units of 1e15 gmFLOCK wei (its training nodes' and validators' stake, or its alliance
 * participants' stake, delegations included). Opening epoch k reads the total eligible weight W_k
 * (one storage word, kept up to date by the task registry) and records one number:
 * rate_k = floor(E_k / W_k), FLOCK wei per stake unit. A task of weight w then has the budget
 * w x rate_k for epoch k, and the sum over all tasks is exactly W_k x rate_k; the remainder
 * E_k - W_k x rate_k (< W_k wei) is the epoch's dust, held and accounted, never assigned twice.
 * With W_k = 0 nothing is minted for epoch k. The running sum of rates is the global
 * reward-per-stake accumulator: a task's budget over all opened epochs is accrued lazily from it
 * when its weight changes (O(1), no per-epoch history). Its budget for a single epoch, its weight
 * then x rate_k, is not stored: it follows from the `TaskWeightChanged` events and `epochInfo`
 * (docs/emissions.md), which is how the oracles size one epoch's rewards.
 *
 * Timing. Stake changes take effect from the next epoch: epoch k is split by the weights the
 * registry reported before it opened, so joining late in an epoch buys nothing for that epoch.
 * `checkpoint()` (anyone) opens every epoch that has started, at most `MAX_CATCH_UP` per call;
 * every registry report opens them first, and refuses to record a change while more than
 * `MAX_CATCH_UP` epochs are missing (call `checkpoint()` first). A task stops earning at its end
 * without anyone calling anything: its weight is scheduled to leave the total at its expiry epoch.
 *
 * Arena split (FLock): inside an Arena task with node stake T and validator stake V,
 * R_nodes = R (g + (1 - 2g) T / (T + V)) rounded down, R_validators = R - R_nodes, with gamma g
 * fixed per epoch when it opens. If one side has no stake, the other takes R. Alliance tasks have
 * no split: participants take R.
 *
 * Draws. The minted budget stays here until a `DISTRIBUTOR_ROLE` holder (the reward distributor,
 * the alliance rounds contract) draws what a task has accrued and not yet drawn, all epochs
 * together: a task's draws never exceed its accrued budget, and no task draws another's.
 */
interface IEmissionController {
    /// @notice What the controller records when it opens an epoch.
    struct EpochInfo {
        uint256 minted; // FLOCK minted for the epoch (E_k, or zero without eligible stake)
        uint256 units; // total eligible weight W_k, in stake units
        uint256 rate; // FLOCK wei per stake unit
        uint256 dust; // minted - units x rate
        uint256 gamma; // the Arena split parameter, 1e18 = 1
        uint256 accumulatorBefore; // the sum of the rates of all earlier epochs
    }

    // ---------------------------------------------------------------------------------------- errors

    /// @notice A schedule or split parameter outside its hard bounds.
    error EmissionParameterOutOfBounds(bytes32 parameter, uint256 value);
    /// @notice The genesis time lies in the future.
    error EmissionGenesisInFuture(uint256 genesis, uint256 nowTime);
    /// @notice More than `MAX_CATCH_UP` epochs are still unopened; call `checkpoint()` first.
    error EmissionCheckpointBehind(uint256 nextEpoch, uint256 currentEpoch);
    /// @notice The task was already enrolled.
    error EmissionTaskAlreadyEnrolled(uint256 taskId);
    /// @notice The task was never enrolled.
    error EmissionTaskNotEnrolled(uint256 taskId);
    /// @notice A zero amount where something is required.
    error EmissionNothingToDo();
    /// @notice A dust sweep larger than the unswept dust.
    error EmissionDustExceeded(uint256 requested, uint256 available);
    /// @notice A stake amount whose units do not fit the task's weight record.
    error EmissionStakeTooLarge(uint256 stake);

    // ---------------------------------------------------------------------------------------- events

    /// @notice Epoch `epoch` opened: `minted` FLOCK for `units` stake units at `rate` each, `dust`
    /// left over, `scheduled` what the schedule alone allowed.
    event EpochOpened(
        uint256 indexed epoch, uint256 scheduled, uint256 minted, uint256 units, uint256 rate, uint256 dust
    );
    /// @notice Task `taskId` joined the split from epoch `fromEpoch` until epoch `expiry` (exclusive).
    event TaskEnrolled(uint256 indexed taskId, bool arena, uint256 fromEpoch, uint256 expiry);
    /// @notice From epoch `fromEpoch`, task `taskId` weighs `nodeUnits` + `validatorUnits` stake units.
    event TaskWeightChanged(uint256 indexed taskId, uint256 fromEpoch, uint256 nodeUnits, uint256 validatorUnits);
    /// @notice Task `taskId` earns nothing from epoch `fromEpoch` on (cancelled).
    event TaskRetired(uint256 indexed taskId, uint256 fromEpoch);
    /// @notice `by` drew `amount` of task `taskId`'s budget to `to`: with the earlier draws, all the
    /// task accrued in the epochs before `toEpoch`.
    event BudgetDrawn(uint256 indexed taskId, uint256 indexed toEpoch, address indexed by, address to, uint256 amount);
    /// @notice Governance set the per-epoch emission cap.
    event EpochCapSet(uint256 epochCap);
    /// @notice Governance set gamma, the Arena node/validator split parameter (applies from the
    /// next epoch opened).
    event GammaSet(uint256 gamma);
    /// @notice Governance sent `amount` of accumulated rounding dust to `to`.
    event DustSwept(address indexed to, uint256 amount);

    // ---------------------------------------------------------------------------------------- roles

    /// @notice Sets the proxy's state, once, in the proxy's deployment (then `DEFAULT_ADMIN_ROLE`
    /// is `admin`'s); the implementation itself refuses. The schedule is the implementation's.
    function initialize(address admin, uint256 epochCap_, uint256 gamma_) external;

    /// @notice Role of the task registry: reports task weights.
    function TASK_REGISTRY_ROLE() external view returns (bytes32);

    /// @notice Role of the contracts that pay budgets out (reward distributor, alliance rounds).
    function DISTRIBUTOR_ROLE() external view returns (bytes32);

    // ---------------------------------------------------------------------------------------- anyone

    /**
     * @notice Opens every epoch that has started, at most `MAX_CATCH_UP` of them, and mints their
     * emission to this contract.
     * @return opened the number of epochs opened by this call.
     */
    function checkpoint() external returns (uint256 opened);

    // ---------------------------------------------------------------------------------------- registry

    /**
     * @notice Adds an approved task to the split: it earns from the next epoch until the first
     * epoch starting at or after `endTime`.
     * @dev Only `TASK_REGISTRY_ROLE`. `nodeStake` is the training nodes' (or alliance participants')
     * stake and `validatorStake` the validators', in gmFLOCK wei, delegations included.
     */
    function enrollTask(uint256 taskId, bool arena, uint256 endTime, uint256 nodeStake, uint256 validatorStake) external;

    /**
     * @notice Records an enrolled task's new stake, effective from the next epoch (ignored once
     * the task no longer earns).
     * @dev Only `TASK_REGISTRY_ROLE`.
     */
    function updateTask(uint256 taskId, uint256 nodeStake, uint256 validatorStake) external;

    /**
     * @notice Removes an enrolled task from the split from the next epoch on (cancellation). Its
     * budgets of epochs already opened stay drawable.
     * @dev Only `TASK_REGISTRY_ROLE`.
     */
    function retireTask(uint256 taskId) external;

    // ---------------------------------------------------------------------------------------- distributors

    /**
     * @notice Sends `to` everything task `taskId` accrued over the opened epochs and has not drawn
     * yet (nothing, without a transfer or an event, if that is zero). Opens no epoch: call
     * `checkpoint()` first for the budgets of epochs that started but are not opened.
     * @dev Only `DISTRIBUTOR_ROLE`.
     * @return amount the FLOCK sent.
     */
    function drawAccrued(uint256 taskId, address to) external returns (uint256 amount);
    // ---------------------------------------------------------------------------------------- governance

    /// @notice Sets the per-epoch emission cap. @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setEpochCap(uint256 epochCap_) external;

    /// @notice Sets gamma (1e18 = 1, at most 0.5e18) for epochs opened from now on.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setGamma(uint256 gamma_) external;

    /// @notice Sends `amount` of the accumulated rounding dust to `to`.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function sweepDust(address to, uint256 amount) external;

    // ---------------------------------------------------------------------------------------- views

    /// @notice The FLOCK token.
    function flock() external view returns (IFlockToken);

    /// @notice Start of epoch 0 (unix seconds).
    function genesis() external view returns (uint256);

    /// @notice Length of an epoch in seconds.
    function epochLength() external view returns (uint256);

    /// @notice The epoch `block.timestamp` falls in.
    function currentEpoch() external view returns (uint256);

    /// @notice The first epoch not yet opened.
    function nextEpoch() external view returns (uint256);

    /// @notice The schedule parameters: E0 (wei), r (1e18 = 1) and P (epochs).
    function schedule() external view returns (uint256 initialEmission, uint256 decay, uint256 decayPeriod);

    /// @notice The schedule's emission for epoch `epoch`, before the cap and the token's headroom.
    function scheduledEmission(uint256 epoch) external view returns (uint256);

    /// @notice The per-epoch cap.
    function epochCap() external view returns (uint256);

    /// @notice Gamma for the next epoch opened.
    function gamma() external view returns (uint256);

    /// @notice Total weight (stake units) that will be eligible in epoch `nextEpoch()`, before the
    /// expiries scheduled for it.
    function pendingUnits() external view returns (uint256);

    /// @notice What was recorded when `epoch` opened (zeros if it has not).
    function epochInfo(uint256 epoch) external view returns (EpochInfo memory);

    /// @notice The sum of task `taskId`'s budgets over every epoch opened so far, from the global
    /// accumulator (O(1)).
    function accruedBudget(uint256 taskId) external view returns (uint256);
    /// @notice What distributors drew of task `taskId`'s budget so far (at most `accruedBudget`).
    function drawnBudget(uint256 taskId) external view returns (uint256);

    /// @notice The enrollment of task `taskId`: whether it is split between nodes and validators,
    /// the first epoch in which it no longer earns (0: not enrolled), its current weight.
    function taskEnrollment(uint256 taskId) external view returns (bool arena, uint256 expiry, uint256 units);

    /// @notice Totals since genesis: minted, drawn by distributors, dust accumulated, dust swept.
    function totals() external view returns (uint256 minted, uint256 drawn, uint256 dust, uint256 dustSwept);

    // ------------------------------------------------------------------------------- constants

    /// @notice gmFLOCK wei per stake unit.
    function STAKE_UNIT() external view returns (uint256);
    /// @notice Most epochs one `checkpoint()` opens.
    function MAX_CATCH_UP() external view returns (uint256);
    /// @notice Largest gamma: 0.5e18 (then both sides get half whatever their stakes).
    function MAX_GAMMA() external view returns (uint256);
    /// @notice Shortest epoch length a governance change may set (seconds).
    function MIN_EPOCH_LENGTH() external view returns (uint256);
    /// @notice Longest epoch length a governance change may set (seconds).
    function MAX_EPOCH_LENGTH() external view returns (uint256);
}
