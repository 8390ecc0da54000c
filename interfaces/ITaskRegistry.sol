// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEmissionController} from "./IEmissionController.sol";
import {IFlockToken} from "./IFlockToken.sol";
import {IGmFlock} from "./IGmFlock.sol";

/**
 * @title ITaskRegistry
 * @notice AI Arena and FL Alliance tasks: creation, approval for emissions, role staking,
 * delegation, slashing and the release of stake after the dispute window.
 *
 * Tasks. Anyone creates a task with a spec (URI + hash: dataset, base model, evaluation, parameters)
 * and a duration up to `maxTaskDuration`, allocating a creator stake of `creatorStakePerDay` x days.
 * Only governance (`DEFAULT_ADMIN_ROLE`, the timelock) approves a task for emissions or cancels it.
 * A task is active from creation until its end (or its cancellation); anyone records the end with
 * `endTask` once it has passed.
 *
 * Roles. In an Arena task an account joins as a training node or a validator; in an Alliance task
 * as a participant (at most the task's `maxParticipants` at a time: a participant evicted by the
 * round contract (`vacate`) or released frees its slot). Each role has a minimum stake set by
 * governance. An account holds at most one role in a task, delegation included. Stake is gmFLOCK
 * allocated in {IGmFlock}: it keeps its votes but cannot be unlocked.
 *
 * Delegation (Arena). A delegator allocates gmFLOCK to a node or validator of the task; it counts
 * in the operator's effective stake (own + delegated) and is slashed with it. The operator's sigma
 * (the share of delegation-earned reward it keeps, in basis points) lies within governance bounds,
 * changes at most once a day and is frozen from `sigmaFreeze` before the task's end. `undelegate`
 * stops a delegation counting at once; its stake stays slashable in the pool and is released after
 * max(undelegation cooldown, dispute window).
 *
 * Slashing without loops over delegators. Each operator's delegations form a pool: slashing the
 * operator by x for an offence at time t takes x x own / (own + pool) from the operator's gmFLOCK
 * at once and records, in O(1), the fraction the rest leaves of the pool. Every delegation at
 * risk for that offence (made before t, and still counting at t: not undelegated before it) loses
 * that fraction; a delegation made after the offence, or undelegated before it, loses nothing.
 * The loss reaches a delegator's gmFLOCK when anyone calls `sync` (a keeper share of the seized
 * FLOCK rewards third parties), and always before the delegator's stake moves. Until then the
 * delegator's gmFLOCK (and votes) still include the loss (`delegationOf` shows the value), and
 * docs/tasks.md explains why the overstatement is bounded and short-lived.
 *
 * Release. No stake leaves before its task's end plus the task's dispute window (fixed at
 * creation); a delegation that exits early leaves `max(cooldown, dispute window)` after its exit.
 */
interface ITaskRegistry {
    enum TaskKind {
        Arena,
        Alliance
    }

    enum TaskState {
        None, // no such task
        Pending, // created, not approved for emissions
        Approved, // approved: earns emissions until its end
        Cancelled, // cancelled by governance
        Ended // its end was recorded
    }

    enum Role {
        None,
        Node, // Arena training node
        Validator, // Arena validator
        Participant, // Alliance participant
        Delegator // Arena delegator to a node or validator
    }

    /// @notice The governance parameters at construction (afterwards read with `stakeMinimums`,
    /// `taskRules` and `delegationRules`). Amounts in gmFLOCK wei, durations in seconds.
    struct Parameters {
        uint256 creatorStakePerDay;
        uint256 minTaskDuration;
        uint256 maxTaskDuration;
        uint256 disputeWindow; // for tasks created from now on
        uint256 maxParticipants; // cap on an Alliance task's participant count
        uint256 minNodeStake;
        uint256 minValidatorStake;
        uint256 minParticipantStake;
        uint256 minDelegation;
        uint256 minSigmaBps;
        uint256 maxSigmaBps;
        uint256 sigmaFreeze; // sigma is frozen from this long before a task's end
        uint256 undelegationCooldown;
        uint256 syncKeeperBps; // share of a delegator's seized FLOCK paid to a third-party syncer
    }

