"""`ape run deploy verify`: read the chain and check the deployment against its config.

Every check comes from a table (``flock.deploy.governed`` and the plan's role discovery), so a new
contract adds rows there, not code here:

- no role of any administered contract (or the timelock) is held by the deployer;
- the timelock holds DEFAULT_ADMIN_ROLE on each of them, and the admin role of every role;
- every role is held by exactly the holders ``governed.ROLE_HOLDERS`` lists for it, nobody if it
  lists none (replaying the contract's role events, so a holder nobody expected shows up);
- every parameter equals the deploy config;
- the manifest's role table (every role, every holder) is what the chain says now;
- every contract's code is the compiled runtime code of its contract, byte for byte except inside
  the 32-byte immutable slots the compiler leaves zero (``PUSH32 0``), which the constructor fills;
  an upgradeable contract's is FlockProxy's, and the implementation in its ERC-1967 slot has the
  contract's compiled code;
- the RewardPot implementation every reward pot clones is the one the distributor's proxy created
  in its initializer (its first CREATE) and has RewardPot's compiled code;
- every genesis vesting wallet has the configured beneficiary, cliff and duration, and holds (or has
  released) its allocation;
- no genesis holder's worst-case share of the voting power reaches the config's
  ``token.max_voting_share`` (``flock.deploy.genesis``): the largest are listed either way;
- only the timelock can upgrade each proxy (``flock.deploy.upgrade_checks``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from eth_utils import to_checksum_address
from rich.table import Table

from flock import artifacts
from flock.chain.create import create_address
from flock.deploy import genesis
from flock.deploy.config import ZERO_ADDRESS, DeployConfig, load_config
from flock.deploy.governed import PARAMETERS, TIMELOCK_ADMINISTERED, expected_holders
from flock.deploy.plan import Context, roles_of
from flock.deploy.proxies import PROXY_CONTRACT, UPGRADEABLE
from flock.deploy.upgrade_checks import check_upgrade_authority
from flock.paths import PROJECT_ROOT
from flock.units import format_token, human_duration

DEFAULT_ADMIN = bytes(32)


class ChainReader(Protocol):
    """Read access to the deployed contracts, by plan key."""

    def contract_name(self, key: str) -> str: ...

    def view(self, key: str, function: str, *args: Any) -> Any: ...

    def role_members(self, key: str) -> dict[bytes, set[str]]:
        """Every role's holders, from the contract's RoleGranted / RoleRevoked events."""

    def code(self, key: str) -> bytes:
        """The runtime code at the contract's address."""

    def code_at(self, address: str) -> bytes:
        """The runtime code at any address (a contract the plan's contracts created)."""

    def implementation(self, key: str) -> str | None:
        """The implementation in the contract's ERC-1967 slot; None if the slot is empty."""

    def storage_at(self, address: str, slot: int) -> int:
        """The 32-byte word at ``slot`` of ``address``'s storage."""

    def succeeds(self, key: str, data: bytes, sender: str) -> bool:
        """Whether a call of ``data`` to the contract from ``sender`` would succeed (``eth_call``)."""


@dataclass(frozen=True)
class CheckResult:
    group: str
    subject: str
    expected: str
    actual: str
    ok: bool


def normalize(value: Any) -> Any:
    """Comparable form of a view's result: addresses lower-cased, sequences as tuples."""
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return value.lower()
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return tuple(normalize(v) for v in value)
    if callable(getattr(value, "items", None)):  # ape's struct of several return values
        return tuple(normalize(v) for v in dict(value.items()).values())
    if hasattr(value, "address"):
        return str(value.address).lower()
    return value


def show(value: Any, names: dict[str, str] | None = None) -> str:
    """A value for a person: addresses by name where known, big integers with separators."""
    value = normalize(value)
    if isinstance(value, tuple):
        return ", ".join(show(v, names) for v in value) if value else "none"
    if isinstance(value, str) and names and value in names:
        return names[value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:_}"
    return str(value)


