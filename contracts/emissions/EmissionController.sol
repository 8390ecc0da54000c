// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {EpochClock} from "../utils/EpochClock.sol";

/**
 * @title EmissionController
 * @dev Mints the FLOCK emission epoch by epoch and splits it across eligible tasks by stake in O(1)
 * per epoch. See {IEmissionController} for the rules; docs/emissions.md has the formulas and a
 * worked example this contract reproduces.
 *
 * Why the split is exact. Weights are counted in whole stake units (1e15 gmFLOCK wei, so one unit
 * is a thousandth of a gmFLOCK) and the per-epoch rate is an integer number of FLOCK wei per unit,
 * so a task's budget `w x rate` has no fractional part: the budgets of an epoch add up to exactly
 * `W x rate`, and the dust `E - W x rate < W` is known when the epoch opens. Nothing is ever
 * rounded per task, so nothing is lost or assigned twice, and no loop over tasks is needed to know
 * the epoch's dust.
 *
 * Storage:
 *
 *     _state           [ nextEpoch: 32 | period: 32 | pendingUnits: 64 | accumulator: 96 ]  every open
 *     _params          [ periodEmission: 96 | epochCap: 96 | gamma: 64 ]                   every open
 *     _epochs[k]       [ accumulatorBefore: 96 | rate: 96 | gamma: 64 ]                    written once
 *                      [ minted: 96 | units: 64 | dust: 64 ]
 *     _tasks[id]       [ accrued: 96 | accruedTo: 32 | expiry: 32 | (DEPRECATED entries: 32) |
 *                        units: 56 | arena: 8 ]                                          per report
 *     _expiring[k]     units leaving the total when epoch k opens (task ends)
 *     _taskDrawn[id]   FLOCK drawn from task id's budget, all epochs together
 *     _totals          [ minted: 96 | drawn: 96 ] [ dust: 96 | dustSwept: 96 ]
 *     DEPRECATED       _history (the per-epoch weight history) and _drawn (drawn per task epoch):
 *                      no code reads or writes them since decision 236; zero on a fresh deployment
 *
 * Bounds: FLOCK is capped at 1e27 < 2^90 wei and every rate is at most the epoch's emission, so
 * minted amounts, rates and the accumulator (the sum of rates of epochs that minted) fit 96 bits;
 * gmFLOCK is at most 6e27 wei, i.e. 6e12 < 2^43 stake units, so a task's weight fits its 56 bits
 * and all tasks' the 64 of `pendingUnits`; the dust, smaller than the weight, fits 64. SafeCast and
 * an explicit check guard the casts anyway.
 *
 * Budgets are cumulative per task (decision 236): a task's budget over every opened epoch is
 * `accrued` plus its weight times the accumulator's growth since `accruedTo`, so a weight change
 * rewrites the task's record and nothing else of the task's. One epoch's budget (its weight then x
 * the epoch's rate, split by the epoch's gamma) is not kept on chain: it follows from the
 * `TaskWeightChanged` events and `epochInfo`, as docs/emissions.md computes it.
 */