    /// @notice A task as the views report it.
    struct TaskInfo {
        TaskKind kind;
        TaskState state;
        address creator;
        uint256 createdAt;
        uint256 endTime; // the cancellation time for a cancelled task
        uint256 disputeWindow;
        uint256 creatorStake; // zero once released
        bytes32 specHash;
        uint256 minParticipants;
        uint256 maxParticipants;
        uint256 members; // nodes + validators, or participants, holding a place now (not released
        // nor evicted)
    }

    /// @notice A task's stake by role, in gmFLOCK wei. The gmFLOCK allocated to delegations is their
    /// pools' (`poolOf(taskId, operator).allocated`, summed over the task's operators); the
    /// registry keeps no per-task total of it (decision 190).
    struct TaskStakes {
        uint256 creator;
        uint256 nodes; // training nodes' own stake
        uint256 validators; // validators' own stake
        uint256 participants; // alliance participants' stake
        uint256 delegatedToNodes; // delegations counting for nodes, after slashes
        uint256 delegatedToValidators;
    }

    /// @notice An account's place in a task.
    struct Member {
        Role role;
        uint256 stake; // own stake; for a delegator, the gmFLOCK allocated to its delegation
        uint256 sigmaBps; // operators
        uint256 sigmaSetAt; // operators: when sigma was last set; delegators: when the delegation
        // began; participants: when it joined
        uint256 exitAt; // delegators: when `undelegate` was called; participants: when it was
        // evicted (`vacate`); 0: still in
        bool released;
    }

    /// @notice A delegation as the views report it.
    struct DelegationInfo {
        address operator;
        uint256 allocated; // gmFLOCK allocated in gmFLOCK (before unsynced slashes)
        uint256 value; // what it is worth now, after every slash of the pool
        uint256 exitAt;
        uint256 releaseAt; // earliest release
    }

    /// @notice Where the FLOCK seized by a slash goes: `keeperBps` to `keeper`, `burnBps` burned,
    /// the rest to `recipient` (burned too if `recipient` is zero).
    struct SlashRoute {
        address recipient;
        address keeper;
        uint256 keeperBps;
        uint256 burnBps;
    }

    // ---------------------------------------------------------------------------------------- errors

    /// @notice No task with this id.
    error TaskRegistryUnknownTask(uint256 taskId);
    /// @notice The task duration is outside [min, max].
    error TaskRegistryInvalidDuration(uint256 duration, uint256 minDuration, uint256 maxDuration);
    /// @notice A task spec needs a non-zero hash and a URI.
    error TaskRegistryInvalidSpec();
    /// @notice Alliance participant bounds must satisfy 2 <= min <= max <= cap (Arena: both zero).
    error TaskRegistryInvalidParticipantBounds(uint256 minParticipants, uint256 maxParticipants, uint256 cap);
    /// @notice The task is not in a state that allows this.
    error TaskRegistryWrongState(uint256 taskId, TaskState state);
    /// @notice The task is over (ended or cancelled) or has passed its end time.
    error TaskRegistryTaskNotActive(uint256 taskId, TaskState state, uint256 endTime);
    /// @notice The task's end time has not come.
    error TaskRegistryTaskNotOver(uint256 taskId, uint256 endTime);
    /// @notice This role does not exist in this kind of task.
    error TaskRegistryRoleNotInTask(uint256 taskId, TaskKind kind, Role role);
    /// @notice The account already holds a role in the task.
    error TaskRegistryAlreadyMember(uint256 taskId, address account, Role role);
    /// @notice The stake is below the role's minimum.
    error TaskRegistryStakeBelowMinimum(uint256 amount, uint256 minimum);
    /// @notice Sigma outside [min, max] (participants: must be zero).
    error TaskRegistryInvalidSigma(uint256 sigmaBps, uint256 minSigmaBps, uint256 maxSigmaBps);
    /// @notice The Alliance task has its maximum number of participants.
    error TaskRegistryTaskFull(uint256 taskId, uint256 maxParticipants);
    /// @notice The account does not hold the role this needs.
    error TaskRegistryWrongRole(uint256 taskId, address account, Role role);
    /// @notice Sigma changes at most once a day.
    error TaskRegistrySigmaChangeTooSoon(uint256 taskId, address operator, uint256 nextAllowed);
    /// @notice Sigma is frozen around the task's end.
    error TaskRegistrySigmaFrozen(uint256 taskId, uint256 frozenFrom);
    /// @notice The delegator already delegates to another operator in this task.
    error TaskRegistryDelegatedElsewhere(uint256 taskId, address delegator, address operator);
    /// @notice The delegation is being undelegated.
    error TaskRegistryUndelegating(uint256 taskId, address delegator, uint256 exitAt);
    /// @notice The stake cannot be released before `releaseAt`.
    error TaskRegistryStakeLocked(uint256 taskId, address account, uint256 releaseAt);
    /// @notice The account has nothing to release in the task.
    error TaskRegistryNothingToRelease(uint256 taskId, address account);
    /// @notice An offence time in the future or before the task was created.
    error TaskRegistryInvalidOffenceTime(uint256 taskId, uint256 offenceAt, uint256 earliest, uint256 latest);
    /// @notice Slashing stopped at the end of the task's dispute window.
    error TaskRegistryDisputeWindowClosed(uint256 taskId, uint256 closedAt);
    /// @notice A slash larger than the operator's or participant's slashable stake.
    error TaskRegistrySlashExceedsStake(uint256 taskId, address account, uint256 requested, uint256 slashable);
    /// @notice A zero amount where a positive one is required.
    error TaskRegistryZeroAmount();
    /// @notice The participant was evicted from the task (`vacate`): it keeps its stake at risk
    /// until the release but no longer takes part.
    error TaskRegistryVacated(uint256 taskId, address account, uint256 exitAt);
    /// @notice keeperBps + burnBps above 10,000.
    error TaskRegistryInvalidRoute(uint256 keeperBps, uint256 burnBps);
    /// @notice A withdrawal larger than the task's slash pot.
    error TaskRegistryPotExceeded(uint256 taskId, uint256 requested, uint256 available);
    /// @notice A governance parameter outside its hard bounds.
    error TaskRegistryParameterOutOfBounds(bytes32 parameter, uint256 value);

