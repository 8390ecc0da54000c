// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {IArenaSubmissions} from "../../interfaces/IArenaSubmissions.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {IRewardDistributor} from "../../interfaces/IRewardDistributor.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";
import {FlockToken} from "../../contracts/token/FlockToken.sol";
import {RewardDistributor} from "../../contracts/rewards/RewardDistributor.sol";

/// @dev The distributor's collaborators, reduced to what `postRoot` asks of them: the epoch's
/// reveal is over, the task is an Arena task, the epoch is open, and the task has accrued `budget`
/// (which `drawAccrued` hands over once, as the real controller would: accrued less drawn).
contract BudgetSource {
    IFlockToken public immutable flock;
    uint256 public budget;
    uint256 public drawn;

    constructor(IFlockToken flock_) {
        flock = flock_;
    }

    function setBudget(uint256 budget_) external {
        budget = budget_;
    }

    function schedule(uint256) external pure returns (IArenaSubmissions.Schedule memory s) {
        return s; // every phase ended at time zero
    }

    function taskInfo(uint256) external pure returns (ITaskRegistry.TaskInfo memory info) {
        info.kind = ITaskRegistry.TaskKind.Arena;
    }

    function nextEpoch() external pure returns (uint256) {
        return type(uint128).max;
    }

    function checkpoint() external pure returns (uint256) {
        return 0;
    }

    function drawAccrued(uint256, address to) external returns (uint256 amount) {
        amount = budget - drawn;
        drawn = budget;
        if (amount != 0) flock.transfer(to, amount);
    }
}

/**
 * @title BudgetProofs
 * @notice INV-06 for all inputs (Halmos, `make prove`): the real RewardDistributor accepts an
 * oracle's Merkle root only when its total plus its burn fit the task's pool (the budget it drew:
 * everything the task accrued, decision 236), and then reserves exactly that much of it; whatever
 * the root, the budget, the total and the burn. Its collaborators (emission controller, registry,
 * submissions) are one stub (`BudgetSource`) that hands over a symbolic accrued budget; the bound
 * proved is the distributor's own `_post`. The controller's side (a draw pays accrued less drawn)
 * is EmissionProofs' `check_inv12_*`.
 */
contract BudgetProofs {
    uint256 internal constant TASK = 7;
    uint256 internal constant EPOCH = 3;
    uint256 internal constant CAP = 1_000_000_000 ether;

    FlockToken internal token;
    BudgetSource internal source;
    RewardDistributor internal rewards;

    function setUp() public {
        address[] memory to = new address[](1);
        uint256[] memory amounts = new uint256[](1);
        to[0] = address(this);
        amounts[0] = CAP;
        token = new FlockToken(address(this), to, amounts);
        source = new BudgetSource(token);
        token.transfer(address(source), CAP); // every budget is backed, as the controller's are
        address[] memory oracles = new address[](1);
        oracles[0] = address(this);
        IRewardDistributor.Parameters memory p = IRewardDistributor.Parameters({
            challengeWindow: 1 days,
            lockedShareBps: 9_000,
            vestingPeriod: 30 days,
            nodeFeeBps: 800,
            validatorFeeBps: 800,
            delegatorFeeBps: 1_450,
            rankRatioBps: 5_000,
            toleranceBps: 2_000
        });
        // As deployed: an implementation behind an ERC-1967 proxy, initialized in the proxy's constructor.
        RewardDistributor implementation = new RewardDistributor(
            IEmissionController(address(source)), ITaskRegistry(address(source)), IArenaSubmissions(address(source))
        );
        rewards = RewardDistributor(
            address(
                new ERC1967Proxy(
                    address(implementation),
                    abi.encodeCall(RewardDistributor.initialize, (address(this), p, oracles, 1))
                )
            )
        );
    }

    function check_inv06_root_accepted_only_within_the_budget(
        uint256 budget,
        bytes32 root,
        uint256 total,
        uint256 burn,
        bytes32 reportHash
    ) public {
        if (budget > CAP) budget = CAP; // no task's accrued budget exceeds the token's cap
        source.setBudget(budget);
        // Written without sums that could overflow: an overflow here would end the path unchecked.
        bool fits = burn <= budget && total <= budget - burn;
        try rewards.postRoot(TASK, EPOCH, root, total, burn, reportHash) {
            IRewardDistributor.EpochRewards memory r = rewards.epochRewards(TASK, EPOCH);
            // Accepted (quorum 1): it fits, and exactly total + burn of the budget is reserved.
            assert(fits);
            assert(r.total == total && r.burn == burn && r.root == root);
            assert(rewards.unallocatedOf(TASK) == budget - burn - total);
            assert(token.balanceOf(address(rewards)) == budget);
        } catch {
            // Refused: only an empty or address-shaped root (a final root's slot holds its pot's
            // address, so no root fits in 160 bits), an empty total, or one that does not fit.
            assert(uint256(root) >> 160 == 0 || total == 0 || !fits);
        }
    }
}
