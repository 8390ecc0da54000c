// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MerkleProofLib} from "solady/utils/MerkleProofLib.sol";
import {IApiCredits} from "../../interfaces/IApiCredits.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {IRewardDistributor} from "../../interfaces/IRewardDistributor.sol";
import {EpochClock} from "../utils/EpochClock.sol";
import {Quorum} from "../utils/Quorum.sol";

/**
 * @title ApiCredits
 * @dev Prepaid credits, per-epoch usage settlement and revenue routing for the API platform. See
 * {IApiCredits} for the rules and docs/api.md for the gateway, pricing and the trust model.
 *
 * It follows the reward distributor's patterns and reads two of its settings rather than keeping its
 * own: the challenge window (`rewardParameters`) and who may veto (its `GUARDIAN_ROLE` holders). The
 * operators' set and ballots are the oracles' scheme ({Quorum}: a set change voids the votes of open
 * rounds). Epochs are the emission controller's, read from its clock (genesis and epoch length,
 * immutables there and copied here at construction) rather than asked of it on every call.
 *
 * Storage:
 *
 *     _accounts[a]       [ balance: 128 | cap: 128 ]
 *     _settlements[e]    [ root ] [ reportHash ]
 *                        [ total: 96 | finalizesAt: 40 | round: 16 | status: 8 ]
 *     _charged[w]        bitmap of applied leaves: word w = epoch << 32 | index >> 8
 *     _accrued[k]        revenue per model, k = taskId << 64 | modelEpoch
 *     _votes[h]          the operators' ballots ({Quorum}): h = keccak(epoch, round, set version) ->
 *                        who posted (bits); keccak(h, tuple) -> how many posted that tuple
 *     _config            [ reportWindow: 40 | collectWindow: 40 | lockedUntil: 40 | protocolShareBps: 16 |
 *                          quorum: 8 | operators: 8 | setVersion: 32 ]
 *     _operators, _operatorTag   the operator set ({Quorum}): the list, and setVersion << 8 | index
 *
 * Gas: posting, vetoing and finalizing touch a constant number of slots; each charge touches its
 * bitmap word, its account and its model's accrual. Nothing loops over users.
 */