    // ---------------------------------------------------------------------------------------- events

    /// @notice Task `taskId` was created by `creator`.
    event TaskCreated(
        uint256 indexed taskId,
        address indexed creator,
        TaskKind kind,
        uint256 endTime,
        uint256 creatorStake,
        bytes32 specHash,
        string specURI,
        uint256 minParticipants,
        uint256 maxParticipants
    );
    /// @notice Governance approved task `taskId` for emissions.
    event TaskApproved(uint256 indexed taskId);
    /// @notice Governance cancelled task `taskId`; its stakes release after the dispute window.
    event TaskCancelled(uint256 indexed taskId);
    /// @notice Task `taskId`'s end was recorded.
    event TaskEnded(uint256 indexed taskId);
    /// @notice `account` joined task `taskId` as `role` with `amount` gmFLOCK (and sigma, operators).
    event Joined(uint256 indexed taskId, address indexed account, Role role, uint256 amount, uint256 sigmaBps);
    /// @notice `account` added `amount` to its own stake in task `taskId`.
    event StakeAdded(uint256 indexed taskId, address indexed account, uint256 amount, uint256 stake);
    /// @notice `operator` set its sigma in task `taskId`.
    event SigmaSet(uint256 indexed taskId, address indexed operator, uint256 sigmaBps);
    /// @notice `delegator` delegated `amount` to `operator` in task `taskId` (`allocated` in all).
    event Delegated(
        uint256 indexed taskId, address indexed delegator, address indexed operator, uint256 amount, uint256 allocated
    );
    /// @notice `delegator` stopped delegating `value` to `operator`; release from `releaseAt`.
    event UndelegationRequested(
        uint256 indexed taskId, address indexed delegator, address indexed operator, uint256 value, uint256 releaseAt
    );
    /// @notice A delegator's share of its pool's slashes reached its gmFLOCK: `gmLoss` slashed,
    /// `flockSeized` FLOCK of which `keeperAmount` went to `keeper` and the rest to the task's pot.
    event DelegatorSynced(
        uint256 indexed taskId,
        address indexed delegator,
        address indexed keeper,
        uint256 gmLoss,
        uint256 flockSeized,
        uint256 keeperAmount
    );
    /// @notice `amount` gmFLOCK of `account`'s stake in task `taskId` was released (`creator`: the
    /// creator stake).
    event StakeReleased(uint256 indexed taskId, address indexed account, uint256 amount, bool creator);
    /// @notice `slasher` slashed `account` in task `taskId` by `gmAmount` for an offence at
    /// `offenceAt`: `ownGm` from its own stake (yielding `flockSeized`), at most `poolGm` from the
    /// delegations at risk in its pool (reaching them at sync).
    event Slashed(
        uint256 indexed taskId,
        address indexed account,
        address indexed slasher,
        uint256 gmAmount,
        uint256 ownGm,
        uint256 poolGm,
        uint256 flockSeized,
        uint256 offenceAt
    );
    /// @notice How a slash's FLOCK was routed.
    event SlashRouted(
        uint256 indexed taskId,
        address recipient,
        uint256 recipientAmount,
        address keeper,
        uint256 keeperAmount,
        uint256 burned
    );
    /// @notice A slasher evicted participant `account`: its slot is free, its stake stays at risk
    /// until the task's release.
    event MemberVacated(uint256 indexed taskId, address indexed account, address indexed slasher);
    /// @notice A slasher took `amount` of task `taskId`'s pot of FLOCK seized from delegators.
    event SlashPotWithdrawn(uint256 indexed taskId, address indexed to, uint256 amount);
    /// @notice Governance set the minimum stakes.
    event StakeMinimumsSet(uint256 node, uint256 validator, uint256 participant, uint256 delegation);
    /// @notice Governance set the task rules.
    event TaskRulesSet(
        uint256 creatorStakePerDay,
        uint256 minTaskDuration,
        uint256 maxTaskDuration,
        uint256 disputeWindow,
        uint256 maxParticipants
    );
    /// @notice Governance set the delegation rules.
    event DelegationRulesSet(
        uint256 minSigmaBps,
        uint256 maxSigmaBps,
        uint256 sigmaFreeze,
        uint256 undelegationCooldown,
        uint256 syncKeeperBps
    );

