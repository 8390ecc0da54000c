// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FlockToken} from "../../contracts/token/FlockToken.sol";
import {GmFlock} from "../../contracts/staking/GmFlock.sol";
import {VM} from "../lib/Vm.sol";

/**
 * @title BoostProofs
 * @notice INV-14 for all inputs (Halmos, `make prove`): the boost GmFlock applies is within
 * [1, 1 + epsilon], is 1 up to the floor, grows with the duration and stops growing at the horizon,
 * and a lock mints exactly amount x boost / 1e18, for every duration and every boost parameter
 * governance may set. Each check calls the deployed GmFlock (`setBoostParameters`, `boost`,
 * `previewLock`), so the code proved is the contract's own `_boost`, not a copy of the formula.
 */
contract BoostProofs {
    uint256 internal constant WAD = 1e18;

    GmFlock internal gm;

    function setUp() public {
        FlockToken token = new FlockToken(address(this), new address[](0), new uint256[](0));
        gm = new GmFlock(token, address(this), 30 days, 365 days, 2.19e18, 7 days, 365 days, 513, address(0));
    }

    /// @dev Any parameters `setBoostParameters` accepts (it reverts on the others: no path left).
    function _setParameters(uint256 floor, uint256 horizon, uint256 epsilon) internal {
        gm.setBoostParameters(floor, horizon, epsilon);
    }

    function check_inv14_boost_within_one_and_one_plus_epsilon(
        uint256 floor,
        uint256 horizon,
        uint256 epsilon,
        uint256 duration
    ) public {
        _setParameters(floor, horizon, epsilon);
        uint256 b = gm.boost(duration);
        assert(b >= WAD);
        assert(b <= WAD + epsilon);
        if (duration <= floor) assert(b == WAD);
    }

    function check_inv14_boost_non_decreasing_and_flat_past_the_horizon(
        uint256 floor,
        uint256 horizon,
        uint256 epsilon,
        uint256 shorter,
        uint256 longer
    ) public {
        _setParameters(floor, horizon, epsilon);
        VM.assume(shorter <= longer);
        uint256 a = gm.boost(shorter);
        uint256 b = gm.boost(longer);
        assert(a <= b);
        if (shorter >= horizon) assert(a == b);
    }

    function check_inv14_lock_mints_amount_times_boost(uint256 amount, uint256 duration) public view {
        // The deployed parameters; amounts up to the FLOCK cap (a lock above uint96 reverts).
        VM.assume(amount <= 1_000_000_000 ether);
        uint256 minted = gm.previewLock(amount, duration);
        uint256 b = gm.boost(duration);
        assert(minted == (amount * b) / WAD);
        assert(minted >= amount);
        assert(minted <= amount + (amount * 2.19e18) / WAD);
    }
}