contract ApiCredits is IApiCredits, AccessControlUpgradeable, UUPSUpgradeable {
    using SafeERC20 for IFlockToken;

    /// @notice Largest operator set.
    uint256 public constant MAX_OPERATORS = Quorum.MAX_MEMBERS;
    /// @notice Hard bounds on the governance parameters.
    uint256 public constant MAX_WINDOW = 7 days;
    uint256 public constant MAX_PROTOCOL_SHARE_BPS = 5_000;

    uint256 private constant _BPS = 10_000;
    bytes32 private constant _GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    struct Packed {
        uint128 balance;
        uint128 cap;
    }

    struct Record {
        bytes32 root;
        bytes32 reportHash;
        uint96 total;
        uint40 finalizesAt;
        uint16 round;
        Status status;
    }

    struct Config {
        uint40 reportWindow;
        uint40 collectWindow;
        uint40 lockedUntil;
        uint16 protocolShareBps;
        uint8 quorum;
        uint8 operatorCount;
        uint32 setVersion;
    }

    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IFlockToken private immutable _flock;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IEmissionController private immutable _emissions;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IRewardDistributor private immutable _rewards;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 private immutable _genesis;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    uint256 private immutable _epochLength;

    /// @custom:storage-location erc7201:flock.storage.ApiCredits
    struct ApiCreditsStorage {
        Config _config;
        address _treasury;
        uint256 _totalCredit;
        address[] _operators;
        mapping(address operator => uint256) _operatorTag;
        mapping(address account => Packed) _accounts;
        mapping(address owner => mapping(bytes32 keyHash => bool)) _keys;
        mapping(uint256 taskId => uint256) _prices;
        mapping(uint256 epoch => Record) _settlements;
        mapping(uint256 word => uint256) _charged;
        mapping(uint256 model => uint256) _accrued;
        mapping(bytes32 ballot => uint256) _votes;
    }

    // keccak256(abi.encode(uint256(keccak256("flock.storage.ApiCredits")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _API_CREDITS_STORAGE = 0x8a2fb8058627d29a7a8509331e248b688635d1de7b1ae40eb5dd793ababbef00;

    /**
     * @dev The implementation: the contracts it calls and the emission controller's clock are its
     * immutables (proxies, and FLOCK which has none: fixed across upgrades); the proxy's state, the
     * users' deposits included, is set by {initialize} and kept across upgrades; the implementation
     * itself can never be initialized.
     * @param rewards_ the reward distributor (its challenge window, guardians and budgets); this
     * contract needs its `REVENUE_ROLE`.
     * @custom:oz-upgrades-unsafe-allow constructor
     */
    constructor(IRewardDistributor rewards_) {
        _rewards = rewards_;
        _flock = rewards_.flock();
        _emissions = rewards_.emissions();
        _genesis = _emissions.genesis();
        _epochLength = _emissions.epochLength();
        _disableInitializers();
    }

    /**
     * @notice Sets the proxy's state, once, in the proxy's deployment.
     * @param admin receives `DEFAULT_ADMIN_ROLE` (the deployer until governance takes over).
     * @param reportWindow seconds at the start of each epoch reserved for the previous epoch's report.
     * @param collectWindow seconds after a report's challenge window reserved for applying its charges.
     * @param protocolShareBps the treasury's share of revenue.
     * @param treasury where the protocol share goes (the timelock).
     * @param operators_ the initial gateway operators (may be empty, with quorum 0).
     * @param quorum how many of them must post the same report.
     */
    function initialize(
        address admin,
        uint256 reportWindow,
        uint256 collectWindow,
        uint256 protocolShareBps,
        address treasury,
        address[] calldata operators_,
        uint256 quorum
    ) external initializer {
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setWindows(reportWindow, collectWindow);
        _setProtocolShare(protocolShareBps, treasury);
        _setOperators(operators_, quorum, true);
    }

    // ======================================================================= users

    /// @inheritdoc IApiCredits
    function deposit(uint256 amount) external {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        if (amount == 0) revert ApiZeroAmount();
        Packed storage a = $._accounts[msg.sender];
        uint256 balance = uint256(a.balance) + amount;
        a.balance = SafeCast.toUint128(balance);
        $._totalCredit += amount;
        emit Deposited(msg.sender, amount, balance);
        _flock.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IApiCredits
    function withdraw(uint256 amount) external {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        if (amount == 0) revert ApiZeroAmount();
        _requireUnlocked();
        Packed storage a = $._accounts[msg.sender];
        uint256 balance = a.balance;
        if (amount > balance) revert ApiInsufficientBalance(msg.sender, balance, amount);
        a.balance = uint128(balance - amount);
        $._totalCredit -= amount;
        emit Withdrawn(msg.sender, amount, balance - amount);
        _flock.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IApiCredits
    function setCap(uint256 cap) external {
        Packed storage a = _getApiCreditsStorage()._accounts[msg.sender];
        if (cap < a.cap) _requireUnlocked();
        a.cap = SafeCast.toUint128(Math.min(cap, type(uint128).max));
        emit CapSet(msg.sender, cap);
    }

    /// @inheritdoc IApiCredits
    function registerKey(bytes32 keyHash) external {
        mapping(bytes32 => bool) storage keys = _getApiCreditsStorage()._keys[msg.sender];
        if (keyHash == bytes32(0) || keys[keyHash]) revert ApiKeyInvalid(msg.sender, keyHash);
        keys[keyHash] = true;
        emit KeyRegistered(msg.sender, keyHash);
    }

    /// @inheritdoc IApiCredits
    function revokeKey(bytes32 keyHash) external {
        mapping(bytes32 => bool) storage keys = _getApiCreditsStorage()._keys[msg.sender];
        if (!keys[keyHash]) revert ApiUnknownKey(msg.sender, keyHash);
        keys[keyHash] = false;
        emit KeyRevoked(msg.sender, keyHash);
    }

    // ======================================================================= operators

    /// @inheritdoc IApiCredits
    function postUsage(uint256 epoch, bytes32 root, uint256 total, bytes32 reportHash) external {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        Config memory c = $._config;
        (bool operator, uint256 index) = Quorum.seat($._operatorTag, msg.sender, c.setVersion);
        if (!operator) revert ApiNotOperator(msg.sender);
        if (root == bytes32(0) || total == 0) revert ApiEmptyReport(root, total);
        uint256 current = _currentEpoch();
        if (current != epoch + 1) revert ApiNotReportable(epoch, current);
        Record storage r = $._settlements[epoch];
        if (r.status != Status.None) revert ApiAlreadyAccepted(epoch, r.root);
        if (total > $._totalCredit) revert ApiTotalExceedsCredit(total, $._totalCredit);
        uint256 round = r.round;
        bytes32 ballot = Quorum.ballot(epoch, round, c.setVersion);
        uint256 votes = Quorum.vote($._votes, ballot, index, abi.encode(root, total, reportHash), c.quorum);
        if (votes == 0) revert ApiAlreadyPosted(epoch, msg.sender);
        emit UsagePosted(epoch, msg.sender, root, total, reportHash, round, votes);
        if (votes == c.quorum) _accept(epoch, round, root, total, reportHash, c.collectWindow);
    }

    // ======================================================================= guardian

    /// @inheritdoc IApiCredits
    function veto(uint256 epoch) external {
        if (!IAccessControl(address(_rewards)).hasRole(_GUARDIAN_ROLE, msg.sender)) revert ApiNotGuardian(msg.sender);
        mapping(uint256 => Record) storage settlements = _getApiCreditsStorage()._settlements;
        Record memory r = settlements[epoch];
        if (!Quorum.vetoable(r.status == Status.Accepted, r.finalizesAt)) {
            revert ApiNotVetoable(epoch, r.status, r.finalizesAt);
        }
        // The epoch's report starts over in a new round, with no status (operators post again).
        delete settlements[epoch];
        settlements[epoch].round = r.round + 1;
        emit UsageVetoed(epoch, r.root, msg.sender);
    }

    // ======================================================================= anyone

    /// @inheritdoc IApiCredits
    function finalize(uint256 epoch) external {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        Record storage r = $._settlements[epoch];
        Status status = r.status;
        if (status != Status.Accepted) revert ApiNothingToFinalize(epoch, status);
        uint256 finalizesAt = r.finalizesAt;
        if (block.timestamp < finalizesAt) revert ApiChallengeOpen(epoch, finalizesAt);
        r.status = Status.Final;
        uint256 collectUntil = block.timestamp + $._config.collectWindow;
        _lockUntil(collectUntil);
        emit UsageFinalized(epoch, r.root, collectUntil);
    }

    /// @inheritdoc IApiCredits
    function charge(Charge calldata c) external returns (uint256) {
        return _charge(c);
    }

    /// @inheritdoc IApiCredits
    function chargeMany(Charge[] calldata charges) external returns (uint256 charged) {
        uint256 n = charges.length;
        if (n == 0) revert ApiNoCharges();
        for (uint256 i = 0; i < n; ++i) {
            charged += _charge(charges[i]);
        }
    }

    /// @inheritdoc IApiCredits
    function flush(uint256 taskId, uint256 modelEpoch) external {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        uint256 key = _modelKey(taskId, modelEpoch);
        uint256 amount = $._accrued[key];
        if (amount == 0) revert ApiNothingToFlush(taskId, modelEpoch);
        $._accrued[key] = 0;
        uint256 share = (amount * $._config.protocolShareBps) / _BPS;
        uint256 contributors = amount - share;
        uint256 target = _currentEpoch() + 1;
        emit RevenueFlushed(taskId, modelEpoch, target, contributors, share);
        if (share != 0) _flock.safeTransfer($._treasury, share);
        if (contributors != 0) {
            _flock.forceApprove(address(_rewards), contributors);
            _rewards.fundEpoch(taskId, target, contributors);
        }
    }

    // ======================================================================= governance

    /// @inheritdoc IApiCredits
    function setPrice(uint256 taskId, uint256 pricePer1kTokens) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _getApiCreditsStorage()._prices[taskId] = pricePer1kTokens;
        emit PriceSet(taskId, pricePer1kTokens);
    }

    /// @inheritdoc IApiCredits
    function setOperators(address[] calldata operators, uint256 quorum) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setOperators(operators, quorum, false);
    }

    /// @inheritdoc IApiCredits
    function setWindows(uint256 reportWindow, uint256 collectWindow) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setWindows(reportWindow, collectWindow);
    }

    /// @inheritdoc IApiCredits
    function setProtocolShare(uint256 protocolShareBps, address treasury) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setProtocolShare(protocolShareBps, treasury);
    }

    // ======================================================================= views

    /// @inheritdoc IApiCredits
    function accountOf(address account) external view returns (Account memory) {
        Packed memory a = _getApiCreditsStorage()._accounts[account];
        return Account(a.balance, a.cap);
    }

    /// @inheritdoc IApiCredits
    function spendable(address account) external view returns (uint256) {
        Packed memory a = _getApiCreditsStorage()._accounts[account];
        return Math.min(a.balance, a.cap);
    }

    /// @inheritdoc IApiCredits
    function isKey(address owner, bytes32 keyHash) external view returns (bool) {
        return _getApiCreditsStorage()._keys[owner][keyHash];
    }

    /// @inheritdoc IApiCredits
    function priceOf(uint256 taskId) external view returns (uint256) {
        return _getApiCreditsStorage()._prices[taskId];
    }

    /// @inheritdoc IApiCredits
    function settlementOf(uint256 epoch) external view returns (Settlement memory) {
        Record memory r = _getApiCreditsStorage()._settlements[epoch];
        return Settlement(r.status, r.root, r.total, r.reportHash, r.finalizesAt, r.round);
    }

    /// @inheritdoc IApiCredits
    function isCharged(uint256 epoch, uint256 index) external view returns (bool) {
        if ((epoch | index) >> 64 != 0) return false;
        return _getApiCreditsStorage()._charged[(epoch << 64) | (index >> 8)] & (1 << (index & 0xff)) != 0;
    }

    /// @inheritdoc IApiCredits
    function accrued(uint256 taskId, uint256 modelEpoch) external view returns (uint256) {
        return _getApiCreditsStorage()._accrued[_modelKey(taskId, modelEpoch)];
    }

    /// @inheritdoc IApiCredits
    function withdrawLockedUntil() public view returns (uint256 until) {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        Config memory c = $._config;
        until = c.lockedUntil;
        uint256 current = _currentEpoch();
        uint256 start = EpochClock.epochStart(current, _genesis, _epochLength);
        // `current != 0`: an epoch before this one exists (`block.timestamp >= epochStart(1)`).
        if (
            current != 0 && block.timestamp < start + c.reportWindow
                && $._settlements[current - 1].status == Status.None
        ) until = Math.max(until, start + c.reportWindow);
    }

    /// @inheritdoc IApiCredits
    function operatorSet() external view returns (address[] memory operators, uint256 quorum) {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        return ($._operators, $._config.quorum);
    }

    /// @inheritdoc IApiCredits
    function isOperator(address account) external view returns (bool member) {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        (member,) = Quorum.seat($._operatorTag, account, $._config.setVersion);
    }

    /// @inheritdoc IApiCredits
    function windows() external view returns (uint256 reportWindow, uint256 collectWindow) {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        return ($._config.reportWindow, $._config.collectWindow);
    }

    /// @inheritdoc IApiCredits
    function protocolShare() external view returns (uint256 protocolShareBps, address treasury) {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        return ($._config.protocolShareBps, $._treasury);
    }

    /// @inheritdoc IApiCredits
    function totalCredit() external view returns (uint256) {
        return _getApiCreditsStorage()._totalCredit;
    }

    /// @inheritdoc IApiCredits
    function flock() external view returns (IFlockToken) {
        return _flock;
    }

    /// @inheritdoc IApiCredits
    function emissions() external view returns (IEmissionController) {
        return _emissions;
    }

    /// @inheritdoc IApiCredits
    function rewards() external view returns (IRewardDistributor) {
        return _rewards;
    }

    // ======================================================================= internals

    function _charge(Charge calldata c) private returns (uint256 charged) {
        _markLeaf(c);
        charged = _debit(c.account, c.amount);
        if (charged != 0) _getApiCreditsStorage()._accrued[_modelKey(c.taskId, c.modelEpoch)] += charged;
        emit Charged(c.epoch, c.index, c.account, c.taskId, c.modelEpoch, c.amount, charged);
    }

    /// @dev Checks the leaf against its final report's root and marks it applied.
    function _markLeaf(Charge calldata c) private {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        uint256 epoch = c.epoch;
        uint256 index = c.index;
        if ((epoch | index) >> 64 != 0) revert ApiKeyOutOfRange(c.taskId, epoch);
        Record storage r = $._settlements[epoch];
        Status status = r.status;
        if (status != Status.Final) revert ApiNotFinal(epoch, status);
        uint256 word = (epoch << 64) | (index >> 8);
        uint256 bit = 1 << (index & 0xff);
        uint256 bits = $._charged[word];
        if (bits & bit != 0) revert ApiAlreadyCharged(epoch, index);
        bytes32 leaf =
            keccak256(bytes.concat(keccak256(abi.encode(index, c.account, c.taskId, c.modelEpoch, c.amount))));
        if (!MerkleProofLib.verifyCalldata(c.proof, r.root, leaf)) revert ApiInvalidProof(epoch, index);
        $._charged[word] = bits | bit;
    }

    /// @dev Takes up to `amount` from the account, never beyond its cap or its balance.
    function _debit(address account, uint256 amount) private returns (uint256 charged) {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        Packed storage a = $._accounts[account];
        Packed memory m = a;
        charged = Math.min(amount, Math.min(m.balance, m.cap));
        if (charged != 0) {
            a.balance = uint128(m.balance - charged);
            a.cap = uint128(m.cap - charged);
            $._totalCredit -= charged;
        }
    }

    /// @dev A tuple reached quorum: it enters the reward distributor's challenge window, and
    /// withdrawals wait until its charges could be applied.
    function _accept(
        uint256 epoch,
        uint256 round,
        bytes32 root,
        uint256 total,
        bytes32 reportHash,
        uint256 collectWindow
    ) private {
        (uint256 window,,) = _rewards.rewardParameters();
        uint256 finalizesAt = block.timestamp + window;
        _getApiCreditsStorage()._settlements[epoch] =
            Record(root, reportHash, SafeCast.toUint96(total), uint40(finalizesAt), uint16(round), Status.Accepted);
        _lockUntil(finalizesAt + collectWindow);
        emit UsageAccepted(epoch, root, total, reportHash, finalizesAt);
    }

    function _modelKey(uint256 taskId, uint256 modelEpoch) private pure returns (uint256) {
        if ((taskId | modelEpoch) >> 64 != 0) revert ApiKeyOutOfRange(taskId, modelEpoch);
        return (taskId << 64) | modelEpoch;
    }

    /// @dev The emission controller's current epoch, from its clock ({EpochClock}).
    function _currentEpoch() private view returns (uint256) {
        return EpochClock.epochAt(block.timestamp, _genesis, _epochLength);
    }

    function _requireUnlocked() private view {
        uint256 until = withdrawLockedUntil();
        if (block.timestamp < until) revert ApiSettlementPending(until);
    }

    function _lockUntil(uint256 until) private {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        if (until > $._config.lockedUntil) $._config.lockedUntil = SafeCast.toUint40(until);
    }

    /// @dev `allowEmpty`: at deployment the set may be empty (quorum 0) until governance appoints one.
    function _setOperators(address[] memory operators, uint256 quorum, bool allowEmpty) private {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        ($._config.quorum, $._config.operatorCount, $._config.setVersion) = Quorum.replace(
            $._operators,
            $._operatorTag,
            operators,
            quorum,
            $._config.setVersion,
            allowEmpty,
            ApiInvalidOperatorSet.selector,
            ApiInvalidOperator.selector
        );
        emit OperatorsSet(operators, quorum, $._config.setVersion);
    }

    function _setWindows(uint256 reportWindow, uint256 collectWindow) private {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        _bound("reportWindow", reportWindow, 0, MAX_WINDOW);
        _bound("collectWindow", collectWindow, 0, MAX_WINDOW);
        $._config.reportWindow = uint40(reportWindow);
        $._config.collectWindow = uint40(collectWindow);
        emit WindowsSet(reportWindow, collectWindow);
    }

    function _setProtocolShare(uint256 protocolShareBps, address treasury) private {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        _bound("protocolShareBps", protocolShareBps, 0, MAX_PROTOCOL_SHARE_BPS);
        if (treasury == address(0)) revert ApiParameterOutOfBounds("treasury", 0);
        $._config.protocolShareBps = uint16(protocolShareBps);
        $._treasury = treasury;
        emit ProtocolShareSet(protocolShareBps, treasury);
    }

    /// @dev Reverts with `ApiParameterOutOfBounds(name, value)` unless low <= value <= high.
    function _bound(bytes32 name, uint256 value, uint256 low, uint256 high) private pure {
        if (value < low || value > high) revert ApiParameterOutOfBounds(name, value);
    }

    /// @dev Only the admin (the timelock, after the handover) upgrades the implementation.
    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _getApiCreditsStorage() private pure returns (ApiCreditsStorage storage $) {
        assembly {
            $.slot := _API_CREDITS_STORAGE
        }
    }
}
