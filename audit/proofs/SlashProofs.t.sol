// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {IGmFlock} from "../../interfaces/IGmFlock.sol";
import {FlockToken} from "../../contracts/token/FlockToken.sol";
import {GmFlock} from "../../contracts/staking/GmFlock.sol";
import {VM} from "../lib/Vm.sol";

/**
 * @title SlashProofs
 * @notice INV-02 and INV-07 (Halmos, `make prove`), on a real FlockToken and GmFlock: a slash of
 * any size and allocation, of an account with two locks, shrinks the account's
 * totals pro rata (FLOCK rounded up, so the contract never owes more than it holds), seizes exactly
 * the FLOCK that leaves the account's total and sends it to the destination, and leaves each lock
 * worth no more than its share: the locks' current values never add up to more than the account's
 * total. The test contract is the slasher and stake manager; the staker is a separate account.
 */
contract SlashProofs {
    uint256 internal constant CAP = 1_000_000_000 ether;
    address internal constant STAKER = address(0x5157);
    address internal constant DESTINATION = address(0xD357);

    FlockToken internal token;
    GmFlock internal gm;

    function setUp() public {
        address[] memory to = new address[](1);
        uint256[] memory amounts = new uint256[](1);
        to[0] = STAKER;
        amounts[0] = CAP;
        token = new FlockToken(address(this), to, amounts);
        // As deployed: an implementation behind an ERC-1967 proxy, initialized in the proxy's constructor.
        gm = GmFlock(
            address(
                new ERC1967Proxy(
                    address(new GmFlock(token)),
                    abi.encodeCall(
                        GmFlock.initialize, (address(this), 30 days, 365 days, 2.19e18, 7 days, 365 days, 513, address(0))
                    )
                )
            )
        );
        gm.grantRole(gm.SLASHER_ROLE(), address(this));
        gm.grantRole(gm.STAKE_MANAGER_ROLE(), address(this));
        VM.prank(STAKER);
        token.approve(address(gm), type(uint256).max);
    }

    /// @dev Any slash (any amount up to any allocation) of an account holding one of three lock
    /// pairs: a small and a large lock, two equal locks, a minimum-boost and a maximum-boost lock.
    /// (With the lock amounts symbolic too, the solver does not finish within minutes: the pro-rata
    /// arithmetic divides by the account's balance.)
    function check_inv02_inv07_slash_is_pro_rata_and_conserves(uint8 pair, uint256 allocated, uint256 slashed)
        public
    {
        (uint256 first, uint256 second) = pair % 3 == 0
            ? (1 ether, 250_000 ether)
            : (pair % 3 == 1 ? (4_321 ether, 4_321 ether) : (1_000 ether + 7, 99_999 ether));
        VM.prank(STAKER);
        gm.lock(first, 7 days);
        VM.prank(STAKER);
        gm.lock(second, 365 days);
        gm.allocate(STAKER, allocated);

        uint256 balanceBefore = gm.balanceOf(STAKER);
        uint256 lockedBefore = gm.lockedOf(STAKER);
        uint256 heldBefore = token.balanceOf(address(gm));
        uint256 seized = gm.slash(STAKER, slashed, DESTINATION);

        uint256 lockedAfter = gm.lockedOf(STAKER);
        // Orders first, so that no subtraction below can end a path unchecked.
        assert(lockedAfter <= lockedBefore && seized <= heldBefore && slashed <= balanceBefore);
        // INV-07: what leaves the account's total is exactly what the destination receives.
        assert(seized == lockedBefore - lockedAfter);
        assert(token.balanceOf(DESTINATION) == seized);
        assert(token.balanceOf(address(gm)) == heldBefore - seized);
        assert(gm.balanceOf(STAKER) == balanceBefore - slashed);
        assert(gm.totalSupply() == gm.balanceOf(STAKER));
        // Pro rata, rounded up: lockedAfter = ceil(lockedBefore x remaining / balanceBefore).
        uint256 remaining = balanceBefore - slashed;
        assert(lockedAfter * balanceBefore >= lockedBefore * remaining);
        assert(lockedAfter == 0 || (lockedAfter - 1) * balanceBefore < lockedBefore * remaining);
        // INV-02: solvent, and the locks are never worth more than the account's totals.
        assert(token.balanceOf(address(gm)) >= lockedAfter);
        IGmFlock.LockInfo memory a = gm.lockInfo(STAKER, 0);
        IGmFlock.LockInfo memory b = gm.lockInfo(STAKER, 1);
        assert(a.amount + b.amount <= lockedAfter);
        assert(a.gm + b.gm <= gm.balanceOf(STAKER));
    }
}
