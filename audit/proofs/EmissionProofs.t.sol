// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {EmissionController} from "../../contracts/emissions/EmissionController.sol";
import {FlockToken} from "../../contracts/token/FlockToken.sol";
import {VM} from "../lib/Vm.sol";

/**
 * @title EmissionProofs
 * @notice INV-01 and INV-11 for all inputs (Halmos, `make prove`), on a real FlockToken and
 * EmissionController: an epoch mints exactly min(schedule, epoch cap, what the token cap leaves),
 * the schedule decays by r per period, the supply never passes the cap, and an epoch's budgets
 * plus its dust are what it minted (genesis supply, epoch cap and the task's stakes symbolic; the
 * schedule, E0 = 300,000 FLOCK and r = 0.9, is the config's); and an Arena task's budget splits
 * into nodes and validators by the gamma rule, each side at least g of the whole (every gamma, the
 * contract's formula over six stake mixes: pure arithmetic, see the check); and the cumulative
 * budgets: a draw pays exactly what the task accrued less what it drew, never twice.
 */
contract EmissionProofs {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant E0 = 300_000 ether;
    uint256 internal constant EPOCH = 1 days;
    uint256 internal constant TASK = 1;

    FlockToken internal token;
    EmissionController internal emissions;

    /// @dev A token with `genesisSupply` minted, and a controller (decay period 1: every epoch
    /// decays) with `decay`, `epochCap` and `gamma`, and one Arena task enrolled with the stakes.
    function _deploy(
        uint256 genesisSupply,
        uint256 decay,
        uint256 epochCap,
        uint256 gamma,
        uint256 nodeStake,
        uint256 validatorStake
    ) internal {
        address[] memory to = new address[](1);
        uint256[] memory amounts = new uint256[](1);
        to[0] = address(0xBEEF);
        amounts[0] = genesisSupply;
        token = new FlockToken(address(this), to, amounts);
        // As deployed: an implementation behind an ERC-1967 proxy, initialized in the proxy's constructor.
        emissions = EmissionController(
            address(
                new ERC1967Proxy(
                    address(new EmissionController(token, 0, EPOCH, E0, decay, 1)),
                    abi.encodeCall(EmissionController.initialize, (address(this), epochCap, gamma))
                )
            )
        );
        token.grantRole(token.MINTER_ROLE(), address(emissions));
        emissions.grantRole(emissions.TASK_REGISTRY_ROLE(), address(this));
        emissions.enrollTask(TASK, true, block.timestamp + 30 days, nodeStake, validatorStake);
    }

    function check_inv01_epoch_mints_the_capped_schedule_within_the_token_cap(
        uint256 genesisSupply,
        uint256 epochCap,
        uint256 nodeStake,
        uint256 validatorStake
    ) public {
        uint256 decay = 0.9e18;
        _deploy(genesisSupply, decay, epochCap, 0.2e18, nodeStake, validatorStake);
        uint256 supplyBefore = token.totalSupply();
        VM.warp(block.timestamp + EPOCH);
        emissions.checkpoint();

        IEmissionController.EpochInfo memory e = emissions.epochInfo(1);
        uint256 scheduled = emissions.scheduledEmission(1);
        assert(scheduled == (E0 * decay) / WAD); // one decay step: E1 = E0 x r
        assert(scheduled <= E0);
        uint256 room = token.cap() - supplyBefore;
        uint256 expected = e.units == 0 ? 0 : _min(_min(scheduled, epochCap), room);
        assert(e.minted == expected);
        assert(token.totalSupply() == supplyBefore + e.minted);
        assert(token.totalSupply() <= token.cap());
    }

    /// @dev INV-12 of the cumulative budgets (decision 236), the stakes symbolic (any weight a
    /// task can have, changed to any other between two epochs, drawn in the middle or not):
    /// `drawAccrued` pays exactly accrued - drawn, so drawn then equals accrued, a second draw pays
    /// nothing, the recipient holds exactly what the task accrued and the totals agree. The
    /// accrual identity itself (accrued = the sum of weight x rate over the epochs) and its
    /// monotonicity (u r1 <= u (r1 + r2), which keeps a later draw from underflowing) are not
    /// stated here: products of symbolic words, which Halmos' abstraction leaves to nonlinear
    /// queries without a verdict in 10 minutes (measured, decision 248); tests/emissions and
    /// `TaskMachine.inv_11`/`inv_12` check them to the wei.
    function check_inv12_draw_pays_accrued_less_drawn(
        uint256 nodeStake,
        uint256 validatorStake,
        uint256 newNodeStake,
        uint256 newValidatorStake,
        bool drawBetween
    ) public {
        _deploy(0, 0.9e18, E0, 0.2e18, nodeStake, validatorStake);
        emissions.grantRole(emissions.DISTRIBUTOR_ROLE(), address(this));
        address to = address(0xD0);
        VM.warp(block.timestamp + EPOCH);
        emissions.updateTask(TASK, newNodeStake, newValidatorStake); // opens epoch 1; counts from epoch 2
        uint256 paid;
        if (drawBetween) {
            uint256 accruedThen = emissions.accruedBudget(TASK);
            paid = emissions.drawAccrued(TASK, to);
            assert(paid == accruedThen && emissions.drawnBudget(TASK) == accruedThen);
        }
        VM.warp(block.timestamp + EPOCH);
        emissions.checkpoint(); // opens epoch 2
        uint256 accrued = emissions.accruedBudget(TASK);
        uint256 drawnBefore = emissions.drawnBudget(TASK);
        uint256 amount = emissions.drawAccrued(TASK, to);
        assert(amount == accrued - drawnBefore);
        assert(emissions.drawnBudget(TASK) == accrued);
        assert(emissions.drawAccrued(TASK, to) == 0); // nothing twice
        assert(token.balanceOf(to) == paid + amount && paid + amount == accrued);
        (, uint256 drawnTotal,,) = emissions.totals();
        assert(drawnTotal == accrued);
    }

    /// @dev The gamma split of flock/emissions.py's `arena_split` (the controller's `_budget` until
    /// decision 236; the oracles apply it off chain to each epoch's budget) for every gamma
    /// governance may set (0 to 0.5, `MAX_GAMMA`), over six (total, node units, validator units)
    /// mixes: more node stake, more validator stake, equal stakes, one unit against the most units
    /// an account can hold (2^48 - 1) both ways, and co-prime odd figures. `total` = units x rate
    /// with rates the schedule gives. The formula is nodes = floor(total (g (n + v) + (1 - 2g) n) /
    /// (1e18 (n + v))), as the contract's `Math.mulDiv` computed it; the product fits 256 bits for
    /// every mix (asserted). Pure arithmetic: Math.mulDiv's own 512-bit branch is what no solver
    /// decides with the budget symbolic (docs/audit.md, "Symbolic proofs").
    /// Gamma is a uint64, as the epoch stores it (`Epoch.gamma`, `epochInfo().gamma`); `rest` is
    /// 1 - 2g, given as a second input tied to gamma (rest + 2 gamma = 1e18: one rest per gamma, so
    /// every gamma is covered), which keeps the solver's arithmetic free of wrap-around.
    function check_inv11_gamma_split_gives_each_side_at_least_gamma(uint64 epochGamma, uint64 rest, uint8 mix)
        public
        pure
    {
        uint256 gamma = epochGamma;
        if (gamma > 0.5e18) return; // setGamma refuses more (EmissionParameterOutOfBounds)
        if (uint256(rest) + 2 * gamma != WAD) return; // rest = WAD - 2 * gamma, as arena_split computes it
        (uint256 n, uint256 v, uint256 rate) = _mix(mix % 6);
        uint256 total = (n + v) * rate;
        uint256 numerator = gamma * (n + v) + rest * n;
        uint256 denominator = WAD * (n + v);
        assert(numerator <= denominator);
        assert(total <= type(uint256).max / denominator); // no 256-bit overflow: mulDiv = floor
        uint256 nodes = (total * numerator) / denominator;
        uint256 floorShare = (total * gamma) / WAD;
        // INV-11's split: validators = total - nodes, and each side gets at least g of the whole
        assert(nodes + floorShare <= total);
        assert(nodes >= floorShare);
        // and the share follows the stakes: the side with more stake gets at least half (rounded down)
        if (n >= v) assert(2 * nodes + 1 >= total);
        if (v >= n) assert(total + 1 >= 2 * nodes);
    }

    /// @dev (node units, validator units, rate per unit): a task of 10,000 FLOCK of stake in
    /// epoch 1 gets E1 / units = 2.7e16 per unit; the others are extremes and odd figures.
    function _mix(uint256 i) internal pure returns (uint256 n, uint256 v, uint256 rate) {
        if (i == 0) return (7_000_000, 3_000_000, 27_000_000_000_000_000);
        if (i == 1) return (1_000_000, 9_000_000, 27_000_000_000_000_000);
        if (i == 2) return (3_000_000, 3_000_000, 45_000_000_000_000_000);
        if (i == 3) return (1, 2 ** 48 - 1, 959_232_675);
        if (i == 4) return (2 ** 48 - 1, 1, 959_232_675);
        return (123_457, 98_765, 1_215_491_037_713_017_781);
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
