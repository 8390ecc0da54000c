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

/**
 * @title ApiCredits
 * @dev Prepaid credits, per-epoch usage settlement and revenue routing for the API platform. See
 * {IApiCredits} for the rules and docs/api.md for the gateway, pricing and the trust model.
 *
 * It follows the reward distributor's patterns and reads two of its settings rather than keeping its
 * own: the challenge window (`rewardParameters`) and who may veto (its `GUARDIAN_ROLE` holders). The
 * operator set is versioned like the oracle set (a set change voids the votes of open rounds).
 *
 * Storage:
 *
 *     _accounts[a]       [ balance: 128 | cap: 128 ]
 *     _settlements[e]    [ root ] [ reportHash ]
 *                        [ total: 96 | finalizesAt: 40 | round: 16 | status: 8 ]
 *     _charged[w]        bitmap of applied leaves: word w = epoch << 32 | index >> 8
 *     _accrued[k]        revenue per model, k = taskId << 64 | modelEpoch
 *     _votes[h]          per round: h = keccak(epoch, round, set version) -> operators who posted
 *                        (bits); h' = keccak(h, tuple) -> how many posted that tuple
 *     _config            [ reportWindow: 40 | collectWindow: 40 | lockedUntil: 40 | protocolShareBps: 16 |
 *                          quorum: 8 | operators: 8 | setVersion: 32 ]
 *
 * Gas: posting, vetoing and finalizing touch a constant number of slots; each charge touches its
 * bitmap word, its account and its model's accrual. Nothing loops over users.
 */