def _item_units(unit: str, count: int) -> list[str]:
    """The unit of each item of a parameter: ``"gmFLOCK wei: node, validator"`` applies to all,
    ``"min s, max s"`` names them one by one."""
    if ":" in unit:
        return [unit.split(":", 1)[0]] * count
    parts = [part.strip() for part in unit.split(",")]
    return parts if len(parts) == count else [unit if count == 1 else ""] * count


def _one_in_unit(value: Any, unit: str, names: dict[str, str] | None) -> str:
    shown = show(value, names)
    if isinstance(value, int) and not isinstance(value, bool):
        if (unit == "s" or unit.endswith(" s")) and value >= 60:
            return f"{shown} ({human_duration(value)})"
        if "wei" in unit and value:
            token = "gmFLOCK" if "gmFLOCK" in unit or "stake" in unit else "FLOCK"
            return f"{format_token(value)} {token}"
    return shown


def show_in_unit(value: Any, unit: str, names: dict[str, str] | None = None) -> str:
    """``show`` with durations in words (``432_000 (5 d)``) and token amounts in FLOCK, from the
    parameter's unit (``flock.deploy.governed``)."""
    value = normalize(value)
    if isinstance(value, tuple) and value:
        units = _item_units(unit, len(value))
        return ", ".join(_one_in_unit(v, u, names) for v, u in zip(value, units, strict=True))
    return _one_in_unit(value, unit, names)


def address_names(ctx: Context) -> dict[str, str]:
    """Lower-cased address -> plan key (or ``deployer``, ``zero``) for display."""
    names = {address.lower(): key for key, address in ctx.addresses.items()}
    names[ctx.deployer.lower()] = "deployer"
    names[ZERO_ADDRESS] = "zero address"
    return names


def _role_value(reader: ChainReader, key: str, role: str) -> bytes:
    return DEFAULT_ADMIN if role == "DEFAULT_ADMIN_ROLE" else bytes(reader.view(key, role))


def _administered(ctx: Context) -> list[str]:
    return [key for key in (*TIMELOCK_ADMINISTERED, "timelock") if key in ctx.addresses]


def check_deployer_roles(ctx: Context, reader: ChainReader) -> Iterable[CheckResult]:
    for key in _administered(ctx):
        for role in roles_of(reader.contract_name(key)):
            held = reader.view(key, "hasRole", _role_value(reader, key, role), ctx.deployer)
            yield CheckResult(
                "deployer holds nothing",
                f"{key}.{role}",
                "not held",
                "HELD" if held else "not held",
                not held,
            )


def check_admins(ctx: Context, reader: ChainReader) -> Iterable[CheckResult]:
    timelock = ctx.address("timelock")
    for key in _administered(ctx):
        for role in roles_of(reader.contract_name(key)):
            admin_role = bytes(reader.view(key, "getRoleAdmin", _role_value(reader, key, role)))
            held = reader.view(key, "hasRole", admin_role, timelock)
            admin_name = "DEFAULT_ADMIN_ROLE" if admin_role == DEFAULT_ADMIN else "0x" + admin_role.hex()
            yield CheckResult(
                "timelock is admin",
                f"{key}.{role}",
                f"timelock holds {admin_name}",
                "yes" if held else "NO",
                bool(held),
            )


def check_role_holders(ctx: Context, reader: ChainReader) -> Iterable[CheckResult]:
    names = address_names(ctx)
    names[ZERO_ADDRESS] = "anyone (zero address)"
    listed = expected_holders(ctx.config)
    for key in _administered(ctx):
        members = reader.role_members(key)
        for role in roles_of(reader.contract_name(key)):
            expected = {ctx.address(ref).lower() for ref in listed.get((key, role), ())}
            actual = {a.lower() for a in members.get(_role_value(reader, key, role), set())}
            yield CheckResult(
                "role holders",
                f"{key}.{role}",
                ", ".join(sorted(names.get(a, a) for a in expected)) or "nobody",
                ", ".join(sorted(names.get(a, a) for a in actual)) or "nobody",
                actual == expected,
            )


