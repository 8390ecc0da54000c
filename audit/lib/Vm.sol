// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title Vm
 * @notice The Foundry cheatcodes the audit workspace uses (forge 1.7; halmos implements the same
 * subset it needs). forge-std is not on npm, so the workspace declares the interface itself: add a
 * cheatcode here when a proof of concept needs one (signatures: the Foundry book, "Cheatcodes").
 * The cheatcode contract lives at address(uint160(uint256(keccak256("hevm cheat code")))).
 */
interface Vm {
    // environment and files
    function envOr(string calldata name, string calldata defaultValue) external view returns (string memory);
    function projectRoot() external view returns (string memory);
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonAddress(string calldata json, string calldata key) external pure returns (address);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function keyExistsJson(string calldata json, string calldata key) external view returns (bool);

    // accounts
    function deriveKey(string calldata mnemonic, uint32 index) external pure returns (uint256);
    function addr(uint256 privateKey) external pure returns (address);
    function label(address account, string calldata newLabel) external;

    // who sends, and when
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
    function assume(bool condition) external pure;

    // expectations
    function expectRevert(bytes calldata revertData) external;
    function expectRevert(bytes4 revertData) external;
    function expectRevert() external;

    // assertions (forge >= 1.0 implements them as cheatcodes)
    function assertTrue(bool condition, string calldata error) external pure;
    function assertEq(uint256 left, uint256 right, string calldata error) external pure;
    function assertEq(address left, address right, string calldata error) external pure;
    function assertGt(uint256 left, uint256 right, string calldata error) external pure;
    function assertGe(uint256 left, uint256 right, string calldata error) external pure;
    function assertLe(uint256 left, uint256 right, string calldata error) external pure;
}

/// @dev The cheatcode contract, for `Vm internal constant vm = VM;`.
Vm constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
