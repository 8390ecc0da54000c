// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IArenaSubmissions} from "../../interfaces/IArenaSubmissions.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {IRewardDistributor} from "../../interfaces/IRewardDistributor.sol";
import {IRewardPot} from "../../interfaces/IRewardPot.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";
import {Quorum} from "../utils/Quorum.sol";
import {RewardPot} from "./RewardPot.sol";

/**
 * @title RewardDistributor
 * @dev Budget-bounded, k-of-n oracle Merkle roots per AI Arena task epoch, a challenge window with a
 * veto, and claims with a bitmap, vesting and batch claims. See {IRewardDistributor} for the rules
 * and docs/oracle.md for how the oracle computes a root and how anyone checks one.
 *
 * Storage, keyed by k = taskId << 128 | epoch:
 *
 *     _records[k]        [ root ]                      the accepted root; once final, its pot's address
 *                        [ (DEPRECATED unallocated: 96) | total: 96 | finalizesAt: 40 | round: 16 |
 *                          status: 8 ]
 *                        [ burn: 96 | lockedShareBps: 16 | vestingPeriod: 40 ]
 *     _pots[k]           LEGACY, read-only: the pot of a root finalized before the root's slot held
 *                        it (decision 152); no code writes it since, `_finalPot` still reads it
 *     _votes[h]          the oracles' ballots ({Quorum}): h = keccak(k, round, set version) -> who
 *                        posted (bits); keccak(h, tuple) -> how many posted that tuple
 *     _config            [ challengeWindow: 40 | lockedShareBps: 16 | vestingPeriod: 40 | three fees: 48 |
 *                          rankRatioBps: 16 | toleranceBps: 16 | quorum: 8 | oracles: 8 | setVersion: 32 ]
 *     _oracles, _oracleTag   the oracle set ({Quorum}): the list, and setVersion << 8 | index
 *     _pools[taskId]     the task's budget held here that no accepted root reserves (decision 236):
 *                        its emission budgets drawn at its epochs' first posts and its funded revenue
 *
 * Claims happen in the pots: finalizing a root creates its RewardPot, a minimal proxy to the
 * implementation this contract creates in {initialize} with the root and vesting terms as
 * immutable arguments in its code (salt k, CREATE2), and moves the root's total into it, so a claim
 * reads a single storage slot (its bitmap word) and a root can never pay out more than its total.
 * The root then lives on in the pot's code, and the record's root slot keeps the pot's address
 * instead (an address fits 160 bits; a root, a hash, does not but with probability 2^-96), so
 * finalizing writes no fresh slot. `claimMany` and
 * `releaseVested` here route to the pots of many task epochs in one transaction. Amounts fit 96
 * bits: FLOCK is capped at 1e27 < 2^90.
 *
 * Why a leaf carries an index: OpenZeppelin's tree hashes each pair in sorted order, so a proof does
 * not say where its leaf sits; a bitmap position taken from the claimer could be chosen twice for the
 * same leaf. The index inside the leaf is what the tree commits to, and each leaf has exactly one.
 */