_PUSH32 = 0x7F


def _immutable_slots(compiled: bytes) -> set[int]:
    """Byte positions of ``PUSH32 <32 zero bytes>`` operands in compiled runtime code: where solc
    leaves immutables for the constructor to write. Walks the opcodes so that data is not mistaken
    for an instruction."""
    slots: set[int] = set()
    pc = 0
    while pc < len(compiled):
        op = compiled[pc]
        if 0x60 <= op <= 0x7F:
            width = op - 0x5F
            if op == _PUSH32 and compiled[pc + 1 : pc + 33] == bytes(32):
                slots.update(range(pc + 1, pc + 33))
            pc += 1 + width
        else:
            pc += 1
    return slots


def code_matches(compiled: bytes, deployed: bytes) -> bool:
    """Deployed runtime code is the compiled one, except inside immutable slots."""
    if len(compiled) != len(deployed) or not compiled:
        return False
    differing = [i for i, (a, b) in enumerate(zip(compiled, deployed, strict=True)) if a != b]
    if not differing:
        return True
    slots = _immutable_slots(compiled)
    return all(i in slots for i in differing)


def check_code(ctx: Context, reader: ChainReader) -> Iterable[CheckResult]:
    """Every contract's code; an upgradeable one (``proxies.UPGRADEABLE``) must be a FlockProxy
    whose ERC-1967 implementation has the contract's compiled code."""
    compilation = artifacts.load()
    proxy_code = compilation[PROXY_CONTRACT].runtime
    for key in sorted(ctx.addresses):
        name = reader.contract_name(key)
        deployed = reader.code(key)
        if key not in UPGRADEABLE:
            ok = code_matches(compilation[name].runtime, deployed)
            yield CheckResult(
                "code",
                key,
                f"{name} ({len(compilation[name].runtime):,} bytes, compiled here)",
                f"{len(deployed):,} bytes, {'same code' if ok else 'DIFFERENT CODE'}",
                ok,
            )
            continue
        ok = code_matches(proxy_code, deployed)
        yield CheckResult(
            "code",
            key,
            f"{PROXY_CONTRACT} ({len(proxy_code):,} bytes, compiled here)",
            f"{len(deployed):,} bytes, {'same code' if ok else 'DIFFERENT CODE'}",
            ok,
        )
        implementation = reader.implementation(key)
        code = reader.code_at(implementation) if implementation else b""
        ok = implementation is not None and code_matches(compilation[name].runtime, code)
        yield CheckResult(
            "code",
            f"{key} implementation",
            f"{name} ({len(compilation[name].runtime):,} bytes, compiled here)",
            f"{implementation or 'none'}: {len(code):,} bytes, {'same code' if ok else 'DIFFERENT CODE'}",
            ok,
        )


def check_pot_implementation(ctx: Context, reader: ChainReader) -> Iterable[CheckResult]:
    """Every reward pot is a clone of ``rewards.potImplementation()``: it must be the RewardPot the
    distributor's proxy created in ``initialize`` (a contract's first CREATE uses nonce 1, EIP-161), whose
    immutables are then the distributor and its token, with RewardPot's compiled code."""
    if "rewards" not in ctx.addresses:
        return
    compiled = artifacts.load()["RewardPot"].runtime
    implementation = to_checksum_address(normalize(reader.view("rewards", "potImplementation")))
    expected = create_address(to_checksum_address(ctx.addresses["rewards"]), 1)
    deployed = reader.code_at(implementation)
    same = code_matches(compiled, deployed)
    yield CheckResult(
        "code",
        "rewards.potImplementation",
        f"RewardPot created by rewards at {expected} ({len(compiled):,} bytes)",
        f"{implementation}: {len(deployed):,} bytes, {'same code' if same else 'DIFFERENT CODE'}",
        implementation == expected and same,
    )


