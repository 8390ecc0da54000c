"""interfaces/ is enough for a client that has nothing else (issue 13): it compiles alone, and every
function, event and error in a contract's ABI (inherited ones included) is declared identically by
the contract's interfaces or by IFlockErrors; the published abi/ files and IFlockErrors match the
build; NatSpec names only what exists."""

from __future__ import annotations

import re

import pytest

from flock import abi

# Words in backticks that are not members of an interface: Solidity built-ins, EIP-712 type names,
# and `expectedState` in OpenZeppelin's own notice of GovernorUnexpectedProposalState (IFlockErrors).
NOT_MEMBERS = {
    "keccak256",
    "bytes32",
    "bytes20",
    "address",
    "max",
    "Ballot",
    "ExtendedBallot",
    "expectedState",
}


@pytest.fixture(scope="module")
def interfaces() -> dict[str, list[dict]]:
    return abi.compile_interfaces()


def test_interfaces_compile_alone_from_their_own_files_and_openzeppelin():
    sources = abi.interface_sources()
    assert all(unit.startswith(("interfaces/", abi.OZ_PREFIX)) for unit in sources)
    assert {f"interfaces/{name}.sol" for name in ("IFlockGovernor", "IFlockTimelock", "IFlockErrors")} <= set(
        sources
    )


def test_every_contract_abi_entry_is_declared_by_its_interfaces(interfaces):
    gaps = abi.coverage_gaps(abi.published_abis(), interfaces)
    assert not gaps, "\n".join(f"{c}: {', '.join(missing)}" for c, missing in gaps.items())


def test_coverage_check_reports_what_an_interface_lacks(interfaces):
    extra_function = {
        "type": "function",
        "name": "sweep",
        "inputs": [],
        "outputs": [],
        "stateMutability": "view",
    }
    unindexed = {
        "type": "event",
        "name": "Claimed",
        "inputs": [
            {"type": "address", "name": "account", "indexed": False},
            {"type": "uint256", "name": "amount"},
        ],
    }
    unknown_error = {"type": "error", "name": "NobodyDeclaresThis", "inputs": []}
    gaps = abi.coverage_gaps({"RewardPot": [extra_function, unindexed, unknown_error]}, interfaces)
    assert gaps == {
        "RewardPot": sorted(
            [
                "function sweep() returns ()",
                "event Claimed(address,uint256) indexed[0,0]",
                "error NobodyDeclaresThis()",
            ]
        )
    }
    assert abi.coverage_gaps({"NewContract": []}, interfaces) == {
        "NewContract": ["no interface is assigned to it in flock.abi.INTERFACES_OF"]
    }


def test_standard_surfaces_a_client_needs(interfaces):
    def functions(name):
        return {abi.signature(e) for e in interfaces[name] if e["type"] == "function"}

    token = functions("IFlockToken")
    assert {"permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", "nonces(address)"} <= token
    assert {"DOMAIN_SEPARATOR()", "eip712Domain()"} <= token
    governor = functions("IFlockGovernor")
    assert {
        "castVoteBySig(uint256,uint8,address,bytes)",
        "nonces(address)",
        "proposalVotes(uint256)",
    } <= governor
    assert {
        "token()",
        "timelock()",
        "BALLOT_TYPEHASH()",
        "eip712Domain()",
        "proposalDeadline(uint256)",
    } <= governor
    events = {abi.entry_key(e) for e in interfaces["IFlockGovernor"] if e["type"] == "event"}
    assert "event ProposalExtended(uint256,uint64) indexed[1,0]" in events
    assert "currentEpoch()" in functions("IArenaSubmissions")
    claimed = next(e for e in interfaces["IRewardPot"] if e.get("name") == "Claimed")
    assert claimed["inputs"][0]["indexed"] is True
    timelock_errors = {e["name"] for e in interfaces["IFlockTimelock"] if e["type"] == "error"}
    assert "TimelockUnexpectedOperationState" in timelock_errors


def test_errors_named_by_the_issue_decode_with_the_called_contracts_interfaces(interfaces):
    shared = {e["name"] for e in interfaces["IFlockErrors"]}
    for name in (
        "AccessControlUnauthorizedAccount",
        "ERC20InsufficientAllowance",
        "InvalidAccountNonce",
        "ERC2612ExpiredSignature",
        "TimelockUnexpectedOperationState",
        "GmFlockFutureLookup",
        "RewardPotAlreadyClaimed",
        "RewardPotInvalidProof",
    ):
        assert name in shared, name
    governor_errors = {e["name"] for e in interfaces["IFlockGovernor"] if e["type"] == "error"}
    assert {
        "GmFlockFutureLookup",
        "TimelockUnexpectedOperationState",
        "InvalidAccountNonce",
    } <= governor_errors


def test_published_abi_files_and_errors_interface_match_the_build():
    assert abi.abi_drift() == []
    assert abi.errors_interface_drift() == []


def test_natspec_names_only_what_exists(interfaces):
    """`name(` must be a function, event or error of some interface; `UPPER`, `snake_case` or
    `camelCase` words a member, parameter or struct field name."""
    callables = set(interfaces)
    names = set(interfaces)
    for entries in interfaces.values():
        for entry in entries:
            callables.add(entry.get("name"))
            pending = entry.get("inputs", []) + entry.get("outputs", [])
            while pending:
                item = pending.pop()
                names.add(item.get("name"))
                pending += item.get("components", [])
    names |= callables
    unknown = []
    for path in sorted(abi.INTERFACES_DIR.glob("*.sol")):
        for comment in re.findall(r"///.*|/\*\*.*?\*/", path.read_text(), re.S):
            for word, after in re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)(\(|`)", comment):
                if word in NOT_MEMBERS:
                    continue
                named = word.isupper() or "_" in word or (word[0].islower() and word.lower() != word)
                if (after == "(" and word not in callables) or (named and word not in names):
                    unknown.append(f"{path.name}: {word}")
    assert not unknown, unknown
