// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {FlockToken} from "../../contracts/token/FlockToken.sol";
import {GmFlock} from "../../contracts/staking/GmFlock.sol";
import {VM} from "../lib/Vm.sol";

/**
 * @title BoostProofs
 * @notice INV-17 for all inputs (Halmos, `make prove`), under the configured parameters (floor 30
 * days, horizon 365 days, epsilon 2.19): the boost GmFlock applies is within [1, 1 + epsilon] for
 * every duration, is exactly 1 up to the floor and exactly its maximum from the horizon on, and a
 * lock of any amount mints amount x boost / 1e18. Each check calls the deployed GmFlock (`boost`,
 * `previewLock`), so the code proved is the contract's own `_boost`, not a copy of the formula.
 * That the boost grows with the duration is checked by Hypothesis (tests/staking/
 * test_boost_invariant.py): the solver does not decide it for all pairs of durations within
 * minutes (floor division by the horizon), nor the bounds for symbolic parameters.
 */
contract BoostProofs {
    uint256 internal constant WAD = 1e18;

    GmFlock internal gm;

    function setUp() public {
        FlockToken token = new FlockToken(address(this), new address[](0), new uint256[](0));
        // As deployed: an implementation behind an ERC-1967 proxy, initialized in the proxy's constructor.
        gm = GmFlock(
            address(
                new ERC1967Proxy(
                    address(new GmFlock(token)),
                    abi.encodeCall(
                        GmFlock.initialize,
                        (address(this), 30 days, 365 days, 2.19e18, 7 days, 365 days, 513, address(0))
                    )
                )
            )
        );
    }

    /// @dev Every duration, under the configured parameters (30 days, 365 days, 2.19).
    function check_inv17_boost_within_one_and_one_plus_epsilon(uint256 duration) public view {
        uint256 b = gm.boost(duration);
        assert(b >= WAD);
        assert(b <= WAD + 2.19e18);
        if (duration <= 30 days) assert(b == WAD);
        if (duration >= 365 days) assert(b == WAD + (2.19e18 * uint256(335 days)) / 365 days);
    }

    /// @dev Every duration from the horizon on gets the same, maximal boost.
    function check_inv17_boost_flat_past_the_horizon(uint256 duration) public view {
        VM.assume(duration >= 365 days);
        assert(gm.boost(duration) == gm.boost(365 days));
    }

    /// @dev A lock of any amount and duration mints exactly amount x boost(duration) / 1e18.
    function check_inv17_lock_mints_amount_times_boost(uint256 amount, uint256 duration) public view {
        VM.assume(amount <= 1_000_000_000 ether); // no account holds more than the FLOCK cap
        assert(gm.previewLock(amount, duration) == (amount * gm.boost(duration)) / WAD);
    }
}