def check_parameters(config: DeployConfig, ctx: Context, reader: ChainReader) -> Iterable[CheckResult]:
    names = address_names(ctx)
    for parameter in PARAMETERS:
        if parameter.key not in ctx.addresses or parameter.expected is None:
            continue
        expected = normalize(parameter.expected(config, ctx.address))
        actual = normalize(reader.view(parameter.key, parameter.getter))
        yield CheckResult(
            "parameters", parameter.label, show(expected, names), show(actual, names), actual == expected
        )


def check_vesting_wallets(config: DeployConfig, ctx: Context, reader: ChainReader) -> Iterable[CheckResult]:
    """Each genesis vesting wallet: its owner, cliff and duration as configured (and its start, where
    the config fixes one), and its allocation held or released."""
    names = address_names(ctx)
    for grant in config.token.vesting_grants():
        key, schedule = grant.key, grant.vesting
        if key is None or schedule is None or key not in ctx.addresses:
            continue
        start = int(reader.view(key, "start"))
        expected = (
            ctx.address(grant.recipient).lower(),
            schedule.start or start,
            schedule.cliff,
            schedule.duration,
        )
        actual = (
            normalize(reader.view(key, "owner")),
            start,
            int(reader.view(key, "cliff")) - start,
            int(reader.view(key, "end")) - start,
        )
        yield CheckResult(
            "genesis",
            f"{key} (beneficiary, start, cliff s, duration s)",
            show(expected, names),
            show(actual, names),
            actual == expected,
        )
        token = ctx.address("token")
        held = int(reader.view("token", "balanceOf", ctx.address(key))) + int(
            reader.view(key, "released", token)
        )
        yield CheckResult(
            "genesis",
            f"{key} FLOCK held + released",
            f"at least {format_token(grant.wei)}",
            format_token(held),
            held >= grant.wei,
        )


def chain_distribution(config: DeployConfig, ctx: Context, reader: ChainReader) -> genesis.Distribution:
    """The genesis as voting power: the config's mints, each vesting wallet's owner and schedule as
    the chain has them now, and gmFLOCK's current longest and shortest lock boosts."""

    def wallet(key: str) -> tuple[str, genesis.Wallet]:
        grant = next(g for g in config.token.vesting_grants() if g.key == key)
        start = int(reader.view(key, "start"))
        schedule = genesis.Wallet(
            grant.wei, start, int(reader.view(key, "cliff")), int(reader.view(key, "end"))
        )
        return str(normalize(reader.view(key, "owner"))), schedule

    shortest, longest = (int(x) for x in normalize(reader.view("gmflock", "lockDurationBounds")))
    boosts = (int(reader.view("gmflock", "boost", longest)), int(reader.view("gmflock", "boost", shortest)))
    has_wallets = all(g.key in ctx.addresses for g in config.token.vesting_grants())
    return genesis.from_config(config, ctx.address, 0, wallet if has_wallets else None, boosts)


TOP_HOLDERS = 3


def _date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def check_voting_power(config: DeployConfig, ctx: Context, reader: ChainReader) -> Iterable[CheckResult]:
    """The largest genesis holders' worst-case share of the voting power (``flock.deploy.genesis``)
    against the config's limit; every holder at or above it fails, the largest few are shown."""
    if "gmflock" not in ctx.addresses:
        return
    limit = config.voting_share_limit
    shares = genesis.worst_shares(chain_distribution(config, ctx, reader), 0)
    names = address_names(ctx)
    shown = {h.account for h in shares[:TOP_HOLDERS]} | {h.account for h in genesis.failures(shares, limit)}
    for holder in shares:
        if holder.account not in shown:
            continue
        when = "at genesis" if holder.at == 0 else f"on {_date(holder.at)}"
        yield CheckResult(
            "voting power",
            f"largest holder {names.get(holder.account, holder.account)}",
            f"below {limit}% (quorum {config.governance.quorum_percent}%)",
            f"{holder.percent:.2f}% {when}: {format_token(holder.lockable)} FLOCK "
            f"vs {format_token(holder.others)} for the rest",
            holder.percent < limit,
        )
    if not shares:
        yield CheckResult(
            "voting power",
            "genesis holders",
            "holders besides the treasury",
            "nobody but the treasury holds FLOCK: no proposal can ever pass",
            False,
        )