    // ---------------------------------------------------------------------------------------- roles

    /// @notice Sets the proxy's state, once, in the proxy's deployment (then `DEFAULT_ADMIN_ROLE`
    /// is `admin`'s); the implementation itself refuses.
    function initialize(address admin, Parameters calldata params) external;

    /// @notice Role of the alliance rounds and the Arena slasher (ArenaSlasher): slash, take the pot.
    function SLASHER_ROLE() external view returns (bytes32);

    // ---------------------------------------------------------------------------------------- tasks

    /**
     * @notice Creates a task ending `duration` seconds from now and allocates the caller's creator
     * stake (`creatorStakePerDay` x whole days, rounded up).
     * @param minParticipants,maxParticipants Alliance participant bounds (2 <= min <= max <=
     * `maxParticipants` parameter); zero for Arena tasks.
     * @return taskId the new task's id (ids start at 1).
     */
    function createTask(
        TaskKind kind,
        uint256 duration,
        bytes32 specHash,
        string calldata specURI,
        uint256 minParticipants,
        uint256 maxParticipants
    ) external returns (uint256 taskId);

    /// @notice Approves a pending, active task for emissions (from the next epoch).
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function approveTask(uint256 taskId) external;

    /// @notice Cancels a pending or approved task before its end; its end becomes now.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function cancelTask(uint256 taskId) external;

    /// @notice Records that a task's end has passed (anyone).
    function endTask(uint256 taskId) external;

    // ---------------------------------------------------------------------------------------- roles in a task

    /**
     * @notice Joins an active task as `role` with `amount` gmFLOCK of the caller's.
     * @param sigmaBps for a node or validator, the share of delegation-earned reward it keeps;
     * zero for a participant.
     */
    function join(uint256 taskId, Role role, uint256 amount, uint256 sigmaBps) external;

    /// @notice Adds `amount` to the caller's own stake in an active task (nodes, validators,
    /// participants; delegators call `delegateStake` again).
    function addStake(uint256 taskId, uint256 amount) external;

    /// @notice Sets the caller's sigma as an operator of the task (bounds, once a day, not near the end).
    function setSigma(uint256 taskId, uint256 sigmaBps) external;

    /// @notice Delegates `amount` of the caller's gmFLOCK to `operator` (a node or validator) of an
    /// active Arena task, or adds to the caller's delegation to it. (Not named `delegate`: that
    /// name is gmFLOCK's vote delegation, and some client libraries shadow it.)
    function delegateStake(uint256 taskId, address operator, uint256 amount) external;

