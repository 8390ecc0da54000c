// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IArenaSlasher} from "../../interfaces/IArenaSlasher.sol";
import {IArenaSubmissions} from "../../interfaces/IArenaSubmissions.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {IRewardDistributor} from "../../interfaces/IRewardDistributor.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";
import {Quorum} from "../utils/Quorum.sol";

/**
 * @title ArenaSlasher
 * @dev The AI Arena slasher: holds the registry's `SLASHER_ROLE` and slashes nodes and validators
 * for faults the chain proves (an unrevealed commitment, anyone) and for faults the oracles report
 * (a slash root with the reward distributor's oracle set, quorum and challenge window, and a veto).
 * See {IArenaSlasher} for the rules and docs/oracle.md for the oracle's side.
 *
 * Storage:
 *
 *     _params                 [ provableBps: 16 | reportedBps: 16 | keeperBps: 16 | burnBps: 16 |
 *                               deviationBps: 32 | deviationEpochs: 16 ] [ recipient ]
 *     _slashed[o]             o = keccak256(taskId, epoch, account, offence): done
 *     _reports[k]             k = keccak256(taskId, epoch): [ root ] [ reportHash ]
 *                             [ count: 64 | executableAt: 40 | round: 16 | status: 8 ]
 *     _posted                 DEPRECATED, neither read nor written (decision 151: ballots moved to
 *                             _votes); kept only so the storage layout does not move
 *     _votes[h]               the oracles' ballots ({Quorum}): h = keccak(k, round, set version) ->
 *                             who posted (bits); keccak(h, tuple) -> how many posted that tuple
 *
 * The oracle set is the reward distributor's: an oracle's seat (its ballot bit, the set's version
 * and quorum) is read there (`oracleSeat`), so a ballot names the set's version and the posts of a
 * replaced set no longer count, as there.
 */
