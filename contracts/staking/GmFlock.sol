// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {IGmFlock} from "../../interfaces/IGmFlock.sol";
import {PackedCheckpoints} from "../utils/PackedCheckpoints.sol";
import {SlashScale} from "../utils/SlashScale.sol";

/**
 * @title GmFlock (gmFLOCK)
 * @dev Locked FLOCK as non-transferable, slashable voting power. See {IGmFlock} for the user-facing
 * behaviour; this comment explains the storage and the slashing arithmetic. docs/gmflock.md has the
 * formulas with a worked example.
 *
 * Storage, per account (a new account's first lock writes three fresh slots: the account, the lock
 * record and the vote checkpoint head):
 *
 *     _accounts[a]   [ balance: 96 | locked: 96 | nextLockId: 32 | activeLocks: 32 ]   every lock
 *     _risks[a]      [ allocated: 96 | slashEpoch: 24 | firstValidLock: 32 ]          read on lock,
 *                                                                                      written by the
 *                                                                                      registry/slasher
 *     _locks[a][id]  [ amount: 96 | gm: 96 | end: 40 | epoch: 24 ]                     one slot a lock
 *     _votes[a]      PackedCheckpoints head: the first checkpoint is one slot
 *     _delegatee[a]  written only by an explicit delegate(); zero means "self"
 *
 * 96 bits hold 7.9e28 wei: FLOCK is capped at 1e27 and the boost at 1 + MAX_BOOST_EPSILON = 6x,
 * so no balance, lock or total can reach it (SafeCast guards the casts anyway).
 *
 * Slashing in O(1). Each account has a scale S (1e36 = untouched) per "slash epoch"; every slash
 * of x out of a balance B starts a new epoch with S' = floor(S * (B - x) / B), and a lock created
 * in epoch e is worth `stored * S(now) / S(e)`. The account totals are exact: `balance` drops by
 * exactly x and `locked` (the FLOCK owed) to ceil(locked * (B - x) / B); the slasher receives the
 * difference, rounded down. Because every scale and every per-lock value rounds down while the
 * totals round up, the locks of an account are never worth more than its totals, and the totals
 * never exceed what the contract holds: the account's last active lock takes whatever remains, so
 * no dust is stranded either. If a slash would leave S below 1e18 (less than 1e-18 of the stake),
 * the existing locks are voided instead and the remainder stays in the account's totals, to be
 * paid out with the account's next lock.
 *
 * Votes: an account votes with its own balance until it delegates elsewhere (no delegate slot is
 * written for that implied self-delegation); `delegates(a)` reports it.
 */