contract RewardDistributor is IRewardDistributor, AccessControlUpgradeable, UUPSUpgradeable {
    using SafeERC20 for IFlockToken;

    /// @inheritdoc IRewardDistributor
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @inheritdoc IRewardDistributor
    bytes32 public constant REVENUE_ROLE = keccak256("REVENUE_ROLE");

    /// @notice Largest oracle set.
    uint256 public constant MAX_ORACLES = Quorum.MAX_MEMBERS;
    /// @notice Hard bounds on the governance parameters.
    uint256 public constant MIN_CHALLENGE_WINDOW = 1 hours;
    uint256 public constant MAX_CHALLENGE_WINDOW = 30 days;
    uint256 public constant MAX_VESTING_PERIOD = 4 * 365 days;
    uint256 public constant MAX_FEE_BPS = 5_000;
    uint256 public constant MAX_TOLERANCE_BPS = 50_000;

    uint256 private constant _BPS = 10_000;

    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IFlockToken private immutable _flock;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IEmissionController private immutable _emissions;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    ITaskRegistry private immutable _registry;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IArenaSubmissions private immutable _submissions;

    struct Record {
        bytes32 root;
        uint96 unallocated; // DEPRECATED (decision 236): budgets are held per task, in `_pools`
        uint96 total;
        uint40 finalizesAt;
        uint16 round;
        Status status;
        uint96 burn;
        uint16 lockedShareBps;
        uint40 vestingPeriod;
    }

    struct Config {
        uint40 challengeWindow;
        uint16 lockedShareBps;
        uint40 vestingPeriod;
        uint16 nodeFeeBps;
        uint16 validatorFeeBps;
        uint16 delegatorFeeBps;
        uint16 rankRatioBps;
        uint16 toleranceBps;
        uint8 quorum;
        uint8 oracleCount;
        uint32 setVersion;
    }

    /// @dev What an oracle posts (kept in memory to spare the stack).
    struct Post {
        bytes32 root;
        uint256 total;
        uint256 burn;
        bytes32 reportHash;
    }

    /// @custom:storage-location erc7201:flock.storage.RewardDistributor
    struct RewardDistributorStorage {
        Config _config;
        address[] _oracles;
        mapping(address oracle => uint256) _oracleTag;
        mapping(uint256 key => Record) _records;
        // LEGACY, read-only (decision 152): the pots of roots finalized before the root's slot held
        // them. No code writes it any more; `_finalPot` still reads it for those roots, so it is not
        // dead on a proxy upgraded from before decision 152 (zero everywhere on a fresh deployment).
        mapping(uint256 key => address) _pots;
        mapping(bytes32 ballot => uint256) _votes;
        address _potImplementation; // the RewardPot every root's pot clones, created by initialize
        mapping(uint256 taskId => uint256) _pools;
    }

    // keccak256(abi.encode(uint256(keccak256("flock.storage.RewardDistributor")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _REWARD_DISTRIBUTOR_STORAGE =
        0x823c1b67a90d4bd579c61bf33cec15a27bdd8b6050cc7e6d8c1993d649e06a00;

    /**
     * @dev The implementation: the contracts it calls are its immutables (proxies, and FLOCK which
     * has none: fixed across upgrades); the proxy's state is set by {initialize}, and the
     * implementation itself can never be initialized.
     * @param emissions_ the emission controller; this contract needs its `DISTRIBUTOR_ROLE`.
     * @param registry_ the task registry (task kinds).
     * @param submissions_ the submissions contract (the epochs' reveal deadlines).
     * @custom:oz-upgrades-unsafe-allow constructor
     */
    constructor(IEmissionController emissions_, ITaskRegistry registry_, IArenaSubmissions submissions_) {
        _flock = emissions_.flock();
        _emissions = emissions_;
        _registry = registry_;
        _submissions = submissions_;
        _disableInitializers();
    }

    /**
     * @notice Sets the proxy's state, once, in the proxy's deployment, and creates the RewardPot
     * implementation every root's pot clones (created here, so the proxy is its distributor).
     * @param admin receives `DEFAULT_ADMIN_ROLE` (the deployer until governance takes over).
     * @param params the initial governance parameters.
     * @param oracles_ the initial oracle set (may be empty, with quorum 0: governance appoints one).
     * @param quorum how many of them must post the same tuple.
     */
    function initialize(address admin, Parameters calldata params, address[] calldata oracles_, uint256 quorum)
        external
        initializer
    {
        __AccessControl_init();
        _getRewardDistributorStorage()._potImplementation = address(new RewardPot(_flock));
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setRewardParameters(params.challengeWindow, params.lockedShareBps, params.vestingPeriod);
        _setClaimFees(params.nodeFeeBps, params.validatorFeeBps, params.delegatorFeeBps);
        _setScoringParameters(params.rankRatioBps, params.toleranceBps);
        _setOracles(oracles_, quorum, true);
    }

    // ======================================================================= oracles

    /// @inheritdoc IRewardDistributor
    function postRoot(uint256 taskId, uint256 epoch, bytes32 root, uint256 total, uint256 burn, bytes32 reportHash)
        external
    {
        _post(taskId, epoch, Post(root, total, burn, reportHash));
    }

    // ======================================================================= guardian

    /// @inheritdoc IRewardDistributor
    function veto(uint256 taskId, uint256 epoch) external onlyRole(GUARDIAN_ROLE) {
        mapping(uint256 => Record) storage records = _getRewardDistributorStorage()._records;
        uint256 key = _key(taskId, epoch);
        Record memory r = records[key];
        if (!Quorum.vetoable(r.status == Status.Accepted, r.finalizesAt)) {
            revert RewardNotVetoable(taskId, epoch, r.status, r.finalizesAt);
        }
        // The record starts over in a new round, the task's pool gets back what the root took, burn
        // included.
        uint256 returned = uint256(r.total) + r.burn;
        delete records[key];
        (records[key].round, records[key].status) = (r.round + 1, Status.Open);
        _getRewardDistributorStorage()._pools[taskId] += returned;
        emit RootVetoed(taskId, epoch, r.root, msg.sender, returned);
    }

    // ======================================================================= revenue

    /// @inheritdoc IRewardDistributor
    function fundEpoch(uint256 taskId, uint256 epoch, uint256 amount) external onlyRole(REVENUE_ROLE) {
        RewardDistributorStorage storage $ = _getRewardDistributorStorage();
        Status status = $._records[_key(taskId, epoch)].status;
        if (status == Status.Accepted || status == Status.Final) revert RewardNotFundable(taskId, epoch, status);
        if (_registry.taskInfo(taskId).kind != ITaskRegistry.TaskKind.Arena) revert RewardNotArenaTask(taskId);
        $._pools[taskId] += amount;
        emit BudgetFunded(taskId, epoch, msg.sender, amount);
        _flock.safeTransferFrom(msg.sender, address(this), amount);
    }

    // ======================================================================= anyone

    /// @inheritdoc IRewardDistributor
    function finalize(uint256 taskId, uint256 epoch) external {
        _finalize(taskId, epoch, _key(taskId, epoch));
    }

    /// @inheritdoc IRewardDistributor
    function claimMany(Claim[] calldata claims) external {
        uint256 n = claims.length;
        if (n == 0) revert RewardNoClaims();
        for (uint256 i = 0; i < n; ++i) {
            Claim calldata c = claims[i];
            _potFor(c.taskId, c.epoch).claim(c.index, c.account, c.amount, c.proof);
        }
    }

    /// @inheritdoc IRewardDistributor
    function releaseVested(address account, uint256[] calldata taskIds, uint256[] calldata epochs)
        external
        returns (uint256 amount)
    {
        if (taskIds.length != epochs.length) revert RewardLengthMismatch(taskIds.length, epochs.length);
        for (uint256 i = 0; i < taskIds.length; ++i) {
            address pot = _finalPot(_key(taskIds[i], epochs[i]));
            if (pot == address(0)) continue;
            (,, uint256 releasable) = IRewardPot(pot).vestingOf(account);
            if (releasable != 0) amount += IRewardPot(pot).release(account);
        }
        if (amount == 0) revert RewardNothingToRelease(account);
    }

    // ======================================================================= governance

    /// @inheritdoc IRewardDistributor
    function setOracles(address[] calldata oracles, uint256 quorum) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setOracles(oracles, quorum, false);
    }

    /// @inheritdoc IRewardDistributor
    function setRewardParameters(uint256 challengeWindow, uint256 lockedShareBps, uint256 vestingPeriod)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setRewardParameters(challengeWindow, lockedShareBps, vestingPeriod);
    }

    /// @inheritdoc IRewardDistributor
    function setClaimFees(uint256 nodeFeeBps, uint256 validatorFeeBps, uint256 delegatorFeeBps)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setClaimFees(nodeFeeBps, validatorFeeBps, delegatorFeeBps);
    }

    /// @inheritdoc IRewardDistributor
    function setScoringParameters(uint256 rankRatioBps, uint256 toleranceBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setScoringParameters(rankRatioBps, toleranceBps);
    }

    /// @inheritdoc IRewardDistributor
    function sweepUnallocated(uint256 taskId, address to) external onlyRole(DEFAULT_ADMIN_ROLE) {
        // Only an Arena task's: an Alliance task's budget is AllianceRounds' to draw.
        if (_registry.taskInfo(taskId).kind != ITaskRegistry.TaskKind.Arena) revert RewardNotArenaTask(taskId);
        if (_registry.isActive(taskId)) revert RewardTaskStillActive(taskId);
        RewardDistributorStorage storage $ = _getRewardDistributorStorage();
        uint256 amount = $._pools[taskId] + _emissions.drawAccrued(taskId, address(this));
        if (amount == 0) revert RewardNothingToSweep(taskId);
        $._pools[taskId] = 0;
        emit UnallocatedSwept(taskId, to, amount);
        _flock.safeTransfer(to, amount);
    }

    // ======================================================================= views

    /// @inheritdoc IRewardDistributor
    function oracleSet() external view returns (address[] memory oracles, uint256 quorum) {
        RewardDistributorStorage storage $ = _getRewardDistributorStorage();
        return ($._oracles, $._config.quorum);
    }

    /// @inheritdoc IRewardDistributor
    function isOracle(address account) external view returns (bool member) {
        (member,,,) = oracleSeat(account);
    }

    /// @inheritdoc IRewardDistributor
    function oracleSeat(address account)
        public
        view
        returns (bool member, uint256 index, uint256 setVersion, uint256 quorum)
    {
        RewardDistributorStorage storage $ = _getRewardDistributorStorage();
        Config memory c = $._config;
        (member, index) = Quorum.seat($._oracleTag, account, c.setVersion);
        return (member, index, c.setVersion, c.quorum);
    }

    /// @inheritdoc IRewardDistributor
    function rewardParameters()
        external
        view
        returns (uint256 challengeWindow, uint256 lockedShareBps, uint256 vestingPeriod)
    {
        Config memory c = _getRewardDistributorStorage()._config;
        return (c.challengeWindow, c.lockedShareBps, c.vestingPeriod);
    }

    /// @inheritdoc IRewardDistributor
    function claimFees() external view returns (uint256 nodeFeeBps, uint256 validatorFeeBps, uint256 delegatorFeeBps) {
        Config memory c = _getRewardDistributorStorage()._config;
        return (c.nodeFeeBps, c.validatorFeeBps, c.delegatorFeeBps);
    }

    /// @inheritdoc IRewardDistributor
    function scoringParameters() external view returns (uint256 rankRatioBps, uint256 toleranceBps) {
        Config memory c = _getRewardDistributorStorage()._config;
        return (c.rankRatioBps, c.toleranceBps);
    }

    /// @inheritdoc IRewardDistributor
    function epochRewards(uint256 taskId, uint256 epoch) external view returns (EpochRewards memory) {
        uint256 key = _key(taskId, epoch);
        Record memory r = _getRewardDistributorStorage()._records[key];
        return EpochRewards({
            status: r.status,
            root: _rootOf(key),
            total: r.total,
            burn: r.burn,
            finalizesAt: r.finalizesAt,
            round: r.round,
            lockedShareBps: r.lockedShareBps,
            vestingPeriod: r.vestingPeriod
        });
    }

    /// @inheritdoc IRewardDistributor
    function potOf(uint256 taskId, uint256 epoch) external view returns (address) {
        uint256 key = _key(taskId, epoch);
        return _getRewardDistributorStorage()._records[key].status == Status.Final ? _finalPot(key) : address(0);
    }

    /// @inheritdoc IRewardDistributor
    function unallocatedOf(uint256 taskId) external view returns (uint256) {
        return _getRewardDistributorStorage()._pools[taskId];
    }

    /// @inheritdoc IRewardDistributor
    function potImplementation() external view returns (address) {
        return _getRewardDistributorStorage()._potImplementation;
    }

    /// @inheritdoc IRewardDistributor
    function flock() external view returns (IFlockToken) {
        return _flock;
    }

    /// @inheritdoc IRewardDistributor
    function emissions() external view returns (IEmissionController) {
        return _emissions;
    }

    /// @inheritdoc IRewardDistributor
    function registry() external view returns (ITaskRegistry) {
        return _registry;
    }

    /// @inheritdoc IRewardDistributor
    function submissions() external view returns (IArenaSubmissions) {
        return _submissions;
    }

    // ======================================================================= internals

    function _post(uint256 taskId, uint256 epoch, Post memory p) private {
        Config memory c = _getRewardDistributorStorage()._config;
        uint256 index = _oracleIndex(c.setVersion);
        // A root with its upper 96 bits zero (zero among them) is refused: a final root's slot holds
        // its pot's address, and `_finalPot` tells the two apart by those bits alone.
        if (uint256(p.root) >> 160 == 0 || p.total == 0) revert RewardEmptyRoot(p.root, p.total);
        uint256 key = _key(taskId, epoch);
        Record storage r = _getRewardDistributorStorage()._records[key];
        Status status = r.status;
        if (status == Status.Accepted || status == Status.Final) {
            revert RewardRootAlreadyAccepted(taskId, epoch, _rootOf(key));
        }
        if (status == Status.None) _openRecord(taskId, epoch, r);
        _requireFits(taskId, epoch, p);
        uint256 round = r.round;
        uint256 votes = _vote(taskId, epoch, Quorum.ballot(key, round, c.setVersion), index, p, c.quorum);
        emit RootPosted(taskId, epoch, msg.sender, p.root, p.total, p.burn, p.reportHash, round, votes);
        if (votes == c.quorum) {
            uint256 finalizesAt = block.timestamp + c.challengeWindow;
            _getRewardDistributorStorage()._pools[taskId] -= p.total + p.burn; // fits: `_requireFits`
            r.root = p.root;
            r.total = uint96(p.total);
            r.finalizesAt = uint40(finalizesAt);
            r.status = Status.Accepted;
            r.burn = uint96(p.burn);
            r.lockedShareBps = c.lockedShareBps;
            r.vestingPeriod = c.vestingPeriod;
            emit RootAccepted(taskId, epoch, p.root, p.total, p.burn, p.reportHash, finalizesAt);
        }
    }

    /// @dev Reverts unless `p`'s total + burn fits the task's pool.
    function _requireFits(uint256 taskId, uint256 epoch, Post memory p) private view {
        uint256 unallocated = _getRewardDistributorStorage()._pools[taskId];
        if (p.burn > unallocated || p.total > unallocated - p.burn) {
            revert RewardBudgetExceeded(taskId, epoch, p.total + p.burn, unallocated);
        }
    }

    /// @dev Counts the caller's post of `p`, by its `index` in the set, in `ballot` (a round of the
    /// task epoch under one version of the oracle set, {Quorum}); returns how many posted the same.
    function _vote(uint256 taskId, uint256 epoch, bytes32 ballot, uint256 index, Post memory p, uint256 quorum)
        private
        returns (uint256 votes)
    {
        bytes memory tuple = abi.encode(p.root, p.total, p.burn, p.reportHash);
        votes = Quorum.vote(_getRewardDistributorStorage()._votes, ballot, index, tuple, quorum);
        if (votes == 0) revert RewardAlreadyPosted(taskId, epoch, msg.sender);
    }

    /// @dev The caller's index in the oracle set of `setVersion` (its ballot bit); reverts unless it is
    /// a member.
    function _oracleIndex(uint256 setVersion) private view returns (uint256 index) {
        bool oracle;
        (oracle, index) = Quorum.seat(_getRewardDistributorStorage()._oracleTag, msg.sender, setVersion);
        if (!oracle) revert RewardNotOracle(msg.sender);
    }

    function _key(uint256 taskId, uint256 epoch) private pure returns (uint256) {
        if ((taskId | epoch) >> 128 != 0) revert RewardKeyOutOfRange(taskId, epoch);
        return (taskId << 128) | epoch;
    }

    /// @dev The first post of a task epoch: checks the epoch is over (and opened) and the task is an
    /// Arena task, then draws everything the task accrued and has not drawn into its pool.
    function _openRecord(uint256 taskId, uint256 epoch, Record storage r) private {
        uint256 revealEnd = _submissions.schedule(epoch).revealEnd;
        if (block.timestamp < revealEnd) revert RewardTooEarly(taskId, epoch, revealEnd);
        if (_registry.taskInfo(taskId).kind != ITaskRegistry.TaskKind.Arena) revert RewardNotArenaTask(taskId);
        uint256 next = _emissions.nextEpoch();
        if (epoch >= next) {
            _emissions.checkpoint();
            next = _emissions.nextEpoch();
            if (epoch >= next) revert RewardEpochNotOpened(epoch, next);
        }
        r.status = Status.Open;
        uint256 amount = _emissions.drawAccrued(taskId, address(this));
        if (amount != 0) _getRewardDistributorStorage()._pools[taskId] += amount;
        emit BudgetReserved(taskId, epoch, amount);
    }

    /// @dev Creates the final root's pot, funds it with the root's total and burns the claim fees.
    function _finalize(uint256 taskId, uint256 epoch, uint256 key) private returns (IRewardPot pot) {
        RewardDistributorStorage storage $ = _getRewardDistributorStorage();
        Record storage r = $._records[key];
        Status status = r.status;
        if (status != Status.Accepted) revert RewardNothingToFinalize(taskId, epoch, status);
        uint256 finalizesAt = r.finalizesAt;
        if (block.timestamp < finalizesAt) revert RewardChallengeOpen(taskId, epoch, finalizesAt);
        r.status = Status.Final;
        bytes32 root = r.root;
        // The pot's immutable arguments, packed as RewardPot reads them: the root, the vesting terms
        // (lockedShareBps 16 bits, finalizesAt and vestingPeriod 40 each: their record fields), then
        // the key (taskId << 128 | epoch). 76 bytes; the salt is the key.
        bytes memory args = abi.encodePacked(root, r.lockedShareBps, uint40(finalizesAt), r.vestingPeriod, key);
        pot = IRewardPot(Clones.cloneDeterministicWithImmutableArgs($._potImplementation, args, bytes32(key)));
        r.root = bytes32(uint256(uint160(address(pot)))); // the root is in the pot's code now
        uint256 burn = r.burn;
        emit RootFinalized(taskId, epoch, root, burn, address(pot));
        _flock.safeTransfer(address(pot), r.total);
        if (burn != 0) _flock.burn(burn);
    }

    /// @dev The pot of a task epoch, created here if its root's challenge window is over and nobody
    /// finalized it yet.
    function _potFor(uint256 taskId, uint256 epoch) private returns (IRewardPot) {
        uint256 key = _key(taskId, epoch);
        address pot = _finalPot(key);
        return pot != address(0) ? IRewardPot(pot) : _finalize(taskId, epoch, key);
    }

    /// @dev The task epoch's accepted root: a final root is in its pot's code, and its slot here holds
    /// the pot's address (or, for a root finalized before it did, still the root).
    function _rootOf(uint256 key) private view returns (bytes32 root) {
        RewardDistributorStorage storage $ = _getRewardDistributorStorage();
        root = $._records[key].root;
        if ($._records[key].status != Status.Final || uint256(root) >> 160 != 0) return root;
        (root,,,,,) = IRewardPot(address(uint160(uint256(root)))).terms();
    }

    /// @dev The pot of a final root, read without its status (one slot): the record's root slot holds
    /// the pot's address once final (its upper 96 bits zero; a root's, a hash, are not, but with
    /// probability 2^-96), and `_pots` the pot of a root finalized before it did. Zero otherwise.
    function _finalPot(uint256 key) private view returns (address) {
        RewardDistributorStorage storage $ = _getRewardDistributorStorage();
        uint256 slot = uint256($._records[key].root);
        return slot != 0 && slot >> 160 == 0 ? address(uint160(slot)) : $._pots[key];
    }

    /// @dev `allowEmpty`: at deployment the set may be empty (quorum 0) until governance appoints one.
    function _setOracles(address[] memory oracles, uint256 quorum, bool allowEmpty) private {
        RewardDistributorStorage storage $ = _getRewardDistributorStorage();
        ($._config.quorum, $._config.oracleCount, $._config.setVersion) = Quorum.replace(
            $._oracles,
            $._oracleTag,
            oracles,
            quorum,
            $._config.setVersion,
            allowEmpty,
            RewardInvalidOracleSet.selector,
            RewardInvalidOracle.selector
        );
        emit OraclesSet(oracles, quorum, $._config.setVersion);
    }

    function _setRewardParameters(uint256 challengeWindow, uint256 lockedShareBps, uint256 vestingPeriod) private {
        _bound("challengeWindow", challengeWindow, MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW);
        _bound("lockedShareBps", lockedShareBps, 0, _BPS);
        _bound("vestingPeriod", vestingPeriod, lockedShareBps == 0 ? 0 : 1, MAX_VESTING_PERIOD);
        Config storage c = _getRewardDistributorStorage()._config;
        c.challengeWindow = uint40(challengeWindow);
        c.lockedShareBps = uint16(lockedShareBps);
        c.vestingPeriod = uint40(vestingPeriod);
        emit RewardParametersSet(challengeWindow, lockedShareBps, vestingPeriod);
    }

    function _setClaimFees(uint256 nodeFeeBps, uint256 validatorFeeBps, uint256 delegatorFeeBps) private {
        _bound("nodeFeeBps", nodeFeeBps, 0, MAX_FEE_BPS);
        _bound("validatorFeeBps", validatorFeeBps, 0, MAX_FEE_BPS);
        _bound("delegatorFeeBps", delegatorFeeBps, 0, MAX_FEE_BPS);
        Config storage c = _getRewardDistributorStorage()._config;
        c.nodeFeeBps = uint16(nodeFeeBps);
        c.validatorFeeBps = uint16(validatorFeeBps);
        c.delegatorFeeBps = uint16(delegatorFeeBps);
        emit ClaimFeesSet(nodeFeeBps, validatorFeeBps, delegatorFeeBps);
    }

    function _setScoringParameters(uint256 rankRatioBps, uint256 toleranceBps) private {
        _bound("rankRatioBps", rankRatioBps, 1, _BPS);
        _bound("toleranceBps", toleranceBps, 1, MAX_TOLERANCE_BPS);
        Config storage c = _getRewardDistributorStorage()._config;
        c.rankRatioBps = uint16(rankRatioBps);
        c.toleranceBps = uint16(toleranceBps);
        emit ScoringParametersSet(rankRatioBps, toleranceBps);
    }

    /// @dev Reverts with `RewardParameterOutOfBounds(name, value)` unless low <= value <= high.
    function _bound(bytes32 name, uint256 value, uint256 low, uint256 high) private pure {
        if (value < low || value > high) revert RewardParameterOutOfBounds(name, value);
    }

    /// @dev Only the admin (the timelock, after the handover) upgrades the implementation.
    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _getRewardDistributorStorage() private pure returns (RewardDistributorStorage storage $) {
        assembly {
            $.slot := _REWARD_DISTRIBUTOR_STORAGE
        }
    }
}