contract ArenaSlasher is IArenaSlasher, AccessControlUpgradeable, ReentrancyGuardTransient, UUPSUpgradeable {
    using SafeERC20 for IFlockToken;

    /// @inheritdoc IArenaSlasher
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice Hard bounds on the governance parameters.
    uint256 public constant MAX_SLASH_BPS = 5_000;
    uint256 public constant MAX_DEVIATION_BPS = 50_000;
    uint256 public constant MAX_DEVIATION_EPOCHS = 30;

    uint256 private constant _BPS = 10_000;

    struct StoredParams {
        uint16 provableBps;
        uint16 reportedBps;
        uint16 keeperBps;
        uint16 burnBps;
        uint32 deviationBps;
        uint16 deviationEpochs;
        address recipient;
    }

    struct Record {
        bytes32 root;
        bytes32 reportHash;
        uint64 count;
        uint40 executableAt;
        uint16 round;
        Status status;
    }

    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    ITaskRegistry private immutable _registry;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IArenaSubmissions private immutable _submissions;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IRewardDistributor private immutable _rewards;
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IFlockToken private immutable _flock;

    /// @custom:storage-location erc7201:flock.storage.ArenaSlasher
    struct ArenaSlasherStorage {
        StoredParams _params;
        mapping(bytes32 offence => bool) _slashed;
        mapping(bytes32 key => Record) _reports;
        // DEPRECATED (decision 151): neither read nor written; the ballots are in `_votes`. Kept only
        // for the storage layout: never reuse, rename or remove it.
        mapping(bytes32 ballot => mapping(address oracle => bool)) _posted;
        mapping(bytes32 ballotOrTally => uint256) _votes;
    }

    // keccak256(abi.encode(uint256(keccak256("flock.storage.ArenaSlasher")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _ARENA_SLASHER_STORAGE =
        0xf428382c8388fd16321401abf2284300d13c59380add2c45b263cca1c7dbbf00;

    /**
     * @dev The implementation: the contracts it calls are its immutables (proxies, and FLOCK which
     * has none: fixed across upgrades); the proxy's state is set by {initialize}, and the
     * implementation itself can never be initialized.
     * @param registry_ the task registry; this contract needs its `SLASHER_ROLE`.
     * @param submissions_ the Arena submissions (commitments, reveals, schedules).
     * @param rewards_ the reward distributor (oracle set, quorum, challenge window).
     * @custom:oz-upgrades-unsafe-allow constructor
     */
    constructor(ITaskRegistry registry_, IArenaSubmissions submissions_, IRewardDistributor rewards_) {
        _registry = registry_;
        _submissions = submissions_;
        _rewards = rewards_;
        _flock = registry_.flock();
        _disableInitializers();
    }

    /**
     * @notice Sets the proxy's state, once, in the proxy's deployment.
     * @param admin receives `DEFAULT_ADMIN_ROLE` (the deployer until governance takes over).
     * @param params the initial governance parameters.
     */
    function initialize(address admin, Parameters calldata params) external initializer {
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setSlashParameters(params);
    }

    // ======================================================================= anyone

    /// @inheritdoc IArenaSlasher
    function slashUnrevealed(uint256 taskId, uint256 epoch, address account)
        external
        nonReentrant
        returns (uint256 gmAmount)
    {
        Offence offence;
        uint256 deadline;
        IArenaSubmissions.Schedule memory s = _submissions.schedule(epoch);
        (bytes32 committed, bytes32 revealed) = _submissions.modelOf(taskId, epoch, account);
        if (committed != bytes32(0) && revealed == bytes32(0)) {
            (offence, deadline) = (Offence.ModelNotRevealed, s.modelRevealEnd);
        } else {
            (committed, revealed) = _submissions.scoresOf(taskId, epoch, account);
            if (committed == bytes32(0) || revealed != bytes32(0)) {
                revert SlasherNothingUnrevealed(taskId, epoch, account);
            }
            (offence, deadline) = (Offence.ScoresNotRevealed, s.revealEnd);
        }
        if (block.timestamp < deadline) revert SlasherRevealStillOpen(taskId, epoch, account, deadline);
        gmAmount = _slash(taskId, epoch, account, offence, deadline);
    }

    /// @inheritdoc IArenaSlasher
    function executeSlash(
        uint256 taskId,
        uint256 epoch,
        uint256 index,
        address account,
        Offence offence,
        bytes32[] calldata proof
    ) external nonReentrant returns (uint256 gmAmount) {
        _requireLeaf(taskId, epoch, index, account, offence, proof);
        gmAmount = _slash(taskId, epoch, account, offence, _submissions.schedule(epoch).revealEnd);
    }

    /// @inheritdoc IArenaSlasher
    function routeSlashPot(uint256 taskId) external nonReentrant {
        uint256 amount = _registry.slashPot(taskId);
        if (amount == 0 || _registry.taskInfo(taskId).kind != ITaskRegistry.TaskKind.Arena) {
            revert SlasherNothingInPot(taskId);
        }
        address to = _getArenaSlasherStorage()._params.recipient;
        emit SlashPotRouted(taskId, to, amount);
        if (to != address(0)) {
            _registry.withdrawSlashPot(taskId, to, amount);
        } else {
            _registry.withdrawSlashPot(taskId, address(this), amount);
            _flock.burn(amount);
        }
    }

    // ======================================================================= oracles

    /// @inheritdoc IArenaSlasher
    function postSlashRoot(uint256 taskId, uint256 epoch, bytes32 root, uint256 count, bytes32 reportHash) external {
        if (!_rewards.isOracle(msg.sender)) revert SlasherNotOracle(msg.sender);
        if (root == bytes32(0) || count == 0) revert SlasherEmptyRoot();
        bytes32 key = _key(taskId, epoch);
        Record storage r = _getArenaSlasherStorage()._reports[key];
        Status status = r.status;
        if (status == Status.Accepted) revert SlasherRootAlreadyAccepted(taskId, epoch, r.root);
        if (status == Status.None) {
            uint256 revealEnd = _submissions.schedule(epoch).revealEnd;
            if (block.timestamp < revealEnd) revert SlasherTooEarly(taskId, epoch, revealEnd);
            if (_registry.taskInfo(taskId).kind != ITaskRegistry.TaskKind.Arena) revert SlasherNotArenaTask(taskId);
            r.status = Status.Open;
        }
        uint256 round = r.round;
        (uint256 votes, uint256 quorum) = _vote(taskId, epoch, round, abi.encode(root, count, reportHash));
        emit SlashRootPosted(taskId, epoch, msg.sender, root, count, reportHash, round, votes);
        if (votes == quorum) {
            (uint256 window,,) = _rewards.rewardParameters();
            uint256 executableAt = block.timestamp + window;
            _getArenaSlasherStorage()._reports[key] = Record(
                root, reportHash, SafeCast.toUint64(count), uint40(executableAt), uint16(round), Status.Accepted
            );
            emit SlashRootAccepted(taskId, epoch, root, count, reportHash, executableAt);
        }
    }

    // ======================================================================= guardian

    /// @inheritdoc IArenaSlasher
    function veto(uint256 taskId, uint256 epoch) external onlyRole(GUARDIAN_ROLE) {
        bytes32 key = _key(taskId, epoch);
        Record memory r = _getArenaSlasherStorage()._reports[key];
        if (!Quorum.vetoable(r.status == Status.Accepted, r.executableAt)) {
            revert SlasherNotVetoable(taskId, epoch, r.status, r.executableAt);
        }
        // The report starts over in a new round, open to the oracles' posts.
        delete _getArenaSlasherStorage()._reports[key];
        Record storage next = _getArenaSlasherStorage()._reports[key];
        (next.round, next.status) = (r.round + 1, Status.Open);
        emit SlashRootVetoed(taskId, epoch, r.root, msg.sender);
    }

    // ======================================================================= governance

    /// @inheritdoc IArenaSlasher
    function setSlashParameters(Parameters calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSlashParameters(params);
    }

    // ======================================================================= views

    /// @inheritdoc IArenaSlasher
    function slashParameters() external view returns (Parameters memory) {
        StoredParams memory p = _getArenaSlasherStorage()._params;
        return Parameters(
            p.provableBps, p.reportedBps, p.keeperBps, p.burnBps, p.recipient, p.deviationBps, p.deviationEpochs
        );
    }

    /// @inheritdoc IArenaSlasher
    function isSlashed(uint256 taskId, uint256 epoch, address account, Offence offence) external view returns (bool) {
        return _getArenaSlasherStorage()._slashed[_offenceKey(taskId, epoch, account, offence)];
    }

    /// @inheritdoc IArenaSlasher
    function reportOf(uint256 taskId, uint256 epoch) external view returns (Report memory) {
        Record memory r = _getArenaSlasherStorage()._reports[_key(taskId, epoch)];
        return Report(r.status, r.root, r.count, r.reportHash, r.executableAt, r.round);
    }

    /// @inheritdoc IArenaSlasher
    function registry() external view returns (ITaskRegistry) {
        return _registry;
    }

    /// @inheritdoc IArenaSlasher
    function submissions() external view returns (IArenaSubmissions) {
        return _submissions;
    }

    /// @inheritdoc IArenaSlasher
    function rewards() external view returns (IRewardDistributor) {
        return _rewards;
    }

    // ======================================================================= internals

    /// @dev An accepted slash root past its challenge window holds the leaf (index, account, offence)
    /// of a kind the oracles report.
    function _requireLeaf(
        uint256 taskId,
        uint256 epoch,
        uint256 index,
        address account,
        Offence offence,
        bytes32[] calldata proof
    ) private view {
        Record storage r = _getArenaSlasherStorage()._reports[_key(taskId, epoch)];
        Status status = r.status;
        uint256 executableAt = r.executableAt;
        if (status != Status.Accepted || block.timestamp < executableAt) {
            revert SlasherNotExecutable(taskId, epoch, status, executableAt);
        }
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(index, account, uint8(offence)))));
        if (offence < Offence.Deviation || index >= r.count || !MerkleProof.verifyCalldata(proof, r.root, leaf)) {
            revert SlasherInvalidLeaf(taskId, epoch, index, account, offence);
        }
    }

    /// @dev Slashes `account` for `offence`, once: `provableBps` (a missed reveal) or `reportedBps`
    /// (a reported fault) of its effective stake, the caller as keeper. The offence time `offenceAt`
    /// (which delegations share the loss) is the missed deadline, or the end of the epoch's reveal
    /// phase for a reported fault.
    function _slash(uint256 taskId, uint256 epoch, address account, Offence offence, uint256 offenceAt)
        private
        returns (uint256 gmAmount)
    {
        ArenaSlasherStorage storage $ = _getArenaSlasherStorage();
        bytes32 id = _offenceKey(taskId, epoch, account, offence);
        if ($._slashed[id]) revert SlasherAlreadySlashed(taskId, epoch, account, offence);
        $._slashed[id] = true;
        StoredParams memory p = $._params;
        (,, uint256 effective) = _registry.effectiveStake(taskId, account);
        gmAmount = (effective * (offence >= Offence.Deviation ? p.reportedBps : p.provableBps)) / _BPS;
        if (gmAmount == 0) revert SlasherNothingToSlash(taskId, account);
        (uint256 seized,) = _registry.slash(
            taskId,
            account,
            gmAmount,
            offenceAt,
            ITaskRegistry.SlashRoute(p.recipient, msg.sender, p.keeperBps, p.burnBps)
        );
        emit ArenaSlashed(taskId, epoch, account, offence, msg.sender, gmAmount, seized);
    }

    function _setSlashParameters(Parameters memory p) private {
        _bound("provableBps", p.provableBps, 1, MAX_SLASH_BPS);
        _bound("reportedBps", p.reportedBps, 1, MAX_SLASH_BPS);
        _bound("keeperBps", p.keeperBps, 0, _BPS);
        _bound("burnBps", p.burnBps, 0, _BPS - p.keeperBps);
        _bound("deviationBps", p.deviationBps, 1, MAX_DEVIATION_BPS);
        _bound("deviationEpochs", p.deviationEpochs, 1, MAX_DEVIATION_EPOCHS);
        _getArenaSlasherStorage()._params = StoredParams(
            uint16(p.provableBps),
            uint16(p.reportedBps),
            uint16(p.keeperBps),
            uint16(p.burnBps),
            uint32(p.deviationBps),
            uint16(p.deviationEpochs),
            p.recipient
        );
        emit SlashParametersSet(
            p.provableBps, p.reportedBps, p.keeperBps, p.burnBps, p.recipient, p.deviationBps, p.deviationEpochs
        );
    }

    /// @dev Reverts with `SlasherParameterOutOfBounds(name, value)` unless low <= value <= high.
    function _bound(bytes32 name, uint256 value, uint256 low, uint256 high) private pure {
        if (value < low || value > high) revert SlasherParameterOutOfBounds(name, value);
    }

    /// @dev Counts the caller's post of `tuple` (a slash root's fields, ABI-encoded) in round `round`
    /// of the report under the reward distributor's oracle set ({Quorum}); returns how many oracles
    /// posted the same tuple there and the quorum.
    function _vote(uint256 taskId, uint256 epoch, uint256 round, bytes memory tuple)
        private
        returns (uint256 votes, uint256 quorum)
    {
        uint256 index;
        uint256 setVersion;
        (, index, setVersion, quorum) = _rewards.oracleSeat(msg.sender);
        bytes32 ballot = Quorum.ballot(uint256(_key(taskId, epoch)), round, setVersion);
        votes = Quorum.vote(_getArenaSlasherStorage()._votes, ballot, index, tuple, quorum);
        if (votes == 0) revert SlasherAlreadyPosted(taskId, epoch, msg.sender);
    }

    function _offenceKey(uint256 taskId, uint256 epoch, address account, Offence offence)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(taskId, epoch, account, offence));
    }

    function _key(uint256 taskId, uint256 epoch) private pure returns (bytes32) {
        return keccak256(abi.encode(taskId, epoch));
    }

    /// @dev Only the admin (the timelock, after the handover) upgrades the implementation.
    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _getArenaSlasherStorage() private pure returns (ArenaSlasherStorage storage $) {
        assembly {
            $.slot := _ARENA_SLASHER_STORAGE
        }
    }
}