contract GmFlock is
    IGmFlock,
    AccessControlUpgradeable,
    EIP712Upgradeable,
    NoncesUpgradeable,
    ReentrancyGuardTransient,
    UUPSUpgradeable
{
    using PackedCheckpoints for PackedCheckpoints.Trace;
    using SafeERC20 for IFlockToken;

    /// @notice Role of the task registry: allocates and releases stake.
    bytes32 public constant STAKE_MANAGER_ROLE = keccak256("STAKE_MANAGER_ROLE");
    /// @notice Role of the contracts that punish misbehaviour: slashes allocated stake.
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice Role of the contracts that pay FLOCK out as locks (`lockFor`): the FL Alliance rounds.
    bytes32 public constant LOCKER_ROLE = keccak256("LOCKER_ROLE");

    /// @notice Hard bounds on the governance parameters.
    uint256 public constant MAX_BOOST_EPSILON = 5e18;
    uint256 public constant MIN_LOCK_DURATION_BOUND = 1 days;
    uint256 public constant MAX_LOCK_DURATION_BOUND = 4 * 365 days;
    uint256 public constant MAX_WITHDRAWAL_FEE_BPS = 2_000;

    bytes32 private constant _DELEGATION_TYPEHASH =
        keccak256("Delegation(address delegatee,uint256 nonce,uint256 expiry)");
    uint256 private constant _MIN_SCALE = 1e18;
    uint256 private constant _BPS = 10_000;

    struct Account {
        uint96 balance; // gmFLOCK
        uint96 locked; // FLOCK owed across all locks
        uint32 nextLockId;
        uint32 activeLocks;
    }

    struct Risk {
        uint96 allocated; // gmFLOCK allocated to tasks
        uint24 slashEpoch;
        uint32 firstValidLock; // locks with a lower id were voided by a wipe-out slash
    }

    struct Lock {
        uint96 amount; // FLOCK, valued at `epoch`'s scale
        uint96 gm; // gmFLOCK, valued at `epoch`'s scale
        uint40 end;
        uint24 epoch;
    }

    struct Params {
        uint64 boostEpsilon; // eps, 1e18 = 1
        uint32 boostFloor; // t0, seconds
        uint32 boostHorizon; // t1, seconds
        uint32 minLockDuration;
        uint32 maxLockDuration;
        uint16 withdrawalFeeBps;
    }

    /// @dev FLOCK is immutable (no proxy), so its address is fixed across upgrades (decision 88).
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IFlockToken private immutable _flock;

    /// @custom:storage-location erc7201:flock.storage.GmFlock
    struct GmFlockStorage {
        mapping(address account => Account) _accounts;
        mapping(address account => Risk) _risks;
        mapping(address account => mapping(uint256 lockId => Lock)) _locks;
        /// @dev SCALE_ONE minus the scale of an epoch, so that an epoch never slashed reads as zero.
        mapping(address account => mapping(uint256 epoch => uint256)) _scaleLoss;
        mapping(address account => address) _delegatee;
        mapping(address delegatee => PackedCheckpoints.Trace) _votes;
        PackedCheckpoints.Trace _supply;
        Params _params;
        address _feeRecipient;
    }

    // keccak256(abi.encode(uint256(keccak256("flock.storage.GmFlock")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _GM_FLOCK_STORAGE = 0xaec7ec358fc8b10d05075542a34ebe80064e1c8d7680dbf5ece8e86718800f00;

    /**
     * @dev The implementation: FLOCK's address is its only setting (an immutable, fixed across
     * upgrades); the proxy's state is set by {initialize}, and the implementation itself can never
     * be initialized.
     * @param flock_ the FLOCK token.
     * @custom:oz-upgrades-unsafe-allow constructor
     */
    constructor(IFlockToken flock_) {
        _flock = flock_;
        _disableInitializers();
    }

    /**
     * @notice Sets the proxy's state, once, in the proxy's deployment.
     * @param admin receives `DEFAULT_ADMIN_ROLE` (the deployer until governance takes over).
     * @param boostFloor t0, in seconds: locks up to this long get no boost.
     * @param boostHorizon t1, in seconds: the boost stops growing here.
     * @param boostEpsilon eps, scaled by 1e18: the boost at t1 is 1 + eps * (t1 - t0) / t1.
     * @param minLockDuration shortest lock, in seconds.
     * @param maxLockDuration longest lock, in seconds.
     * @param withdrawalFeeBps fee withheld at unlock, in basis points.
     * @param feeRecipient receives the fee; zero burns it.
     */
    function initialize(
        address admin,
        uint256 boostFloor,
        uint256 boostHorizon,
        uint256 boostEpsilon,
        uint256 minLockDuration,
        uint256 maxLockDuration,
        uint256 withdrawalFeeBps,
        address feeRecipient
    ) external initializer {
        __AccessControl_init();
        __EIP712_init("gmFLOCK", "1");
        __Nonces_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setBoostParameters(boostFloor, boostHorizon, boostEpsilon);
        _setLockDurationBounds(minLockDuration, maxLockDuration);
        _setWithdrawalFee(withdrawalFeeBps, feeRecipient);
    }

    // ======================================================================= locking (users)

    /// @inheritdoc IGmFlock
    function lock(uint256 amount, uint256 duration) external nonReentrant returns (uint256 lockId) {
        return _lock(msg.sender, amount, duration);
    }

    /// @inheritdoc IGmFlock
    function lockFor(address account, uint256 amount)
        external
        onlyRole(LOCKER_ROLE)
        nonReentrant
        returns (uint256 lockId)
    {
        lockId = _lock(account, amount, _getGmFlockStorage()._params.maxLockDuration);
        emit LockedFor(account, lockId, msg.sender);
    }

    /// @inheritdoc IGmFlock
    function lockWithPermit(uint256 amount, uint256 duration, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
        returns (uint256 lockId)
    {
        // A front-runner may spend the permit first; the allowance is then in place anyway, so a
        // failed permit is not an error (OpenZeppelin's recommended pattern).
        try IERC20Permit(address(_flock)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        return _lock(msg.sender, amount, duration);
    }

    /// @inheritdoc IGmFlock
    function unlock(uint256 lockId) external nonReentrant returns (uint256 amount) {
        GmFlockStorage storage $ = _getGmFlockStorage();
        address account = msg.sender;
        Lock memory l = $._locks[account][lockId];
        Risk memory risk = $._risks[account];
        if (l.end == 0 || lockId < risk.firstValidLock) revert GmFlockUnknownLock(account, lockId);
        if (block.timestamp < l.end) revert GmFlockLockNotExpired(lockId, l.end);

        Account memory acc = $._accounts[account];
        uint256 gm;
        if (acc.activeLocks == 1) {
            // The last lock takes everything left, rounding dust included.
            (amount, gm) = (acc.locked, acc.balance);
        } else {
            (amount, gm) = _currentValue(account, l, risk.slashEpoch);
        }
        uint256 balanceAfter = acc.balance - gm;
        if (balanceAfter < risk.allocated) revert GmFlockStakeAllocated(account, balanceAfter, risk.allocated);

        acc.balance = uint96(balanceAfter);
        acc.locked -= uint96(amount);
        acc.activeLocks -= 1;
        $._accounts[account] = acc;
        delete $._locks[account][lockId];
        _burnVotes(account, gm);

        Params memory p = $._params;
        uint256 fee = (amount * p.withdrawalFeeBps) / _BPS;
        emit Transfer(account, address(0), gm);
        emit Unlocked(account, lockId, amount, fee, gm);

        amount -= fee;
        if (amount != 0) _flock.safeTransfer(account, amount);
        if (fee != 0) _payFee(fee);
    }

    /// @inheritdoc IGmFlock
    function extend(uint256 lockId, uint256 duration) external nonReentrant returns (uint256 gm) {
        GmFlockStorage storage $ = _getGmFlockStorage();
        address account = msg.sender;
        Lock memory l = $._locks[account][lockId];
        Risk memory risk = $._risks[account];
        if (l.end == 0 || lockId < risk.firstValidLock) revert GmFlockUnknownLock(account, lockId);
        Params memory p = $._params;
        _checkDuration(p, duration);
        uint256 newEnd = block.timestamp + duration;
        if (newEnd <= l.end) revert GmFlockExtensionTooShort(lockId, l.end, newEnd);

        // Re-base the lock at the current epoch, then re-boost from the duration it now has left:
        // the boost follows the commitment, up or down (an expired 365-day lock renewed for 7 days
        // is a 7-day lock). Allocated gmFLOCK cannot be burned this way.
        (uint256 amount, uint256 currentGm) = _currentValue(account, l, risk.slashEpoch);
        gm = (amount * _boost(p, duration)) / 1e18;
        $._locks[account][lockId] = Lock(uint96(amount), SafeCast.toUint96(gm), uint40(newEnd), risk.slashEpoch);
        uint256 added;
        if (gm > currentGm) {
            added = gm - currentGm;
            $._accounts[account].balance += SafeCast.toUint96(added);
            _mintVotes(account, added);
            emit Transfer(address(0), account, added);
        } else if (gm < currentGm) {
            uint256 removed = currentGm - gm;
            uint256 balanceAfter = $._accounts[account].balance - removed;
            if (balanceAfter < risk.allocated) revert GmFlockStakeAllocated(account, balanceAfter, risk.allocated);
            $._accounts[account].balance = uint96(balanceAfter);
            _burnVotes(account, removed);
            emit Transfer(account, address(0), removed);
        }
        emit Extended(account, lockId, uint64(newEnd), gm, added);
    }

    /// @inheritdoc IGmFlock
    function kick(address account, uint256 lockId) external nonReentrant returns (uint256 removed) {
        GmFlockStorage storage $ = _getGmFlockStorage();
        Lock memory l = $._locks[account][lockId];
        Risk memory risk = $._risks[account];
        if (l.end == 0 || lockId < risk.firstValidLock) revert GmFlockUnknownLock(account, lockId);
        if (block.timestamp < l.end) revert GmFlockLockNotExpired(lockId, l.end);
        Account memory acc = $._accounts[account];
        (uint256 amount, uint256 gm) = acc.activeLocks == 1
            ? (uint256(acc.locked), uint256(acc.balance))
            : _currentValue(account, l, risk.slashEpoch);
        // Only the boost (gm above the unboosted 1x) and only what no task holds: allocated stake
        // stays where the registry counts it (INV-04) and is kickable once released.
        uint256 boostGm = gm > amount ? gm - amount : 0;
        removed = Math.min(boostGm, acc.balance - risk.allocated);
        if (removed == 0) revert GmFlockNothingToKick(account, lockId, boostGm, acc.balance - risk.allocated);
        gm -= removed;
        $._locks[account][lockId] = Lock(uint96(amount), uint96(gm), l.end, risk.slashEpoch);
        $._accounts[account].balance = acc.balance - uint96(removed);
        _burnVotes(account, removed);
        emit Transfer(account, address(0), removed);
        emit Kicked(account, lockId, msg.sender, removed, gm);
    }

    // ======================================================================= stake at risk (roles)

    /// @inheritdoc IGmFlock
    function allocate(address account, uint256 amount) external onlyRole(STAKE_MANAGER_ROLE) {
        GmFlockStorage storage $ = _getGmFlockStorage();
        if (amount == 0) revert GmFlockZeroAmount();
        Risk memory risk = $._risks[account];
        uint256 available = $._accounts[account].balance - risk.allocated;
        if (amount > available) revert GmFlockInsufficientUnallocated(account, amount, available);
        risk.allocated += uint96(amount);
        $._risks[account] = risk;
        emit Allocated(account, amount, risk.allocated);
    }

    /// @inheritdoc IGmFlock
    function release(address account, uint256 amount) external onlyRole(STAKE_MANAGER_ROLE) {
        GmFlockStorage storage $ = _getGmFlockStorage();
        if (amount == 0) revert GmFlockZeroAmount();
        Risk memory risk = $._risks[account];
        if (amount > risk.allocated) revert GmFlockExceedsAllocation(account, amount, risk.allocated);
        risk.allocated -= uint96(amount);
        $._risks[account] = risk;
        emit Released(account, amount, risk.allocated);
    }

    /// @inheritdoc IGmFlock
    function slash(address account, uint256 gmAmount, address to)
        external
        onlyRole(SLASHER_ROLE)
        nonReentrant
        returns (uint256 flock_)
    {
        GmFlockStorage storage $ = _getGmFlockStorage();
        if (gmAmount == 0) revert GmFlockZeroAmount();
        Risk memory risk = $._risks[account];
        if (gmAmount > risk.allocated) revert GmFlockExceedsAllocation(account, gmAmount, risk.allocated);

        Account memory acc = $._accounts[account];
        uint256 balance = acc.balance; // >= allocated >= gmAmount > 0
        uint256 remaining = balance - gmAmount;
        uint256 nextScale = SlashScale.shrink(_scale(account, risk.slashEpoch), remaining, balance);
        if (nextScale < _MIN_SCALE || risk.slashEpoch == type(uint24).max) {
            // Wipe-out (or an epoch counter at its end): void every existing lock. What remains of
            // the totals stays with the account and is paid out with its next lock.
            risk.firstValidLock = acc.nextLockId;
            risk.slashEpoch = 0;
            delete $._scaleLoss[account][0];
            acc.activeLocks = 0;
        } else {
            risk.slashEpoch += 1;
            $._scaleLoss[account][risk.slashEpoch] = SlashScale.ONE - nextScale;
        }
        uint256 lockedAfter = SlashScale.remainingCeil(acc.locked, remaining, balance);
        flock_ = acc.locked - lockedAfter;
        acc.balance = uint96(remaining);
        acc.locked = uint96(lockedAfter);
        risk.allocated -= uint96(gmAmount);
        $._accounts[account] = acc;
        $._risks[account] = risk;
        _burnVotes(account, gmAmount);

        emit Transfer(account, address(0), gmAmount);
        emit Slashed(account, msg.sender, gmAmount, flock_, to);
        if (flock_ != 0) {
            if (to == address(0)) {
                _flock.burn(flock_);
            } else {
                _flock.safeTransfer(to, flock_);
            }
        }
    }

    // ======================================================================= governance

    /// @inheritdoc IGmFlock
    function setBoostParameters(uint256 boostFloor, uint256 boostHorizon, uint256 boostEpsilon)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setBoostParameters(boostFloor, boostHorizon, boostEpsilon);
    }

    /// @inheritdoc IGmFlock
    function setLockDurationBounds(uint256 minDuration, uint256 maxDuration) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setLockDurationBounds(minDuration, maxDuration);
    }

    /// @inheritdoc IGmFlock
    function setWithdrawalFee(uint256 feeBps, address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setWithdrawalFee(feeBps, recipient);
    }

    // ======================================================================= votes (ERC-5805)

    /// @notice The current timepoint: block.timestamp (ERC-6372).
    function clock() public view returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice ERC-6372 clock description: votes are checkpointed by timestamp.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() external pure returns (string memory) {
        return "mode=timestamp";
    }

    /// @notice Current votes of `account`.
    function getVotes(address account) external view returns (uint256) {
        return _getGmFlockStorage()._votes[account].latest();
    }

    /// @notice Votes of `account` at a past `timepoint`.
    function getPastVotes(address account, uint256 timepoint) external view returns (uint256) {
        return _getGmFlockStorage()._votes[account].upperLookupRecent(_pastTimepoint(timepoint));
    }

    /// @notice gmFLOCK supply at a past `timepoint`.
    function getPastTotalSupply(uint256 timepoint) external view returns (uint256) {
        return _getGmFlockStorage()._supply.upperLookupRecent(_pastTimepoint(timepoint));
    }

    /// @notice The account `account` votes through: itself unless it delegated elsewhere.
    function delegates(address account) public view returns (address) {
        address delegatee = _getGmFlockStorage()._delegatee[account];
        return delegatee == address(0) ? account : delegatee;
    }

    /// @notice Delegates the caller's votes to `delegatee` (not zero; yourself to take them back).
    function delegate(address delegatee) external {
        _delegate(msg.sender, delegatee);
    }

    /// @notice Delegates by an EIP-712 signature of `Delegation(delegatee, nonce, expiry)`.
    function delegateBySig(address delegatee, uint256 nonce, uint256 expiry, uint8 v, bytes32 r, bytes32 s) external {
        if (block.timestamp > expiry) revert VotesExpiredSignature(expiry);
        bytes32 structHash = keccak256(abi.encode(_DELEGATION_TYPEHASH, delegatee, nonce, expiry));
        address signer = ECDSA.recover(_hashTypedDataV4(structHash), v, r, s);
        _useCheckedNonce(signer, nonce);
        _delegate(signer, delegatee);
    }

    /// @inheritdoc IGmFlock
    function nonces(address owner) public view override(IGmFlock, NoncesUpgradeable) returns (uint256) {
        return super.nonces(owner);
    }

    /// @inheritdoc IGmFlock
    function numCheckpoints(address account) external view returns (uint256) {
        return _getGmFlockStorage()._votes[account].length();
    }

    /// @inheritdoc IGmFlock
    function checkpoints(address account, uint256 pos) external view returns (uint48 timepoint, uint256 votes) {
        return _getGmFlockStorage()._votes[account].at(pos);
    }

    // ======================================================================= ERC-20 surface

    /// @notice Token name.
    function name() external pure returns (string memory) {
        return "gmFLOCK";
    }

    /// @notice Token symbol.
    function symbol() external pure returns (string memory) {
        return "gmFLOCK";
    }

    /// @notice Decimals, as FLOCK.
    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// @notice Total gmFLOCK.
    function totalSupply() external view returns (uint256) {
        return _getGmFlockStorage()._supply.latest();
    }

    /// @notice gmFLOCK of `account`.
    function balanceOf(address account) external view returns (uint256) {
        return _getGmFlockStorage()._accounts[account].balance;
    }

    /// @notice Always zero: gmFLOCK cannot be approved.
    function allowance(address, address) external pure returns (uint256) {
        return 0;
    }

    /// @notice Always reverts with `GmFlockNonTransferable`.
    function transfer(address, uint256) external pure returns (bool) {
        revert GmFlockNonTransferable();
    }

    /// @notice Always reverts with `GmFlockNonTransferable`.
    function transferFrom(address, address, uint256) external pure returns (bool) {
        revert GmFlockNonTransferable();
    }

    /// @notice Always reverts with `GmFlockNonTransferable`.
    function approve(address, uint256) external pure returns (bool) {
        revert GmFlockNonTransferable();
    }

    // ======================================================================= views

    /// @inheritdoc IGmFlock
    function flock() external view returns (IFlockToken) {
        return _flock;
    }

    /// @inheritdoc IGmFlock
    function boost(uint256 duration) external view returns (uint256) {
        return _boost(_getGmFlockStorage()._params, duration);
    }

    /// @inheritdoc IGmFlock
    function previewLock(uint256 amount, uint256 duration) external view returns (uint256) {
        Params memory p = _getGmFlockStorage()._params;
        _checkDuration(p, duration);
        return (amount * _boost(p, duration)) / 1e18;
    }

    /// @inheritdoc IGmFlock
    function boostParameters() external view returns (uint256 boostFloor, uint256 boostHorizon, uint256 boostEpsilon) {
        Params memory p = _getGmFlockStorage()._params;
        return (p.boostFloor, p.boostHorizon, p.boostEpsilon);
    }

    /// @inheritdoc IGmFlock
    function lockDurationBounds() external view returns (uint256 minDuration, uint256 maxDuration) {
        Params memory p = _getGmFlockStorage()._params;
        return (p.minLockDuration, p.maxLockDuration);
    }

    /// @inheritdoc IGmFlock
    function withdrawalFee() external view returns (uint256 feeBps, address recipient) {
        GmFlockStorage storage $ = _getGmFlockStorage();
        return ($._params.withdrawalFeeBps, $._feeRecipient);
    }

    /// @inheritdoc IGmFlock
    function lockedOf(address account) external view returns (uint256) {
        return _getGmFlockStorage()._accounts[account].locked;
    }

    /// @inheritdoc IGmFlock
    function allocatedOf(address account) external view returns (uint256) {
        return _getGmFlockStorage()._risks[account].allocated;
    }

    /// @inheritdoc IGmFlock
    function lockCount(address account) external view returns (uint256) {
        return _getGmFlockStorage()._accounts[account].nextLockId;
    }

    /// @inheritdoc IGmFlock
    function activeLockCount(address account) external view returns (uint256) {
        return _getGmFlockStorage()._accounts[account].activeLocks;
    }

    /// @inheritdoc IGmFlock
    function lockInfo(address account, uint256 lockId) public view returns (LockInfo memory info) {
        GmFlockStorage storage $ = _getGmFlockStorage();
        info.id = lockId;
        Lock memory l = $._locks[account][lockId];
        Risk memory risk = $._risks[account];
        Account memory acc = $._accounts[account];
        if (lockId >= acc.nextLockId) return info; // LockStatus.None
        if (l.end == 0) {
            info.status = LockStatus.Unlocked;
            return info;
        }
        info.end = l.end;
        if (lockId < risk.firstValidLock) {
            info.status = LockStatus.Voided;
            return info;
        }
        info.status = LockStatus.Active;
        if (acc.activeLocks == 1) {
            (info.amount, info.gm) = (acc.locked, acc.balance);
        } else {
            (info.amount, info.gm) = _currentValue(account, l, risk.slashEpoch);
        }
    }

    /// @inheritdoc IGmFlock
    function locksOf(address account, uint256 offset, uint256 limit) external view returns (LockInfo[] memory page) {
        uint256 count = _getGmFlockStorage()._accounts[account].nextLockId;
        uint256 end = offset >= count ? offset : Math.min(count, offset + limit);
        page = new LockInfo[](end - offset);
        for (uint256 i = 0; i < page.length; ++i) {
            page[i] = lockInfo(account, offset + i);
        }
    }

    // ======================================================================= upgrades

    /// @dev Only the admin (the timelock, after the handover) upgrades the implementation.
    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}

    // ======================================================================= internals

    /// @dev Locks the caller's FLOCK for `account` (the caller itself, but for `lockFor`): the FLOCK
    /// is always pulled from `msg.sender`, so no path can pull FLOCK from an account other than the
    /// one that called (whatever allowance it gave this contract).
    function _lock(address account, uint256 amount, uint256 duration) private returns (uint256 lockId) {
        GmFlockStorage storage $ = _getGmFlockStorage();
        if (amount == 0) revert GmFlockZeroAmount();
        if (amount > type(uint96).max) revert GmFlockAmountTooLarge(amount);
        Params memory p = $._params;
        _checkDuration(p, duration);
        uint256 gm = (amount * _boost(p, duration)) / 1e18;
        uint256 end = block.timestamp + duration;

        Account memory acc = $._accounts[account];
        lockId = acc.nextLockId;
        acc.nextLockId += 1;
        acc.activeLocks += 1;
        acc.balance += SafeCast.toUint96(gm);
        acc.locked += uint96(amount);
        $._accounts[account] = acc;
        $._locks[account][lockId] = Lock(uint96(amount), uint96(gm), uint40(end), $._risks[account].slashEpoch);

        if (lockId == 0 && $._delegatee[account] == address(0)) {
            // First lock ever: announce the implied self-delegation for indexers.
            emit DelegateChanged(account, address(0), account);
        }
        _mintVotes(account, gm);
        emit Transfer(address(0), account, gm);
        emit Locked(account, lockId, amount, gm, uint64(end));

        _flock.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev A lock's current FLOCK and gmFLOCK: its stored values scaled from its epoch to now.
    function _currentValue(address account, Lock memory l, uint256 epochNow)
        private
        view
        returns (uint256 amount, uint256 gm)
    {
        if (l.epoch == epochNow) return (l.amount, l.gm);
        uint256 scaleNow = _scale(account, epochNow);
        uint256 scaleThen = _scale(account, l.epoch);
        return (SlashScale.rebase(l.amount, scaleNow, scaleThen), SlashScale.rebase(l.gm, scaleNow, scaleThen));
    }

    function _scale(address account, uint256 epoch) private view returns (uint256) {
        return SlashScale.ONE - _getGmFlockStorage()._scaleLoss[account][epoch];
    }

    function _boost(Params memory p, uint256 duration) private pure returns (uint256) {
        if (duration <= p.boostFloor) return 1e18;
        uint256 capped = Math.min(duration, p.boostHorizon);
        return 1e18 + (uint256(p.boostEpsilon) * (capped - p.boostFloor)) / p.boostHorizon;
    }

    function _checkDuration(Params memory p, uint256 duration) private pure {
        if (duration < p.minLockDuration || duration > p.maxLockDuration) {
            revert GmFlockInvalidDuration(duration, p.minLockDuration, p.maxLockDuration);
        }
    }

    function _payFee(uint256 fee) private {
        address recipient = _getGmFlockStorage()._feeRecipient;
        if (recipient == address(0)) {
            _flock.burn(fee);
        } else {
            _flock.safeTransfer(recipient, fee);
        }
    }

    function _mintVotes(address account, uint256 amount) private {
        _moveVotes(address(0), delegates(account), amount);
    }

    function _burnVotes(address account, uint256 amount) private {
        _moveVotes(delegates(account), address(0), amount);
    }

    function _delegate(address account, address delegatee) private {
        GmFlockStorage storage $ = _getGmFlockStorage();
        if (delegatee == address(0)) revert GmFlockZeroDelegate();
        address previous = delegates(account);
        $._delegatee[account] = delegatee;
        emit DelegateChanged(account, previous, delegatee);
        _moveVotes(previous, delegatee, $._accounts[account].balance);
    }

    /// @dev The one path votes move by (OpenZeppelin's `Votes._moveDelegateVotes` with the supply
    /// update of `_transferVotingUnits`): `amount` votes leave delegate `from` and reach delegate
    /// `to` at the current timepoint; `from` zero mints them (the supply grows), `to` zero burns
    /// them (the supply shrinks).
    function _moveVotes(address from, address to, uint256 amount) private {
        if (from == to || amount == 0) return;
        GmFlockStorage storage $ = _getGmFlockStorage();
        uint48 now_ = clock();
        uint256 oldVotes;
        uint256 newVotes;
        if (from == address(0)) {
            $._supply.add(now_, amount);
        } else {
            (oldVotes, newVotes) = $._votes[from].sub(now_, amount);
            emit DelegateVotesChanged(from, oldVotes, newVotes);
        }
        if (to == address(0)) {
            $._supply.sub(now_, amount);
        } else {
            (oldVotes, newVotes) = $._votes[to].add(now_, amount);
            emit DelegateVotesChanged(to, oldVotes, newVotes);
        }
    }

    function _pastTimepoint(uint256 timepoint) private view returns (uint48) {
        uint48 now_ = clock();
        if (timepoint >= now_) revert GmFlockFutureLookup(timepoint, now_);
        return uint48(timepoint);
    }

    function _setBoostParameters(uint256 boostFloor, uint256 boostHorizon, uint256 boostEpsilon) private {
        if (boostHorizon == 0 || boostHorizon > MAX_LOCK_DURATION_BOUND) {
            revert GmFlockParameterOutOfBounds("boostHorizon", boostHorizon);
        }
        if (boostFloor >= boostHorizon) revert GmFlockParameterOutOfBounds("boostFloor", boostFloor);
        if (boostEpsilon > MAX_BOOST_EPSILON) revert GmFlockParameterOutOfBounds("boostEpsilon", boostEpsilon);
        Params storage p = _getGmFlockStorage()._params;
        p.boostFloor = uint32(boostFloor);
        p.boostHorizon = uint32(boostHorizon);
        p.boostEpsilon = uint64(boostEpsilon);
        emit BoostParametersSet(boostFloor, boostHorizon, boostEpsilon);
    }

    function _setLockDurationBounds(uint256 minDuration, uint256 maxDuration) private {
        if (minDuration < MIN_LOCK_DURATION_BOUND) revert GmFlockParameterOutOfBounds("minLockDuration", minDuration);
        if (maxDuration < minDuration || maxDuration > MAX_LOCK_DURATION_BOUND) {
            revert GmFlockParameterOutOfBounds("maxLockDuration", maxDuration);
        }
        Params storage p = _getGmFlockStorage()._params;
        p.minLockDuration = uint32(minDuration);
        p.maxLockDuration = uint32(maxDuration);
        emit LockDurationBoundsSet(minDuration, maxDuration);
    }

    function _setWithdrawalFee(uint256 feeBps, address recipient) private {
        GmFlockStorage storage $ = _getGmFlockStorage();
        if (feeBps > MAX_WITHDRAWAL_FEE_BPS) revert GmFlockParameterOutOfBounds("withdrawalFeeBps", feeBps);
        $._params.withdrawalFeeBps = uint16(feeBps);
        $._feeRecipient = recipient;
        emit WithdrawalFeeSet(feeBps, recipient);
    }

    function _getGmFlockStorage() private pure returns (GmFlockStorage storage $) {
        assembly {
            $.slot := _GM_FLOCK_STORAGE
        }
    }
}