    /// @notice Stops the caller's delegation counting; it is released after the cooldown.
    function undelegate(uint256 taskId) external;

    /**
     * @notice Applies the slashes of a delegator's pool to its gmFLOCK (anyone). A caller other
     * than the delegator receives `syncKeeperBps` of the FLOCK seized; the rest goes to the task's
     * slash pot.
     * @return flockSeized the FLOCK seized from the delegator's locks.
     */
    function sync(uint256 taskId, address delegator) external returns (uint256 flockSeized);

    /**
     * @notice Releases everything `account` has in the task once allowed (anyone may call it for
     * anyone): its role stake or delegation and, for the creator, the creator stake.
     * @return amount the gmFLOCK released.
     */
    function release(uint256 taskId, address account) external returns (uint256 amount);

    // ---------------------------------------------------------------------------------------- slashers

    /**
     * @notice Slashes `gmAmount` of `account`'s effective stake in the task (until the end of the
     * dispute window) for an offence committed at `offenceAt` (a timestamp, not in the future and
     * not before the task was created). For an operator, the pool's share x x pool / (own + pool)
     * is the same fraction of every delegation at risk at `offenceAt` (made before it and not
     * undelegated before it); the others lose nothing, so the pool may give less than its share.
     * After `MAX_POOL_SLASHES` pool slashes, only the own share is taken. The FLOCK seized from
     * `account` now is routed by `route`.
     * @dev Only `SLASHER_ROLE`.
     * @return flockSeized FLOCK seized from `account` now.
     * @return poolGm gmFLOCK booked against the delegators' pool (at most this is seized from
     * them at sync).
     */
    function slash(uint256 taskId, address account, uint256 gmAmount, uint256 offenceAt, SlashRoute calldata route)
        external
        returns (uint256 flockSeized, uint256 poolGm);

    /// @notice Evicts participant `account` of an active Alliance task: its slot is freed at once
    /// (another account may join), it can no longer add stake or take part in rounds, and its
    /// stake stays allocated and slashable until the task's end plus its dispute window, when
    /// `release` returns it. The round contract evicts participants that skipped enough rounds.
    /// @dev Only `SLASHER_ROLE`.
    function vacate(uint256 taskId, address account) external;

    /// @notice Sends `amount` of the task's slash pot (FLOCK seized from delegators) to `to`.
    /// @dev Only `SLASHER_ROLE`.
    function withdrawSlashPot(uint256 taskId, address to, uint256 amount) external;

    // ---------------------------------------------------------------------------------------- governance

    /// @notice Sets the minimum stakes of nodes, validators, participants and delegations.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setStakeMinimums(uint256 node, uint256 validator, uint256 participant, uint256 delegation) external;

