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
 * plus its dust are what it minted; an Arena task's budget splits into nodes and validators by
 * the gamma rule, each side at least g of the whole. The genesis supply, the epoch cap, gamma and
 * the task's stakes are symbolic; the schedule (E0 = 300,000 FLOCK, r = 0.9) is the config's.
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

    /// @dev Every gamma governance may set (0 to 0.5), for three stake mixes of an Arena task:
    /// more node stake, more validator stake, and equal stakes. (For symbolic stakes as well the
    /// solver does not finish within minutes: the split divides by the task's total units.)
    function check_inv11_gamma_split_gives_each_side_at_least_gamma(uint256 gamma, uint8 mix) public {
        uint256 nodeStake = mix % 3 == 0 ? 7_000 ether : (mix % 3 == 1 ? 1_000 ether : 3_000 ether);
        uint256 validatorStake = mix % 3 == 0 ? 3_000 ether : (mix % 3 == 1 ? 9_000 ether : 3_000 ether);
        _deploy(0, 0.9e18, E0, gamma, nodeStake, validatorStake);
        VM.warp(block.timestamp + EPOCH);
        emissions.checkpoint();

        IEmissionController.Budget memory b = emissions.budgetOf(TASK, 1);
        IEmissionController.EpochInfo memory e = emissions.epochInfo(1);
        assert(b.total == e.units * e.rate); // the task holds every unit of the epoch
        assert(b.total + e.dust == e.minted); // INV-11: budgets + dust = minted
        assert(b.nodes <= b.total);
        assert(b.nodes + b.validators == b.total);
        uint256 floorShare = (b.total * gamma) / WAD;
        assert(b.nodes >= floorShare);
        assert(b.validators >= floorShare);
        // R_nodes = R (g + (1 - 2g) T / (T + V)), rounded down.
        uint256 n = nodeStake / emissions.STAKE_UNIT();
        uint256 v = validatorStake / emissions.STAKE_UNIT();
        assert(b.nodes == (b.total * (gamma * (n + v) + (WAD - 2 * gamma) * n)) / (WAD * (n + v)));
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
