"""A client of the suite that has nothing of the project but abi/ and a deployment manifest: web3.py
and eth-account only (no ape, no flock package). Used by test_independent_client.py to drive stake,
signatures, governance, tasks and claims the way a wallet or a relayer does.

Every transaction is sent the way a wallet does on Base: ``eth_estimateGas`` against the latest block,
gas = that estimate exactly (no margin), signed locally, mined in a later block (the test's chain
stamps it two seconds later). Every revert met is decoded with the errors of the published ABIs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi import decode, encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import function_signature_to_4byte_selector, keccak
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError


def _type(item: dict[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        return "(" + ",".join(_type(c) for c in item["components"]) + ")" + item["type"][5:]
    return item["type"]


@dataclass(frozen=True)
class DecodedError:
    name: str
    args: tuple

    def __str__(self) -> str:
        return f"{self.name}{self.args}"


class Reverted(Exception):
    """A call or transaction reverted; ``error`` is the decoded custom error (None if unknown)."""

    def __init__(self, data: bytes, error: DecodedError | None) -> None:
        super().__init__(str(error) if error else f"unknown revert 0x{data.hex()}")
        self.data, self.error = data, error


class Client:
    """The deployed suite, by manifest key, with ABIs read from ``abi_dir``."""

    def __init__(self, rpc_url: str, manifest_file: Path, repo_root: Path) -> None:
        self.w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 60}))
        self.manifest = json.loads(manifest_file.read_text())
        self.root = repo_root
        self.abis = {
            name: json.loads((repo_root / path).read_text()) for name, path in self.manifest["abis"].items()
        }
        self.errors: dict[bytes, dict[str, Any]] = {}
        for abi in self.abis.values():
            for item in abi:
                if item["type"] == "error":
                    sig = f"{item['name']}({','.join(_type(i) for i in item['inputs'])})"
                    self.errors[function_signature_to_4byte_selector(sig)] = item
        self.chain_id = self.w3.eth.chain_id
        self.before_send: Any = None  # the test's clock: stamps the next block later than the estimate's

    # ------------------------------------------------------------------------------ contracts

    def contract(self, key: str):
        record = self.manifest["contracts"][key]
        abi = json.loads((self.root / record["abi"]).read_text())
        return self.w3.eth.contract(
            address=Web3.to_checksum_address(record["address"]), abi=abi, decode_tuples=True
        )

    def at(self, contract_name: str, address: str):
        address = Web3.to_checksum_address(address)
        return self.w3.eth.contract(address=address, abi=self.abis[contract_name], decode_tuples=True)

    # ------------------------------------------------------------------------------- reverts

    def decode_error(self, data: bytes) -> DecodedError | None:
        item = self.errors.get(bytes(data[:4]))
        if item is None:
            return None
        types = [_type(i) for i in item["inputs"]]
        values = decode(types, bytes(data[4:]))
        args = tuple(
            Web3.to_checksum_address(v) if t == "address" else v for t, v in zip(types, values, strict=True)
        )
        return DecodedError(item["name"], args)

    def _revert_data(self, err: Exception) -> bytes:
        payload: Any = getattr(err, "data", None)
        if isinstance(err, Web3RPCError) and payload is None:
            payload = (err.rpc_response or {}).get("error", {}).get("data")
        if isinstance(payload, dict):
            payload = payload.get("data")
        text = str(payload or "").removeprefix("0x")
        return bytes.fromhex(text) if text else b""

    def call(self, fn) -> Any:
        """A view; a revert raises ``Reverted`` with its decoded error."""
        try:
            return fn.call()
        except (ContractLogicError, ContractCustomError, Web3RPCError) as err:
            data = self._revert_data(err)
            raise Reverted(data, self.decode_error(data)) from err

    # ---------------------------------------------------------------------------- transactions

    def send(self, key: str, fn, value: int = 0) -> dict[str, Any]:
        """Estimates at the latest block, sends with gas = estimate, waits for the receipt. A revert
        (at estimation, as a wallet meets it) raises ``Reverted`` with its decoded error."""
        sender = Account.from_key(key)
        tx = {"from": sender.address, "value": value}
        try:
            estimate = fn.estimate_gas(tx, block_identifier="latest")
        except (ContractLogicError, ContractCustomError, Web3RPCError) as err:
            data = self._revert_data(err)
            raise Reverted(data, self.decode_error(data)) from err
        latest = self.w3.eth.get_block("latest")
        if self.before_send is not None:
            self.before_send(latest)
        built = fn.build_transaction(
            {
                **tx,
                "gas": estimate,
                "nonce": self.w3.eth.get_transaction_count(sender.address),
                "chainId": self.chain_id,
                "maxFeePerGas": 2 * latest["baseFeePerGas"] + 10**9,
                "maxPriorityFeePerGas": 10**9,
            }
        )
        signed = sender.sign_transaction(built)
        receipt = self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_raw_transaction(signed.raw_transaction)
        )
        if receipt["status"] != 1:
            raise AssertionError(
                f"{fn.fn_name} failed with gas = estimate {estimate} (used {receipt['gasUsed']})"
            )
        return receipt

    # ------------------------------------------------------------------------------ signatures

    def _domain(self, contract) -> dict[str, Any]:
        _, name, version, chain_id, verifying, _, _ = self.call(contract.functions.eip712Domain())
        return {"name": name, "version": version, "chainId": chain_id, "verifyingContract": verifying}

    def _sign(self, key: str, contract, primary: str, fields: list[tuple[str, str]], message: dict) -> bytes:
        typed = {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                primary: [{"name": n, "type": t} for n, t in fields],
            },
            "primaryType": primary,
            "domain": self._domain(contract),
            "message": message,
        }
        return Account.sign_message(encode_typed_data(full_message=typed), key).signature

    def permit(self, key: str, spender: str, value: int, deadline: int) -> tuple[int, bytes, bytes]:
        token = self.contract("token")
        owner = Account.from_key(key).address
        message = {
            "owner": owner,
            "spender": spender,
            "value": value,
            "nonce": self.call(token.functions.nonces(owner)),
            "deadline": deadline,
        }
        fields = [("owner", "address"), ("spender", "address"), ("value", "uint256")]
        fields += [("nonce", "uint256"), ("deadline", "uint256")]
        sig = self._sign(key, token, "Permit", fields, message)
        return sig[64], sig[:32], sig[32:64]

    def delegation(self, key: str, delegatee: str, nonce: int, expiry: int) -> tuple[int, bytes, bytes]:
        gmflock = self.contract("gmflock")
        fields = [("delegatee", "address"), ("nonce", "uint256"), ("expiry", "uint256")]
        message = {"delegatee": delegatee, "nonce": nonce, "expiry": expiry}
        sig = self._sign(key, gmflock, "Delegation", fields, message)
        return sig[64], sig[:32], sig[32:64]

    def ballot(self, key: str, proposal_id: int, support: int) -> bytes:
        governor = self.contract("governor")
        voter = Account.from_key(key).address
        fields = [("proposalId", "uint256"), ("support", "uint8"), ("voter", "address"), ("nonce", "uint256")]
        message = {
            "proposalId": proposal_id,
            "support": support,
            "voter": voter,
            "nonce": self.call(governor.functions.nonces(voter)),
        }
        return self._sign(key, governor, "Ballot", fields, message)

    # ---------------------------------------------------------------------------- reward trees


def reward_tree(leaves: list[tuple[int, str, int]]) -> tuple[bytes, dict[int, list[bytes]]]:
    """OpenZeppelin's StandardMerkleTree over (uint256 index, address account, uint256 amount):
    returns the root and each leaf index's proof."""
    hashed = sorted(
        (keccak(keccak(encode(["uint256", "address", "uint256"], [i, a, amt]))), i) for i, a, amt in leaves
    )
    n = len(hashed)
    tree: list[bytes] = [b""] * (2 * n - 1)
    position: dict[int, int] = {}
    for k, (leaf, index) in enumerate(hashed):
        tree[len(tree) - 1 - k] = leaf
        position[index] = len(tree) - 1 - k
    for i in range(len(tree) - 1 - n, -1, -1):
        left, right = tree[2 * i + 1], tree[2 * i + 2]
        tree[i] = keccak(min(left, right) + max(left, right))
    proofs = {}
    for index, node in position.items():
        proof = []
        while node > 0:
            proof.append(tree[node + 1 if node % 2 == 1 else node - 1])
            node = (node - 1) // 2
        proofs[index] = proof
    return tree[0], proofs
