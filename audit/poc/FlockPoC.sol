// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IAllianceRounds} from "../../interfaces/IAllianceRounds.sol";
import {IArenaSubmissions} from "../../interfaces/IArenaSubmissions.sol";
import {IEmissionController} from "../../interfaces/IEmissionController.sol";
import {IFlockToken} from "../../interfaces/IFlockToken.sol";
import {IGmFlock} from "../../interfaces/IGmFlock.sol";
import {IRewardDistributor} from "../../interfaces/IRewardDistributor.sol";
import {ITaskRegistry} from "../../interfaces/ITaskRegistry.sol";
import {Vm, VM} from "../lib/Vm.sol";

/**
 * @title FlockPoC
 * @notice Base of every proof of concept: the deployed suite, read from the deployment manifest
 * that `make poc-env` writes, and the local chain's test accounts.
 * @dev Run against the chain the manifest describes, forking it:
 *
 *     make poc-env                                   # anvil on :8545, the suite deployed
 *     .bin/forge test --fork-url http://127.0.0.1:8545 -vv
 *
 * A finding is a contract `XxxPoC is FlockPoC` in audit/poc/ with one `test_...` function per
 * attack: it performs the attack and asserts what happens (an expected revert for a refused attack,
 * a balance that should not move for a theft). Everything runs on forge's fork, so the chain itself
 * is never changed and the same environment serves every run.
 *
 * `FLOCK_MANIFEST` names another manifest (the path is relative to the repository root, and must
 * lie under deployments/: foundry.toml grants read access there only).
 */
abstract contract FlockPoC {
    Vm internal constant vm = VM;

    /// @dev ape's test accounts (ape-config.yaml `test.mnemonic`) and anvil's defaults: the same keys.
    string internal constant MNEMONIC = "test test test test test test test test test test test junk";
    uint32 internal constant ACCOUNTS = 13;
    string internal constant DEFAULT_MANIFEST = "deployments/poc-local.json";

    IFlockToken internal token;
    IGmFlock internal gmflock;
    IEmissionController internal emissions;
    ITaskRegistry internal tasks;
    IArenaSubmissions internal submissions;
    IRewardDistributor internal rewards;
    IAllianceRounds internal alliance;
    TimelockController internal timelock;
    IGovernor internal governor;

    /// @dev The account that deployed the suite (it holds the local config's genesis FLOCK and,
    /// after the handover, no role at all).
    address internal deployer;
    /// @dev Test account i and its private key (account 0 is the deployer on a local chain).
    address[] internal accounts;
    uint256[] internal keys;

    function setUp() public virtual {
        string memory path = vm.envOr("FLOCK_MANIFEST", DEFAULT_MANIFEST);
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/", path));
        deployer = vm.parseJsonAddress(json, ".deployer");
        token = IFlockToken(_contract(json, "token"));
        gmflock = IGmFlock(_contract(json, "gmflock"));
        emissions = IEmissionController(_contract(json, "emissions"));
        tasks = ITaskRegistry(_contract(json, "tasks"));
        submissions = IArenaSubmissions(_contract(json, "submissions"));
        rewards = IRewardDistributor(_contract(json, "rewards"));
        alliance = IAllianceRounds(_contract(json, "alliance"));
        timelock = TimelockController(payable(_contract(json, "timelock")));
        governor = IGovernor(_contract(json, "governor"));
        vm.assertEq(block.chainid, vm.parseJsonUint(json, ".chain_id"), "the fork is not the manifest's chain");
        for (uint32 i = 0; i < ACCOUNTS; ++i) {
            uint256 key = vm.deriveKey(MNEMONIC, i);
            keys.push(key);
            accounts.push(vm.addr(key));
            vm.label(vm.addr(key), string.concat("account", _itoa(i)));
        }
    }

    /// @dev Gives `to` `amount` FLOCK out of the deployer's genesis allocation.
    function fund(address to, uint256 amount) internal {
        vm.prank(deployer);
        token.transfer(to, amount);
    }

    /// @dev Locks `amount` of `who`'s FLOCK for `duration` seconds; returns the lock id.
    function lockAs(address who, uint256 amount, uint256 duration) internal returns (uint256 lockId) {
        vm.startPrank(who);
        token.approve(address(gmflock), amount);
        lockId = gmflock.lock(amount, duration);
        vm.stopPrank();
    }

    function _contract(string memory json, string memory key) private returns (address at) {
        at = vm.parseJsonAddress(json, string.concat(".contracts.", key, ".address"));
        vm.label(at, key);
        // Refuses early (and says why) when the fork is not the chain the manifest describes.
        vm.assertGt(at.code.length, 0, string.concat("no code at the manifest's ", key, ": fork the poc-env chain"));
    }

    function _itoa(uint256 value) private pure returns (string memory) {
        if (value == 0) return "0";
        bytes memory digits;
        for (; value != 0; value /= 10) {
            digits = abi.encodePacked(bytes1(uint8(48 + (value % 10))), digits);
        }
        return string(digits);
    }
}