contract EmissionController is IEmissionController, AccessControlUpgradeable, UUPSUpgradeable {
    using SafeERC20 for IFlockToken;

    /// @inheritdoc IEmissionController
    bytes32 public constant TASK_REGISTRY_ROLE = keccak256("TASK_REGISTRY_ROLE");
    /// @inheritdoc IEmissionController
    bytes32 public constant DISTRIBUTOR_ROLE = keccak256("DISTRIBUTOR_ROLE");

    /// @notice gmFLOCK wei per stake unit.
    uint256 public constant STAKE_UNIT = 1e15;
    /// @notice Most epochs one call opens.
    uint256 public constant MAX_CATCH_UP = 32;
    /// @notice Largest gamma: 0.5 (then both sides get half whatever their stakes).
    uint256 public constant MAX_GAMMA = 0.5e18;
    /// @notice Hard bounds on the epoch length.
    uint256 public constant MIN_EPOCH_LENGTH = 1 hours;
    uint256 public constant MAX_EPOCH_LENGTH = 30 days;

    uint256 private constant _WAD = 1e18;
    uint256 private constant _SIDE_MAX = (1 << 48) - 1; // stake units of one side of a task

    struct State {
        uint32 nextEpoch; // first epoch not yet opened
        uint32 period; // floor(k / P) of `periodEmission`
        uint64 pendingUnits; // weight for `nextEpoch`, before its expiries
        uint96 accumulator; // sum of the rates of all opened epochs
    }

    struct Params {
        uint96 periodEmission; // S(period)
        uint96 epochCap;
        uint64 gamma;
    }

    struct Epoch {
        uint96 accumulatorBefore;
        uint96 rate;
        uint64 gamma;
        uint96 minted;
        uint64 units;
        uint64 dust;
    }

    struct TaskAccount {
        uint96 accrued; // budget of epochs before `accruedTo`
        uint32 accruedTo;
        uint32 expiry; // first epoch without budget; zero: never enrolled
        uint32 entries; // DEPRECATED (decision 236): the history's length; never written since
        uint56 units; // weight from `accruedTo` on
        bool arena;
    }

    struct Totals {
        uint96 minted;
        uint96 drawn;
        uint96 dust;
        uint96 dustSwept;
    }

    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IFlockToken private immutable _flock;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 private immutable _genesis;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 private immutable _epochLength;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 private immutable _initialEmission;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 private immutable _decay;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 private immutable _decayPeriod;

    /// @custom:storage-location erc7201:flock.storage.EmissionController
    struct EmissionControllerStorage {
        State _state;
        Params _params;
        Totals _totals;
        mapping(uint256 epoch => Epoch) _epochs;
        mapping(uint256 epoch => uint256 units) _expiring;
        mapping(uint256 taskId => TaskAccount) _tasks;
        // DEPRECATED (decision 236): the per-epoch weight history and draws, never read nor written
        // since budgets are cumulative per task; kept so that the layout only grows.
        mapping(uint256 taskId => mapping(uint256 pair => uint256)) _history;
        mapping(uint256 taskId => mapping(uint256 epoch => uint256)) _drawn;
        mapping(uint256 taskId => uint256 amount) _taskDrawn;
    }

    // keccak256(abi.encode(uint256(keccak256("flock.storage.EmissionController")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _EMISSION_CONTROLLER_STORAGE =
        0xd162d5d6d9f67369a7224c42bc59c5688da3b71e101223c56872e6b15a983e00;

    /**
     * @dev The implementation: the token and the emission schedule (genesis, epoch length, E0, r,
     * P) are its immutables, fixed across upgrades (a new implementation is built with the values
     * the proxy reports: genesis(), epochLength(), schedule()); the proxy's state is set by
     * {initialize}, and the implementation itself can never be initialized.
     * @param flock_ the FLOCK token; this contract needs its `MINTER_ROLE`.
     * @param genesis_ start of epoch 0 (unix seconds, not in the future); zero means now.
     * @param epochLength_ seconds per epoch (1 day for FLock).
     * @param initialEmission E0: FLOCK wei per epoch in the first decay period.
     * @param decay r, scaled by 1e18 (0.9e18 for FLock).
     * @param decayPeriod P: epochs per decay step (30 for FLock).
     * @custom:oz-upgrades-unsafe-allow constructor
     */
    constructor(
        IFlockToken flock_,
        uint256 genesis_,
        uint256 epochLength_,
        uint256 initialEmission,
        uint256 decay,
        uint256 decayPeriod
    ) {
        if (genesis_ == 0) genesis_ = block.timestamp;
        if (genesis_ > block.timestamp) revert EmissionGenesisInFuture(genesis_, block.timestamp);
        if (epochLength_ < MIN_EPOCH_LENGTH || epochLength_ > MAX_EPOCH_LENGTH) {
            revert EmissionParameterOutOfBounds("epochLength", epochLength_);
        }
        if (initialEmission == 0 || initialEmission > flock_.cap()) {
            revert EmissionParameterOutOfBounds("initialEmission", initialEmission);
        }
        if (decay == 0 || decay > _WAD) revert EmissionParameterOutOfBounds("decay", decay);
        if (decayPeriod == 0 || decayPeriod > type(uint32).max) {
            revert EmissionParameterOutOfBounds("decayPeriod", decayPeriod);
        }
        _flock = flock_;
        _genesis = genesis_;
        _epochLength = epochLength_;
        _initialEmission = initialEmission;
        _decay = decay;
        _decayPeriod = decayPeriod;
        _disableInitializers();
    }

    /**
     * @notice Sets the proxy's state, once, in the proxy's deployment.
     * @param admin receives `DEFAULT_ADMIN_ROLE` (the deployer until governance takes over).
     * @param epochCap_ the governance cap per epoch, in wei.
     * @param gamma_ the Arena split parameter g, scaled by 1e18, at most 0.5e18.
     */
    function initialize(address admin, uint256 epochCap_, uint256 gamma_) external initializer {
        __AccessControl_init();
        _getEmissionControllerStorage()._params.periodEmission = uint96(_initialEmission);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setEpochCap(epochCap_);
        _setGamma(gamma_);
    }

    // ======================================================================= anyone

    /// @inheritdoc IEmissionController
    function checkpoint() external returns (uint256 opened) {
        return _open(MAX_CATCH_UP);
    }

    // ======================================================================= registry

    /// @inheritdoc IEmissionController
    function enrollTask(uint256 taskId, bool arena, uint256 endTime, uint256 nodeStake, uint256 validatorStake)
        external
        onlyRole(TASK_REGISTRY_ROLE)
    {
        TaskAccount storage account = _getEmissionControllerStorage()._tasks[taskId];
        if (account.expiry != 0) revert EmissionTaskAlreadyEnrolled(taskId);
        uint256 from = _catchUp();
        uint256 expiry = endTime <= _genesis ? 0 : Math.ceilDiv(endTime - _genesis, _epochLength);
        expiry = Math.max(expiry, from); // a task that ends before the next epoch never earns
        account.accruedTo = uint32(from);
        account.expiry = SafeCast.toUint32(expiry);
        account.arena = arena;
        emit TaskEnrolled(taskId, arena, from, expiry);
        _setWeight(taskId, account, from, nodeStake, validatorStake);
    }

    /// @inheritdoc IEmissionController
    function updateTask(uint256 taskId, uint256 nodeStake, uint256 validatorStake)
        external
        onlyRole(TASK_REGISTRY_ROLE)
    {
        TaskAccount storage account = _getEmissionControllerStorage()._tasks[taskId];
        if (account.expiry == 0) revert EmissionTaskNotEnrolled(taskId);
        _setWeight(taskId, account, _catchUp(), nodeStake, validatorStake);
    }

    /// @inheritdoc IEmissionController
    function retireTask(uint256 taskId) external onlyRole(TASK_REGISTRY_ROLE) {
        EmissionControllerStorage storage $ = _getEmissionControllerStorage();
        TaskAccount storage account = $._tasks[taskId];
        uint256 expiry = account.expiry;
        if (expiry == 0) revert EmissionTaskNotEnrolled(taskId);
        uint256 from = _catchUp();
        if (from >= expiry) return; // it stopped earning already
        _accrue(account, from);
        uint256 units = account.units;
        State storage state = $._state;
        state.pendingUnits -= uint64(units);
        $._expiring[expiry] -= units;
        account.units = 0;
        account.expiry = uint32(from);
        emit TaskRetired(taskId, from);
    }

    // ======================================================================= distributors

    /// @inheritdoc IEmissionController
    function drawAccrued(uint256 taskId, address to) external onlyRole(DISTRIBUTOR_ROLE) returns (uint256 amount) {
        EmissionControllerStorage storage $ = _getEmissionControllerStorage();
        uint256 next = $._state.nextEpoch;
        uint256 drawn = $._taskDrawn[taskId];
        amount = _accrued($._tasks[taskId], next) - drawn;
        if (amount == 0) return 0;
        $._taskDrawn[taskId] = drawn + amount;
        $._totals.drawn += uint96(amount);
        emit BudgetDrawn(taskId, next, msg.sender, to, amount);
        _flock.safeTransfer(to, amount);
    }

    // ======================================================================= governance

    /// @inheritdoc IEmissionController
    function setEpochCap(uint256 epochCap_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setEpochCap(epochCap_);
    }

    /// @inheritdoc IEmissionController
    function setGamma(uint256 gamma_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setGamma(gamma_);
    }

    /// @inheritdoc IEmissionController
    function sweepDust(address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        EmissionControllerStorage storage $ = _getEmissionControllerStorage();
        Totals memory t = $._totals;
        uint256 available = t.dust - t.dustSwept;
        if (amount == 0) revert EmissionNothingToDo();
        if (amount > available) revert EmissionDustExceeded(amount, available);
        $._totals.dustSwept = t.dustSwept + uint96(amount);
        emit DustSwept(to, amount);
        _flock.safeTransfer(to, amount);
    }

    // ======================================================================= views

    /// @inheritdoc IEmissionController
    function flock() external view returns (IFlockToken) {
        return _flock;
    }

    /// @inheritdoc IEmissionController
    function genesis() external view returns (uint256) {
        return _genesis;
    }

    /// @inheritdoc IEmissionController
    function epochLength() external view returns (uint256) {
        return _epochLength;
    }

    /// @inheritdoc IEmissionController
    function currentEpoch() public view returns (uint256) {
        return EpochClock.epochAt(block.timestamp, _genesis, _epochLength);
    }

    /// @inheritdoc IEmissionController
    function nextEpoch() external view returns (uint256) {
        return _getEmissionControllerStorage()._state.nextEpoch;
    }

    /// @inheritdoc IEmissionController
    function schedule() external view returns (uint256 initialEmission, uint256 decay, uint256 decayPeriod) {
        return (_initialEmission, _decay, _decayPeriod);
    }

    /// @inheritdoc IEmissionController
    function scheduledEmission(uint256 epoch) external view returns (uint256 amount) {
        // The same rounding as the epochs opened: one floor per decay step (a view, so the loop
        // over decay steps is free; `_open` steps incrementally).
        amount = _initialEmission;
        for (uint256 p = epoch / _decayPeriod; p != 0 && amount != 0; --p) {
            amount = (amount * _decay) / _WAD;
        }
    }

    /// @inheritdoc IEmissionController
    function epochCap() external view returns (uint256) {
        return _getEmissionControllerStorage()._params.epochCap;
    }

    /// @inheritdoc IEmissionController
    function gamma() external view returns (uint256) {
        return _getEmissionControllerStorage()._params.gamma;
    }

    /// @inheritdoc IEmissionController
    function pendingUnits() external view returns (uint256) {
        return _getEmissionControllerStorage()._state.pendingUnits;
    }

    /// @inheritdoc IEmissionController
    function epochInfo(uint256 epoch) external view returns (EpochInfo memory info) {
        Epoch memory e = _getEmissionControllerStorage()._epochs[epoch];
        return EpochInfo(e.minted, e.units, e.rate, e.dust, e.gamma, e.accumulatorBefore);
    }

    /// @inheritdoc IEmissionController
    function accruedBudget(uint256 taskId) external view returns (uint256) {
        EmissionControllerStorage storage $ = _getEmissionControllerStorage();
        return _accrued($._tasks[taskId], $._state.nextEpoch);
    }

    /// @inheritdoc IEmissionController
    function drawnBudget(uint256 taskId) external view returns (uint256) {
        return _getEmissionControllerStorage()._taskDrawn[taskId];
    }

    /// @inheritdoc IEmissionController
    function taskEnrollment(uint256 taskId) external view returns (bool arena, uint256 expiry, uint256 units) {
        TaskAccount memory account = _getEmissionControllerStorage()._tasks[taskId];
        return (account.arena, account.expiry, account.units);
    }

    /// @inheritdoc IEmissionController
    function totals() external view returns (uint256 minted, uint256 drawn, uint256 dust, uint256 dustSwept) {
        Totals memory t = _getEmissionControllerStorage()._totals;
        return (t.minted, t.drawn, t.dust, t.dustSwept);
    }

    // ======================================================================= internals

    /// @dev Opens every started epoch, or reverts if more than MAX_CATCH_UP are missing. Returns
    /// the first unopened epoch: the one from which a change reported now takes effect.
    function _catchUp() private returns (uint256 from) {
        _open(MAX_CATCH_UP);
        from = _getEmissionControllerStorage()._state.nextEpoch;
        uint256 current = currentEpoch();
        if (from <= current) revert EmissionCheckpointBehind(from, current);
    }

    /// @dev Opens up to `limit` started epochs; mints their emission in one call.
    function _open(uint256 limit) private returns (uint256 opened) {
        EmissionControllerStorage storage $ = _getEmissionControllerStorage();
        State memory state = $._state;
        uint256 current = currentEpoch();
        if (state.nextEpoch > current) return 0;
        Params memory params = $._params;
        uint256 room = type(uint256).max; // token headroom, read once when first needed
        uint256 mintedNow;
        uint256 dustNow;
        while (state.nextEpoch <= current && opened < limit) {
            uint256 k = state.nextEpoch;
            while (k / _decayPeriod > state.period) {
                params.periodEmission = uint96((uint256(params.periodEmission) * _decay) / _WAD);
                state.period += 1;
            }
            uint256 expiring = $._expiring[k];
            if (expiring != 0) {
                state.pendingUnits -= uint64(expiring);
                delete $._expiring[k];
            }
            uint256 units = state.pendingUnits;
            uint256 scheduled = params.periodEmission;
            uint256 minted;
            uint256 rate;
            uint256 dust;
            if (units != 0) {
                if (room == type(uint256).max) room = _flock.cap() - _flock.totalSupply();
                minted = Math.min(Math.min(scheduled, params.epochCap), room - mintedNow);
                rate = minted / units;
                dust = minted - rate * units;
            }
            $._epochs[k] = Epoch({
                accumulatorBefore: state.accumulator,
                rate: uint96(rate),
                gamma: params.gamma,
                minted: uint96(minted),
                units: uint64(units),
                dust: uint64(dust)
            });
            state.accumulator += uint96(rate);
            state.nextEpoch += 1;
            mintedNow += minted;
            dustNow += dust;
            opened += 1;
            emit EpochOpened(k, scheduled, minted, units, rate, dust);
        }
        $._state = state;
        $._params.periodEmission = params.periodEmission;
        if (mintedNow != 0) {
            Totals storage t = $._totals;
            t.minted += SafeCast.toUint96(mintedNow);
            t.dust += uint96(dustNow);
            _flock.mint(address(this), mintedNow);
        }
    }

    /// @dev The task's budget over the epochs before `next` (the first unopened epoch), from the
    /// accumulator: what it booked, plus its weight times the rates since (until it expires).
    function _accrued(TaskAccount storage account, uint256 next) private view returns (uint256) {
        uint256 from = account.accruedTo;
        uint256 end = Math.min(next, account.expiry);
        if (end <= from) return account.accrued;
        return account.accrued + account.units * (_accumulatorAt(end) - _accumulatorAt(from));
    }

    /// @dev Books the task's budget up to epoch `to` (exclusive) from the accumulator.
    function _accrue(TaskAccount storage account, uint256 to) private {
        uint256 from = account.accruedTo;
        if (to > from) {
            uint256 units = account.units;
            if (units != 0) {
                account.accrued += SafeCast.toUint96(units * (_accumulatorAt(to) - _accumulatorAt(from)));
            }
            account.accruedTo = uint32(to);
        }
    }

    /// @dev Records the task's weight from epoch `from` on (`from` = the first unopened epoch).
    function _setWeight(
        uint256 taskId,
        TaskAccount storage account,
        uint256 from,
        uint256 nodeStake,
        uint256 validatorStake
    ) private {
        uint256 expiry = account.expiry;
        if (from >= expiry) return; // no longer earning
        uint256 nodeUnits = nodeStake / STAKE_UNIT;
        uint256 validatorUnits = validatorStake / STAKE_UNIT;
        if (nodeUnits > _SIDE_MAX) revert EmissionStakeTooLarge(nodeStake);
        if (validatorUnits > _SIDE_MAX) revert EmissionStakeTooLarge(validatorStake);
        uint256 oldUnits = account.units;
        uint256 newUnits = nodeUnits + validatorUnits;
        if (newUnits != oldUnits) {
            _accrue(account, from);
            EmissionControllerStorage storage $ = _getEmissionControllerStorage();
            State storage state = $._state;
            state.pendingUnits = SafeCast.toUint64(state.pendingUnits + newUnits - oldUnits);
            $._expiring[expiry] = $._expiring[expiry] + newUnits - oldUnits;
            account.units = uint56(newUnits);
        }
        // Also when only the split between nodes and validators moved: one epoch's budget (and its
        // split) is read from these events, not from storage.
        emit TaskWeightChanged(taskId, from, nodeUnits, validatorUnits);
    }

    function _accumulatorAt(uint256 epoch) private view returns (uint256) {
        EmissionControllerStorage storage $ = _getEmissionControllerStorage();
        return epoch == $._state.nextEpoch ? $._state.accumulator : $._epochs[epoch].accumulatorBefore;
    }

    function _setEpochCap(uint256 epochCap_) private {
        if (epochCap_ > type(uint96).max) revert EmissionParameterOutOfBounds("epochCap", epochCap_);
        _getEmissionControllerStorage()._params.epochCap = uint96(epochCap_);
        emit EpochCapSet(epochCap_);
    }

    function _setGamma(uint256 gamma_) private {
        if (gamma_ > MAX_GAMMA) revert EmissionParameterOutOfBounds("gamma", gamma_);
        _getEmissionControllerStorage()._params.gamma = uint64(gamma_);
        emit GammaSet(gamma_);
    }

    /// @dev Only the admin (the timelock, after the handover) upgrades the implementation.
    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _getEmissionControllerStorage() private pure returns (EmissionControllerStorage storage $) {
        assembly {
            $.slot := _EMISSION_CONTROLLER_STORAGE
        }
    }
}
