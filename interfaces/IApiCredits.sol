// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEmissionController} from "./IEmissionController.sol";
import {IFlockToken} from "./IFlockToken.sol";
import {IRewardDistributor} from "./IRewardDistributor.sol";

/**
 * @title IApiCredits
 * @notice Prepaid FLOCK credits for the FLock API platform (docs/api.md): developers call the models
 * the network trained through an OpenAI-compatible gateway and pay per 1,000 tokens; the revenue of
 * each model goes to its contributors through the reward distributor's Merkle pots.
 *
 * Users. `deposit` FLOCK, then `setCap` to authorise the gateway operators to spend up to `cap` of
 * it (the cap shrinks by every charge). `registerKey(keccak256(secret))` binds an API key to the
 * caller: the gateway receives `flk_<address>_<secret>` and checks the hash here, so no private key
 * ever travels in an HTTP header. `withdraw` returns unspent credit at any time outside a pending
 * settlement (`withdrawLockedUntil`); lowering the cap obeys the same rule.
 *
 * Settlement, per emission epoch (`IEmissionController.epochLength`). During epoch s + 1 the gateway
 * operators post the usage report of epoch s: the Merkle root of its charges, their total and the
 * keccak256 of the canonical report. When `quorum` operators of the current set posted the same
 * tuple it is accepted; the reward distributor's guardians may veto it during the distributor's
 * challenge window (the same window, the same guardians, as reward roots); then anyone finalizes it.
 * Nothing is moved per user at settlement: each charge is a leaf (index, account, taskId,
 * modelEpoch, amount) that anyone applies with a proof (`charge`, `chargeMany`), once, and that
 * takes at most min(amount, cap, balance) from the account. So a settlement costs the same gas
 * whatever the number of users, and no user pays beyond what it authorised.
 *
 * Revenue. Applied charges accrue per model: `taskId` and `modelEpoch` name the winning model of the
 * task's final reward root for that epoch. `flush` sends a model's accrued revenue on: the protocol
 * share (governance, in basis points) to the treasury, the rest into the reward distributor's budget
 * of the task's next epoch (`IRewardDistributor.fundEpoch`), where the oracles pay it to the model's
 * training node, its delegators and the validators who scored it, as leaves of the same reward root.
 *
 * Pending settlement. Withdrawals (and cap decreases) are refused during the first `reportWindow`
 * seconds of an epoch while the previous epoch's report is not accepted, and from an acceptance
 * until `collectWindow` seconds after its challenge window ends: the time for charges to be applied.
 * A charge applied later still takes only what the account holds.
 */
interface IApiCredits {
    enum Status {
        None, // nothing accepted (posting may be under way)
        Accepted, // a report reached quorum: in its challenge window
        Final // charges may be applied
    }

    /// @notice A user's credit: what it holds here, and what the operators may still charge.
    struct Account {
        uint256 balance;
        uint256 cap;
    }

    /// @notice An epoch's usage settlement as the views report it.
    struct Settlement {
        Status status;
        bytes32 root;
        uint256 total; // what the report's leaves charge
        bytes32 reportHash;
        uint256 finalizesAt; // end of the challenge window
        uint256 round; // vetoes so far
    }

    /// @notice One usage leaf to apply.
    struct Charge {
        uint256 epoch;
        uint256 index;
        address account;
        uint256 taskId;
        uint256 modelEpoch;
        uint256 amount;
        bytes32[] proof;
    }

    // ---------------------------------------------------------------------------------------- errors

