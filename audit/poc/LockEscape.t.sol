// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IGmFlock} from "../../interfaces/IGmFlock.sol";
import {FlockPoC} from "./FlockPoC.sol";

/**
 * @title LockEscapePoC
 * @notice Worked proof of concept (docs/audit.md, "Proofs of concept"): an attacker who locked FLOCK
 * tries to get its FLOCK or its voting power out before the lock ends, then to seize someone
 * else's stake. Every path is refused; the control at the end shows the honest path still works, so
 * the refusals are the contract's rules and not a broken set-up.
 */
contract LockEscapePoC is FlockPoC {
    uint256 internal constant AMOUNT = 10_000 ether;
    uint256 internal constant DURATION = 30 days;

    address internal attacker;
    address internal accomplice;
    address internal victim;

    function setUp() public override {
        super.setUp();
        attacker = accounts[7];
        accomplice = accounts[8];
        victim = accounts[9];
        fund(attacker, AMOUNT);
        fund(victim, AMOUNT);
    }

    function test_attacker_cannot_leave_a_lock_early_or_move_its_votes() public {
        uint256 lockId = lockAs(attacker, AMOUNT, DURATION);
        uint256 end = block.timestamp + DURATION;
        uint256 gm = gmflock.balanceOf(attacker);
        vm.assertEq(gm, gmflock.previewLock(AMOUNT, DURATION), "lock minted its preview");

        vm.startPrank(attacker);
        // 1. Unlock before the end, even one second before.
        vm.expectRevert(abi.encodeWithSelector(IGmFlock.GmFlockLockNotExpired.selector, lockId, end));
        gmflock.unlock(lockId);
        vm.warp(end - 1);
        vm.expectRevert(abi.encodeWithSelector(IGmFlock.GmFlockLockNotExpired.selector, lockId, end));
        gmflock.unlock(lockId);
        // 2. Hand the voting power to an accomplice: no transfer, no approval, no transferFrom.
        vm.expectRevert(IGmFlock.GmFlockNonTransferable.selector);
        gmflock.transfer(accomplice, gm);
        vm.expectRevert(IGmFlock.GmFlockNonTransferable.selector);
        gmflock.approve(accomplice, gm);
        vm.stopPrank();
        vm.prank(accomplice);
        vm.expectRevert(IGmFlock.GmFlockNonTransferable.selector);
        gmflock.transferFrom(attacker, accomplice, gm);
        vm.assertEq(gmflock.balanceOf(accomplice), 0, "the accomplice holds no gmFLOCK");
        vm.assertEq(gmflock.balanceOf(attacker), gm, "the attacker's gmFLOCK did not move");

        // Control: at the end, the honest unlock pays the lock less the withdrawal fee.
        vm.warp(end);
        (uint256 feeBps,) = gmflock.withdrawalFee();
        uint256 before = token.balanceOf(attacker);
        vm.prank(attacker);
        gmflock.unlock(lockId);
        vm.assertEq(token.balanceOf(attacker) - before, AMOUNT - (AMOUNT * feeBps) / 10_000, "unlock pays less the fee");
        vm.assertEq(gmflock.balanceOf(attacker), 0, "unlock burns the gmFLOCK");
    }

    function test_attacker_cannot_make_itself_a_slasher_or_slash_directly() public {
        lockAs(victim, AMOUNT, DURATION);
        bytes32 slasher = keccak256("SLASHER_ROLE");
        bytes32 admin = bytes32(0);

        vm.startPrank(attacker);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, attacker, admin)
        );
        IAccessControl(address(gmflock)).grantRole(slasher, attacker);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, attacker, slasher)
        );
        gmflock.slash(victim, 1, attacker);
        vm.stopPrank();

        // Nor can the deployer: the handover left it no role (the timelock administers gmFLOCK).
        vm.prank(deployer);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, deployer, admin)
        );
        IAccessControl(address(gmflock)).grantRole(slasher, deployer);
        vm.assertTrue(IAccessControl(address(gmflock)).hasRole(admin, address(timelock)), "the timelock administers");
        vm.assertEq(gmflock.lockedOf(victim), AMOUNT, "the victim's stake is intact");
    }
}