def _guarded(group: str, checks: Iterable[CheckResult]) -> list[CheckResult]:
    """A check that cannot even read the chain (a call reverts: wrong code, wrong address) is a
    failed check with the reason, not a crash of the whole verification."""
    results: list[CheckResult] = []
    try:
        results.extend(checks)
    except Exception as err:  # the chain answered something this deployment should not
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        results.append(CheckResult(group, "(remaining checks)", "readable", f"call failed: {reason}", False))
    return results


def verify_deployment(config: DeployConfig, ctx: Context, reader: ChainReader) -> list[CheckResult]:
    """Every check, in table order; the deployment is good when all are ``ok``."""
    return [
        *_guarded("code", check_code(ctx, reader)),
        *_guarded("code", check_pot_implementation(ctx, reader)),
        *_guarded("deployer holds nothing", check_deployer_roles(ctx, reader)),
        *_guarded("timelock is admin", check_admins(ctx, reader)),
        *_guarded("role holders", check_role_holders(ctx, reader)),
        *_guarded("parameters", check_parameters(config, ctx, reader)),
        *_guarded("genesis", check_vesting_wallets(config, ctx, reader)),
        *_guarded("voting power", check_voting_power(config, ctx, reader)),
        *_guarded("upgrades", check_upgrade_authority(ctx, reader)),
    ]


def verify_on_chain(manifest_file: Path, config_file: Path | None = None) -> list[CheckResult]:
    """Runs every check against the connected chain for the deployment in ``manifest_file``, using
    ``config_file`` or else the config the manifest was deployed from."""
    from flock.chain.protocol import LiveProtocol
    from flock.deploy.ape_backend import role_table

    protocol = LiveProtocol.load(manifest_file)
    manifest = protocol.manifest
    config = load_config(config_file or PROJECT_ROOT / manifest.config_file)
    ctx = Context(
        config=config,
        deployer=manifest.deployer,
        addresses={key: record.address for key, record in manifest.contracts.items()},
    )

    def role_checks() -> Iterable[CheckResult]:
        yield from check_role_table(manifest.roles, role_table(manifest))

    return verify_deployment(config, ctx, protocol) + _guarded("manifest role table", role_checks())


def check_role_table(recorded: list[Any], on_chain: list[Any]) -> Iterable[CheckResult]:
    """The manifest's role table against the one read from the chain, row by row."""

    def rows(table: list[Any]) -> dict[str, str]:
        return {
            f"{r.contract}.{r.role}": ", ".join(sorted(h.name for h in r.holders)) or "nobody" for r in table
        }

    recorded_rows, chain_rows = rows(recorded), rows(on_chain)
    if not recorded_rows:
        yield CheckResult("manifest role table", "roles", "a role table", "none in the manifest", False)
    for subject in sorted(recorded_rows.keys() | chain_rows.keys()):
        expected = recorded_rows.get(subject, "not in the manifest")
        actual = chain_rows.get(subject, "no such role")
        yield CheckResult("manifest role table", subject, expected, actual, expected == actual)


def results_table(results: list[CheckResult], title: str) -> Table:
    table = Table(title=title)
    for column in ("check", "subject", "expected", "on chain", ""):
        table.add_column(column)
    for r in results:
        mark = "[green]ok[/]" if r.ok else "[bold red]MISMATCH[/]"
        table.add_row(r.group, r.subject, r.expected, r.actual if r.ok else f"[red]{r.actual}[/]", mark)
    return table
