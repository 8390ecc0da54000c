"""What the system property suite learns from every transaction's events, on the harness.

A ``Watch`` is a ``Chain`` observer (``chain.observers``): it keeps a FLOCK ledger built only from
``Transfer`` events (mints and burns included), the role model built only from ``RoleGranted`` /
``RoleRevoked`` events sent by an account the model says holds the role's admin role, and the
contracts the timelock called; and it checks, transaction by transaction, that every slash's FLOCK
was routed exactly as its events say (INV-07), that gmFLOCK never moved between accounts (INV-03)
and that FLOCK left the treasury only when the timelock sent the transaction (INV-09). Whatever it
finds wrong goes to ``problems``, which the machine's invariants require to be empty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from flock.harness.evm import Event

ZERO = "0x" + "00" * 20
ADMIN = bytes(32)  # DEFAULT_ADMIN_ROLE


@dataclass
class Watch:
    """The FLOCK ledger, the role model and the per-transaction checks of one example."""

    token: str
    gmflock: str
    tasks: str
    alliance: str
    timelock: str
    emissions: str
    balances: Counter[str]
    roles: dict[tuple[str, bytes], set[str]]  # (contract, role) -> holders
    role_admins: dict[tuple[str, bytes], bytes]
    minted: int = 0
    burned: int = 0
    drawn: int = 0  # FLOCK out of the emission controller
    dirty: set[str] = field(default_factory=set)  # holders whose balance changed since the last check
    governed: set[str] = field(default_factory=set)  # contracts the timelock called since the last check
    touched: set[str] = field(default_factory=set)  # contracts called or emitting since the last check
    gm_holders: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    transactions: int = 0
    gm_changes: int = 0  # transactions with a gmFLOCK event: balances, locks, allocations or votes moved
    now: Callable[[], int] = lambda: 0  # the chain's clock
    mark: int | None = None  # a timepoint whose state was recorded; None once a transaction follows

    def fresh(self, now: Callable[[], int]) -> Watch:
        """A copy of this (surveyed) watch for a new example: the same ledger and role model, nothing
        seen yet, reading time from ``now``."""
        return Watch(
            token=self.token,
            gmflock=self.gmflock,
            tasks=self.tasks,
            alliance=self.alliance,
            timelock=self.timelock,
            emissions=self.emissions,
            balances=Counter(self.balances),
            roles={k: set(v) for k, v in self.roles.items()},
            role_admins=self.role_admins,
            now=now,
        )

    def __call__(self, sender: str, to: str, events: list[Event]) -> None:
        self.transactions += 1
        if self.mark is not None and self.now() == self.mark:
            self.mark = None  # the recorded state of this timepoint is not its final state
        if sender == self.timelock:
            self.governed.add(to)
        self.touched.add(to)
        self.touched.update(e.address for e in events)
        for event in events:
            if event.name == "Transfer" and event.address == self.token:
                self._flock_transfer(sender, event)
            elif event.name == "Transfer" and event.address == self.gmflock:
                self._gm_transfer(event)
            elif event.name in ("RoleGranted", "RoleRevoked"):
                self._role_change(event)
        self._check_slashes(events)
        if any(e.address == self.gmflock for e in events):
            self.gm_changes += 1

    # ------------------------------------------------------------------ FLOCK and gmFLOCK

    def _flock_transfer(self, sender: str, event: Event) -> None:
        src, dst, value = event["from"], event["to"], event["value"]
        if src == ZERO:
            self.minted += value
            if dst != self.emissions:
                self.problems.append(f"FLOCK minted to {dst}, not by the emission controller")
        else:
            self.balances[src] -= value
            self.dirty.add(src)
        if dst == ZERO:
            self.burned += value
        else:
            self.balances[dst] += value
            self.dirty.add(dst)
        if src == self.emissions:
            self.drawn += value
        if src == self.timelock and sender != self.timelock:
            self.problems.append(f"{value} FLOCK left the treasury in a transaction sent by {sender}")

    def _gm_transfer(self, event: Event) -> None:
        src, dst = event["from"], event["to"]
        if src != ZERO and dst != ZERO:
            self.problems.append(f"gmFLOCK moved from {src} to {dst}")
        self.gm_holders.update(a for a in (src, dst) if a != ZERO)

    # ------------------------------------------------------------------ roles (INV-09)

    def _role_change(self, event: Event) -> None:
        key = (event.address, bytes(event["role"]))
        if key not in self.role_admins:
            self.problems.append(f"role {key[1].hex()} of {key[0]} is not in the model")
            return
        admin_holders = self.roles.get((event.address, self.role_admins[key]), set())
        if event["sender"] not in admin_holders:
            self.problems.append(f"{event.name} of {key[1].hex()} on {key[0]} by {event['sender']}, no admin")
        holders = self.roles.setdefault(key, set())
        if event.name == "RoleGranted":
            holders.add(event["account"])
        else:
            holders.discard(event["account"])

    # ------------------------------------------------------------------ slashes (INV-07)

    def _check_slashes(self, events: list[Event]) -> None:
        """Per transaction: FLOCK out of gmFLOCK = seized by its slashes + unlocked; every registry
        slash's seized FLOCK = recipient + keeper + burned; every alliance slash's = honest +
        finalizer; FLOCK from the alliance to gmFLOCK = its relocks; a delegator's synced loss =
        keeper share + what stays in the task's pot."""
        gm_out = sum(
            e["value"]
            for e in events
            if e.name == "Transfer" and e.address == self.token and e["from"] == self.gmflock
        )
        seized = sum(e["flock"] for e in events if e.name == "Slashed" and e.address == self.gmflock)
        unlocked = sum(e["amount"] for e in events if e.name == "Unlocked" and e.address == self.gmflock)
        if gm_out != seized + unlocked:
            self.problems.append(f"gmFLOCK paid out {gm_out} FLOCK; slashes {seized} + unlocks {unlocked}")
        registry = [e for e in events if e.address == self.tasks]
        slashed = [e for e in registry if e.name == "Slashed"]
        routed = [e for e in registry if e.name == "SlashRouted"]
        if len(slashed) != len(routed):
            self.problems.append(f"{len(slashed)} registry slashes but {len(routed)} routings")
        for s, r in zip(slashed, routed, strict=False):
            paid = r["recipientAmount"] + r["keeperAmount"] + r["burned"]
            if paid != s["flockSeized"]:
                self.problems.append(f"registry slash seized {s['flockSeized']} FLOCK, routed {paid}")
        arena = [e for e in events if e.name == "ArenaSlashed"]
        for a in arena:  # each Arena slash is one registry slash of the same account and amounts
            match = [
                s
                for s in slashed
                if (s["account"], s["gmAmount"], s["flockSeized"])
                == (a["account"], a["gmAmount"], a["flockSeized"])
            ]
            if len(match) != 1:
                self.problems.append(f"Arena slash of {a['account']} has no matching registry slash")
        for e in registry:
            if e.name == "DelegatorSynced" and e["keeperAmount"] > e["flockSeized"]:
                self.problems.append(f"sync paid the keeper {e['keeperAmount']} of {e['flockSeized']} seized")
        # decision 195: the alliance pays shares of slashes only as locks; FLOCK it sends gmFLOCK =
        # the amounts its `Relocked` events name (each one lock of the withdrawing account)
        relocked = sum(e["amount"] for e in events if e.name == "Relocked" and e.address == self.alliance)
        to_locks = sum(
            e["value"]
            for e in events
            if e.name == "Transfer"
            and e.address == self.token
            and (e["from"], e["to"]) == (self.alliance, self.gmflock)
        )
        if to_locks != relocked:
            self.problems.append(f"the alliance sent gmFLOCK {to_locks} FLOCK, relocked {relocked}")
        for e in events:
            if e.name != "ParticipantSlashed" or e.address != self.alliance:
                continue
            if e["flockSeized"] != e["toHonest"] + e["toFinalizer"]:
                self.problems.append(
                    f"alliance slash seized {e['flockSeized']}, routed {e['toHonest']}+{e['toFinalizer']}"
                )
