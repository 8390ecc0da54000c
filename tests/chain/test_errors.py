"""flock.chain.errors: a revert ape reports by selector only (an error of a module the called contract
delegates to, such as AllianceRounds' settlement module) is named from the published ABIs."""

from __future__ import annotations

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector

from flock.chain.errors import describe_revert, name_raw_error

ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _raw(signature: str, types: list[str], values: list[object]) -> str:
    data = function_signature_to_4byte_selector(signature) + encode(types, values)
    return f"custom error 0x{data[:4].hex()}: {data[4:].hex()}"  # as anvil words it


def test_a_settlement_module_error_is_named_with_its_arguments() -> None:
    text = _raw("AllianceNotEvictable(uint256,address)", ["uint256", "address"], [7, ACCOUNT])
    assert name_raw_error(text) == f"AllianceNotEvictable(taskId=7, account={ACCOUNT})"


def test_describe_error_names_a_raw_revert_on_one_line() -> None:
    text = _raw("AllianceNothingToWithdraw(address)", ["address"], [ACCOUNT])
    err = RuntimeError(f"{text}\n  trace: ...")
    assert describe_revert(err) == f"AllianceNothingToWithdraw(account={ACCOUNT})"
    prefixed = text.replace(": ", ": 0x")
    assert name_raw_error(prefixed) == f"AllianceNothingToWithdraw(account={ACCOUNT})"


def test_an_unknown_selector_or_plain_text_keeps_the_first_line() -> None:
    assert name_raw_error("custom error 0xdeadbeef: 0x") is None
    assert name_raw_error("execution reverted") is None
    cut = _raw("AllianceNotEvictable(uint256,address)", ["uint256", "address"], [7, ACCOUNT])
    assert name_raw_error(cut[:60]) is None  # an odd number of hex digits
    assert name_raw_error(cut[:61]) is None  # 18 bytes where the arguments need 64
    err = RuntimeError("custom error 0xdeadbeef: 0x\nmore")
    assert describe_revert(err) == "custom error 0xdeadbeef: 0x"