    /// @notice Sets the creator stake, the task duration bounds, the dispute window of new tasks
    /// and the cap on Alliance participants. @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setTaskRules(
        uint256 creatorStakePerDay,
        uint256 minTaskDuration,
        uint256 maxTaskDuration,
        uint256 disputeWindow,
        uint256 maxParticipants
    ) external;

    /// @notice Sets the sigma bounds and freeze, the undelegation cooldown and the sync keeper
    /// share. @dev Only `DEFAULT_ADMIN_ROLE` (the timelock).
    function setDelegationRules(
        uint256 minSigmaBps,
        uint256 maxSigmaBps,
        uint256 sigmaFreeze,
        uint256 undelegationCooldown,
        uint256 syncKeeperBps
    ) external;

    // ---------------------------------------------------------------------------------------- views

    /// @notice The gmFLOCK contract stakes are allocated in.
    function gmFlock() external view returns (IGmFlock);

    /// @notice The emission controller approved tasks report to.
    function emissions() external view returns (IEmissionController);

    /// @notice The FLOCK token.
    function flock() external view returns (IFlockToken);

    /// @notice The minimum stakes (what `setStakeMinimums` sets), in gmFLOCK wei.
    function stakeMinimums()
        external
        view
        returns (uint256 node, uint256 validator, uint256 participant, uint256 delegation);

    /// @notice The task rules (what `setTaskRules` sets).
    function taskRules()
        external
        view
        returns (
            uint256 creatorStakePerDay,
            uint256 minTaskDuration,
            uint256 maxTaskDuration,
            uint256 disputeWindow,
            uint256 maxParticipants
        );

    /// @notice The delegation rules (what `setDelegationRules` sets).
    function delegationRules()
        external
        view
        returns (
            uint256 minSigmaBps,
            uint256 maxSigmaBps,
            uint256 sigmaFreeze,
            uint256 undelegationCooldown,
            uint256 syncKeeperBps
        );

    /// @notice The number of tasks created (ids are 1..taskCount).
    function taskCount() external view returns (uint256);

    /// @notice A task.
    function taskInfo(uint256 taskId) external view returns (TaskInfo memory);

    /// @notice A task's stake by role.
    function taskStakes(uint256 taskId) external view returns (TaskStakes memory);

    /// @notice Whether the task earns emissions now (approved and before its end).
    function isEligible(uint256 taskId) external view returns (bool);

    /**
     * @notice Whether the task is active: pending or approved, and before its end time. An active
     * task takes joins, stake, delegations, sigma changes and Alliance rounds; an unknown, cancelled
     * or ended task, or one past its end time, is not active.
     * @param taskId the task.
     * @return active true while the task is open and `block.timestamp < endTime`.
     */
    function isActive(uint256 taskId) external view returns (bool active);

    /// @notice Up to `limit` ids of tasks in `state` from position `offset`, and how many there are.
    function tasksByState(TaskState state, uint256 offset, uint256 limit)
        external
        view
        returns (uint256[] memory ids, uint256 total);

    /// @notice `account`'s role and stake in the task.
    function memberOf(uint256 taskId, address account) external view returns (Member memory);

    /// @notice What a slash of `account` in the task can reach of its own stake now, and when the
    /// task's dispute window closes (`slash` reverts from then on): a slasher's one read before
    /// a slash (AllianceRounds' settlement caps its slashes at the stake and lets them lapse after).
    function slashableStake(uint256 taskId, address account) external view returns (uint256 stake, uint256 closesAt);

    /// @notice An operator's own stake and the delegated stake counting for it (after slashes).
    function effectiveStake(uint256 taskId, address operator)
        external
        view
        returns (uint256 own, uint256 delegated, uint256 total);

    /// @notice An operator's pool: value still delegated, value exiting, gmFLOCK allocated to it,
    /// number of delegations, number of slashes.
    function poolOf(uint256 taskId, address operator)
        external
        view
        returns (uint256 active, uint256 exiting, uint256 allocated, uint256 delegators, uint256 slashes);

    /// @notice A delegator's delegation in the task.
    function delegationOf(uint256 taskId, address delegator) external view returns (DelegationInfo memory);

    /// @notice The number of participants holding a place in an Alliance task now (joined, not
    /// evicted nor released: what the join cap counts). The registry keeps no list of
    /// them (a list costs every joiner a storage slot): the round contract knows each round's
    /// participants from their commitments and checks them with `memberOf`.
    function participantCount(uint256 taskId) external view returns (uint256);

    /// @notice FLOCK seized from the task's delegators, waiting for a slasher to route it.
    function slashPot(uint256 taskId) external view returns (uint256);

    // ------------------------------------------------------------- hard bounds on the parameters

    /// @notice Longest task duration a governance change may allow (seconds).
    function MAX_TASK_DURATION_BOUND() external view returns (uint256);
    /// @notice Longest dispute window a governance change may set (seconds).
    function MAX_DISPUTE_WINDOW() external view returns (uint256);
    /// @notice Longest cooldown a governance change may set (seconds).
    function MAX_COOLDOWN() external view returns (uint256);
    /// @notice Highest participant cap a governance change may set.
    function MAX_PARTICIPANTS_BOUND() external view returns (uint256);
    /// @notice Highest sync-keeper reward a governance change may set (basis points).
    function MAX_SYNC_KEEPER_BPS() external view returns (uint256);
    /// @notice A participant's sigma changes at most once per this period (seconds).
    function SIGMA_CHANGE_INTERVAL() external view returns (uint256);
    /// @notice Slashes a delegation pool records; later slashes of the operator take its own stake only.
    function MAX_POOL_SLASHES() external view returns (uint256);
}