    /// @notice Amounts must be non-zero.
    error ApiZeroAmount();
    /// @notice The account holds `balance`; `requested` is more.
    error ApiInsufficientBalance(address account, uint256 balance, uint256 requested);
    /// @notice A settlement is pending: withdrawals and cap decreases wait until `until`.
    error ApiSettlementPending(uint256 until);
    /// @notice The key hash is already registered for the caller, or zero.
    error ApiKeyInvalid(address owner, bytes32 keyHash);
    /// @notice The caller has no such key.
    error ApiUnknownKey(address owner, bytes32 keyHash);
    /// @notice The caller is not in the current operator set.
    error ApiNotOperator(address account);
    /// @notice A report needs a non-zero root and total.
    error ApiEmptyReport(bytes32 root, uint256 total);
    /// @notice The usage of epoch `epoch` is reported during epoch `epoch + 1` only.
    error ApiNotReportable(uint256 epoch, uint256 currentEpoch);
    /// @notice This operator already posted in the current round for the epoch.
    error ApiAlreadyPosted(uint256 epoch, address operator);
    /// @notice The epoch already has an accepted or final report.
    error ApiAlreadyAccepted(uint256 epoch, bytes32 root);
    /// @notice A report's total exceeds all credit held here.
    error ApiTotalExceedsCredit(uint256 total, uint256 credit);
    /// @notice Only a guardian of the reward distributor may veto.
    error ApiNotGuardian(address account);
    /// @notice Only an accepted report inside its challenge window can be vetoed.
    error ApiNotVetoable(uint256 epoch, Status status, uint256 finalizesAt);
    /// @notice Finalizing needs an accepted report.
    error ApiNothingToFinalize(uint256 epoch, Status status);
    /// @notice The report's challenge window is still open.
    error ApiChallengeOpen(uint256 epoch, uint256 finalizesAt);
    /// @notice Charges apply from final reports only.
    error ApiNotFinal(uint256 epoch, Status status);
    /// @notice The leaf was applied already.
    error ApiAlreadyCharged(uint256 epoch, uint256 index);
    /// @notice The proof does not lead to the epoch's root.
    error ApiInvalidProof(uint256 epoch, uint256 index);
    /// @notice An empty list of charges.
    error ApiNoCharges();
    /// @notice The model has no accrued revenue.
    error ApiNothingToFlush(uint256 taskId, uint256 modelEpoch);
    /// @notice A governance parameter outside its hard bounds.
    error ApiParameterOutOfBounds(bytes32 parameter, uint256 value);
    /// @notice An operator set needs 1 <= quorum <= operators <= MAX_OPERATORS.
    error ApiInvalidOperatorSet(uint256 operators, uint256 quorum);
    /// @notice An operator listed twice, or the zero address.
    error ApiInvalidOperator(address operator);
    /// @notice Task ids, epochs and leaf indices are below 2^64.
    error ApiKeyOutOfRange(uint256 taskId, uint256 epoch);

    // ---------------------------------------------------------------------------------------- events

    event Deposited(address indexed account, uint256 amount, uint256 balance);
    event Withdrawn(address indexed account, uint256 amount, uint256 balance);
    /// @notice `account` authorised the operators to spend up to `cap` of its credit.
    event CapSet(address indexed account, uint256 cap);
    event KeyRegistered(address indexed owner, bytes32 indexed keyHash);
    event KeyRevoked(address indexed owner, bytes32 indexed keyHash);
    /// @notice `operator` posted a usage report for `epoch`; `votes` operators posted the same.
    event UsagePosted(
        uint256 indexed epoch,
        address indexed operator,
        bytes32 root,
        uint256 total,
        bytes32 reportHash,
        uint256 round,
        uint256 votes
    );
    /// @notice A usage report reached quorum; final after `finalizesAt` unless vetoed.
    event UsageAccepted(uint256 indexed epoch, bytes32 root, uint256 total, bytes32 reportHash, uint256 finalizesAt);
    event UsageVetoed(uint256 indexed epoch, bytes32 root, address indexed by);
    /// @notice Charges of `epoch` may be applied; withdrawals wait until `collectUntil`.
    event UsageFinalized(uint256 indexed epoch, bytes32 root, uint256 collectUntil);
    /// @notice Leaf `index` of `epoch` asked `requested` of `account`; `charged` was taken (at most its
    /// cap and balance) and accrued to the model (taskId, modelEpoch).
    event Charged(
        uint256 indexed epoch,
        uint256 index,
        address indexed account,
        uint256 indexed taskId,
        uint256 modelEpoch,
        uint256 requested,
        uint256 charged
    );
    /// @notice A model's revenue went on: `protocolShare` to the treasury, `contributors` into the
    /// reward budget of (taskId, targetEpoch).
    event RevenueFlushed(
        uint256 indexed taskId,
        uint256 indexed modelEpoch,
        uint256 indexed targetEpoch,
        uint256 contributors,
        uint256 protocolShare
    );
    event PriceSet(uint256 indexed taskId, uint256 pricePer1kTokens);
    event OperatorsSet(address[] operators, uint256 quorum, uint256 version);
    event WindowsSet(uint256 reportWindow, uint256 collectWindow);
    event ProtocolShareSet(uint256 protocolShareBps, address indexed treasury);

    // ---------------------------------------------------------------------------------------- users

    /// @notice Sets the proxy's state, once, in the proxy's deployment (then `DEFAULT_ADMIN_ROLE`
    /// is `admin`'s); the implementation itself refuses.
    function initialize(
        address admin,
        uint256 reportWindow,
        uint256 collectWindow,
        uint256 protocolShareBps,
        address treasury,
        address[] calldata operators,
        uint256 quorum
    ) external;