contract ApiCredits is IApiCredits, AccessControlUpgradeable, UUPSUpgradeable {
    using SafeERC20 for IFlockToken;

    /// @notice Largest operator set.
    uint256 public constant MAX_OPERATORS = 16;
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
     * @dev The implementation: the contracts it calls are its immutables (proxies, and FLOCK which
     * has none: fixed across upgrades); the proxy's state, the users' deposits included, is set by
     * {initialize} and kept across upgrades; the implementation itself can never be initialized.
     * @param rewards_ the reward distributor (its challenge window, guardians and budgets); this
     * contract needs its `REVENUE_ROLE`.
     * @custom:oz-upgrades-unsafe-allow constructor
     */
    constructor(IRewardDistributor rewards_) {
        _rewards = rewards_;
        _flock = rewards_.flock();
        _emissions = rewards_.emissions();
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
        uint256 tag = $._operatorTag[msg.sender];
        if (tag >> 8 != c.setVersion) revert ApiNotOperator(msg.sender);
        if (root == bytes32(0) || total == 0) revert ApiEmptyReport(root, total);
        uint256 current = _emissions.currentEpoch();
        if (current != epoch + 1) revert ApiNotReportable(epoch, current);
        Record storage r = $._settlements[epoch];
        if (r.status != Status.None) revert ApiAlreadyAccepted(epoch, r.root);
        if (total > $._totalCredit) revert ApiTotalExceedsCredit(total, $._totalCredit);
        uint256 round = r.round;
        uint256 votes = _vote(keccak256(abi.encode(epoch, round, c.setVersion)), tag, epoch, root, total, reportHash);
        emit UsagePosted(epoch, msg.sender, root, total, reportHash, round, votes);
        if (votes == c.quorum) _accept(r, epoch, root, total, reportHash, c.collectWindow);
    }

    // ======================================================================= guardian

    /// @inheritdoc IApiCredits
    function veto(uint256 epoch) external {
        if (!IAccessControl(address(_rewards)).hasRole(_GUARDIAN_ROLE, msg.sender)) revert ApiNotGuardian(msg.sender);
        Record storage r = _getApiCreditsStorage()._settlements[epoch];
        Status status = r.status;
        uint256 finalizesAt = r.finalizesAt;
        if (status != Status.Accepted || block.timestamp >= finalizesAt) {
            revert ApiNotVetoable(epoch, status, finalizesAt);
        }
        bytes32 root = r.root;
        r.root = bytes32(0);
        r.reportHash = bytes32(0);
        r.total = 0;
        r.finalizesAt = 0;
        r.round += 1;
        r.status = Status.None;
        emit UsageVetoed(epoch, root, msg.sender);
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
        uint256 target = _emissions.currentEpoch() + 1;
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
        uint256 start = _emissions.genesis() + _emissions.currentEpoch() * _emissions.epochLength();
        if (
            block.timestamp >= _emissions.genesis() + _emissions.epochLength()
                && block.timestamp < start + c.reportWindow
                && $._settlements[_emissions.currentEpoch() - 1].status == Status.None
        ) until = Math.max(until, start + c.reportWindow);
    }

    /// @inheritdoc IApiCredits
    function operatorSet() external view returns (address[] memory operators, uint256 quorum) {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        return ($._operators, $._config.quorum);
    }

    /// @inheritdoc IApiCredits
    function isOperator(address account) external view returns (bool) {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        return $._operatorTag[account] >> 8 == $._config.setVersion;
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

    /// @dev Records the caller's vote in `ballot` (a round of an epoch under one operator set) for the
    /// tuple; returns how many operators have posted the same tuple in the round.
    function _vote(bytes32 ballot, uint256 tag, uint256 epoch, bytes32 root, uint256 total, bytes32 reportHash)
        private
        returns (uint256 votes)
    {
        ApiCreditsStorage storage $ = _getApiCreditsStorage();
        uint256 voters = $._votes[ballot];
        uint256 bit = 1 << (tag & 0xff);
        if (voters & bit != 0) revert ApiAlreadyPosted(epoch, msg.sender);
        $._votes[ballot] = voters | bit;
        bytes32 tally = keccak256(abi.encode(ballot, root, total, reportHash));
        votes = $._votes[tally] + 1;
        $._votes[tally] = votes;
    }

    /// @dev A tuple reached quorum: it enters the reward distributor's challenge window, and
    /// withdrawals wait until its charges could be applied.
    function _accept(
        Record storage r,
        uint256 epoch,
        bytes32 root,
        uint256 total,
        bytes32 reportHash,
        uint256 collectWindow
    ) private {
        (uint256 window,,) = _rewards.rewardParameters();
        uint256 finalizesAt = block.timestamp + window;
        r.root = root;
        r.reportHash = reportHash;
        r.total = SafeCast.toUint96(total);
        r.finalizesAt = uint40(finalizesAt);
        r.status = Status.Accepted;
        _lockUntil(finalizesAt + collectWindow);
        emit UsageAccepted(epoch, root, total, reportHash, finalizesAt);
    }

    function _modelKey(uint256 taskId, uint256 modelEpoch) private pure returns (uint256) {
        if ((taskId | modelEpoch) >> 64 != 0) revert ApiKeyOutOfRange(taskId, modelEpoch);
        return (taskId << 64) | modelEpoch;
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
        uint256 n = operators.length;
        bool empty = allowEmpty && n == 0 && quorum == 0;
        if (!empty && (n == 0 || n > MAX_OPERATORS || quorum == 0 || quorum > n)) {
            revert ApiInvalidOperatorSet(n, quorum);
        }
        Config storage c = $._config;
        uint256 version = uint256(c.setVersion) + 1;
        for (uint256 i = 0; i < n; ++i) {
            address operator = operators[i];
            if (operator == address(0) || $._operatorTag[operator] >> 8 == version) {
                revert ApiInvalidOperator(operator);
            }
            $._operatorTag[operator] = (version << 8) | i;
        }
        $._operators = operators;
        c.quorum = uint8(quorum);
        c.operatorCount = uint8(n);
        c.setVersion = SafeCast.toUint32(version);
        emit OperatorsSet(operators, quorum, version);
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