    /// @notice Moves `amount` FLOCK from the caller into its credit.
    function deposit(uint256 amount) external;

    /// @notice Returns `amount` of the caller's unspent credit, outside a pending settlement.
    function withdraw(uint256 amount) external;

    /// @notice Authorises the gateway operators to charge the caller up to `cap` in total (a decrease
    /// waits for no pending settlement).
    function setCap(uint256 cap) external;

    /// @notice Binds the API key whose secret hashes to `keyHash` (keccak256) to the caller.
    function registerKey(bytes32 keyHash) external;

    /// @notice Unbinds one of the caller's API keys.
    function revokeKey(bytes32 keyHash) external;

    // ---------------------------------------------------------------------------------------- operators

    /**
     * @notice Posts the caller's usage report of epoch `epoch` (during epoch `epoch + 1`).
     * @dev Only an operator of the current set, once per round; accepted when `quorum` posted it.
     * @param root the Merkle root of the leaves (index, account, taskId, modelEpoch, amount).
     * @param total the sum of the leaves' amounts.
     * @param reportHash keccak256 of the canonical usage report.
     */
    function postUsage(uint256 epoch, bytes32 root, uint256 total, bytes32 reportHash) external;

    // ---------------------------------------------------------------------------------------- guardian

    /// @notice Vetoes the accepted report of `epoch` in its challenge window; a new round of posts
    /// begins. @dev Only a `GUARDIAN_ROLE` holder of the reward distributor.
    function veto(uint256 epoch) external;

    // ---------------------------------------------------------------------------------------- anyone

    /// @notice Finalizes the accepted report of `epoch` after its challenge window.
    function finalize(uint256 epoch) external;

    /// @notice Applies one usage leaf of a final report.
    function charge(Charge calldata c) external returns (uint256 charged);

    /// @notice Applies many usage leaves (finalizing nothing).
    function chargeMany(Charge[] calldata charges) external returns (uint256 charged);

    /// @notice Sends the accrued revenue of model (taskId, modelEpoch) to the treasury and to the
    /// reward budget of the task's next epoch.
    function flush(uint256 taskId, uint256 modelEpoch) external;

    // ---------------------------------------------------------------------------------------- governance

    /// @notice Sets the price of task `taskId`'s model, in FLOCK wei per 1,000 tokens (0: not served).
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setPrice(uint256 taskId, uint256 pricePer1kTokens) external;

    /// @notice Replaces the gateway operator set; posts of open rounds by the previous set no longer count.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setOperators(address[] calldata operators, uint256 quorum) external;

    /// @notice Sets the report and collection windows. @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setWindows(uint256 reportWindow, uint256 collectWindow) external;

    /// @notice Sets the protocol share of API revenue and where it goes.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setProtocolShare(uint256 protocolShareBps, address treasury) external;

    // ---------------------------------------------------------------------------------------- views

    function accountOf(address account) external view returns (Account memory);

    /// @notice What the operators may still charge `account`: min(cap, balance).
    function spendable(address account) external view returns (uint256);

    function isKey(address owner, bytes32 keyHash) external view returns (bool);

    function priceOf(uint256 taskId) external view returns (uint256);

    function settlementOf(uint256 epoch) external view returns (Settlement memory);

    function isCharged(uint256 epoch, uint256 index) external view returns (bool);

    /// @notice Revenue accrued to model (taskId, modelEpoch) and not yet flushed.
    function accrued(uint256 taskId, uint256 modelEpoch) external view returns (uint256);

    /// @notice Until when withdrawals and cap decreases are refused (0 or past: allowed now).
    function withdrawLockedUntil() external view returns (uint256);

    function operatorSet() external view returns (address[] memory operators, uint256 quorum);

    function isOperator(address account) external view returns (bool);

    function windows() external view returns (uint256 reportWindow, uint256 collectWindow);

    function protocolShare() external view returns (uint256 protocolShareBps, address treasury);

    /// @notice All credit held for users (the sum of balances).
    function totalCredit() external view returns (uint256);

    function flock() external view returns (IFlockToken);

    function emissions() external view returns (IEmissionController);

    function rewards() external view returns (IRewardDistributor);

    // ------------------------------------------------------------- hard bounds on the parameters

    /// @notice Largest operator set.
    function MAX_OPERATORS() external view returns (uint256);
    /// @notice Longest window a governance change may set (seconds).
    function MAX_WINDOW() external view returns (uint256);
    /// @notice Highest protocol share a governance change may set (basis points).
    function MAX_PROTOCOL_SHARE_BPS() external view returns (uint256);
}
