"""How much of a vote one genesis holder could carry alone, in the worst case (docs/security.md,
"Genesis distribution").

The governor's quorum is a fraction q of gmFLOCK's total supply at a proposal's snapshot, and a vote
counts gmFLOCK, which is FLOCK locked times a boost of up to ``boost(max_lock_duration)`` (about 3x).
The rule checked here, for every account A and at every moment of the vesting schedules:

    share(A, t) = b_max x a(t) / (b_max x a(t) + b_min x o(t))  <  limit  (at most q)

where ``a(t)`` is the FLOCK A can lock at ``t`` (its genesis mint plus what its vesting wallets have
vested by then, released at once), ``o(t)`` the same for everybody else together, ``b_max`` the
boost of the longest lock and ``b_min`` that of the shortest. It is the worst case for the rest of
the holders: the attacker locks everything for the longest boost, everyone else locks everything
for the shortest one (or earlier at a lower boost), and nobody else votes "for". Below ``q`` the
attacker's votes stay short of the quorum however the others vote, so nothing passes on them alone.

Not counted as voting power: the treasury (the timelock's FLOCK moves only by a passed proposal),
FLOCK still vesting (a vesting wallet has no call but ``release`` to its owner: it cannot lock), and
the zero address. Between two breakpoints (a start, a cliff, an end) every ``a`` and ``o`` is affine in
time, so the share is monotone there and its worst value lies at a breakpoint, or just before one
(a cliff releases a step). So the shares are evaluated at each breakpoint and one second before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from flock.deploy.config import ZERO_ADDRESS, DeployConfig

WAD = 10**18


@dataclass(frozen=True)
class Wallet:
    """A vesting wallet's schedule, as OpenZeppelin's ``VestingWalletCliff`` computes it."""

    amount: int
    start: int
    cliff: int  # absolute timestamp
    end: int

    def vested(self, t: int) -> int:
        if t < self.cliff or t < self.start:
            return 0
        if t >= self.end:
            return self.amount
        return self.amount * (t - self.start) // (self.end - self.start)


@dataclass
class Distribution:
    """The genesis as voting power: FLOCK each account can lock from the start, vesting wallets by
    beneficiary, and the longest and shortest lock's boosts (x 1e18)."""

    liquid: dict[str, int] = field(default_factory=dict)
    vesting: dict[str, list[Wallet]] = field(default_factory=dict)
    max_boost: int = WAD
    min_boost: int = WAD

    def add_liquid(self, account: str, amount: int) -> None:
        key = account.lower()
        self.liquid[key] = self.liquid.get(key, 0) + amount

    def add_wallet(self, beneficiary: str, wallet: Wallet) -> None:
        self.vesting.setdefault(beneficiary.lower(), []).append(wallet)

    def accounts(self) -> set[str]:
        return set(self.liquid) | set(self.vesting)

    def lockable(self, account: str, t: int) -> int:
        """FLOCK ``account`` can lock at ``t``: its genesis mint and everything vested by then."""
        return self.liquid.get(account, 0) + sum(w.vested(t) for w in self.vesting.get(account, ()))

    def breakpoints(self, genesis: int) -> list[int]:
        """``genesis`` and, after it, every start, cliff and end, and the second before each."""
        points = {genesis}
        for wallets in self.vesting.values():
            for w in wallets:
                points.update(
                    p for edge in (w.start, w.cliff, w.end) for p in (edge - 1, edge) if p > genesis
                )
        return sorted(points)


@dataclass(frozen=True)
class HolderShare:
    """An account's worst share of the voting power and when it has it."""

    account: str
    share: Fraction
    at: int
    lockable: int  # the account's FLOCK at that moment
    others: int  # everyone else's

    @property
    def percent(self) -> Decimal:
        return Decimal(self.share.numerator * 100) / Decimal(self.share.denominator)


def share(d: Distribution, own: int, others: int) -> Fraction:
    attacker = d.max_boost * own
    total = attacker + d.min_boost * others
    return Fraction(attacker, total) if total else Fraction(0)


def worst_shares(d: Distribution, genesis: int) -> list[HolderShare]:
    """Every account's worst share over the vesting schedules, largest first."""
    worst: dict[str, HolderShare] = {}
    accounts = sorted(d.accounts())
    for t in d.breakpoints(genesis):
        held = {a: d.lockable(a, t) for a in accounts}
        total = sum(held.values())
        for account in accounts:
            s = share(d, held[account], total - held[account])
            if account not in worst or s > worst[account].share:
                worst[account] = HolderShare(account, s, t, held[account], total - held[account])
    return sorted(worst.values(), key=lambda h: (-h.share, h.account))


def from_config(
    config: DeployConfig,
    resolve: Callable[[str], str],
    genesis: int,
    wallets: Callable[[str], tuple[str, Wallet]] | None = None,
    boosts: tuple[int, int] | None = None,
) -> Distribution:
    """The config's genesis as voting power. ``resolve`` turns address references into addresses
    (the treasury into the timelock, which is left out). ``genesis`` is the deployment time: a
    vesting start of 0 means it. ``wallets(key)``, where given, reads a deployed wallet's owner and
    schedule (``deploy verify``: the chain's, not the config's); ``boosts`` (max, min) overrides the
    config's."""
    g = config.gmflock
    max_boost, min_boost = boosts or (g.boost_wad(g.max_lock_duration), g.boost_wad(g.min_lock_duration))
    d = Distribution(max_boost=max_boost, min_boost=min_boost)
    excluded = {resolve("treasury").lower(), ZERO_ADDRESS, "treasury"}
    for grant in config.token.grants():
        beneficiary = resolve(grant.recipient)
        if beneficiary.lower() in excluded:
            continue
        if grant.vesting is None:
            d.add_liquid(beneficiary, grant.wei)
            continue
        schedule = grant.vesting
        start = schedule.start or genesis
        wallet = Wallet(grant.wei, start, start + schedule.cliff, start + schedule.duration)
        if wallets is not None and grant.key is not None:
            beneficiary, wallet = wallets(grant.key)
        d.add_wallet(beneficiary, wallet)
    return d


def failures(shares: Iterable[HolderShare], limit_percent: Decimal) -> list[HolderShare]:
    """The holders whose worst share reaches the limit (the rule is strictly below it)."""
    return [h for h in shares if h.percent >= limit_percent]


def _symbolic(reference: str) -> str:
    """Before deployment, ``deployer`` and ``treasury`` are names, not yet addresses."""
    return reference


def config_failures(config: DeployConfig, now: int) -> list[HolderShare]:
    """The genesis holders of ``config`` at or above its voting-share limit, checked before anything
    is deployed (the treasury by name; vesting that starts at deployment starting ``now``)."""
    return failures(worst_shares(from_config(config, _symbolic, now), now), config.voting_share_limit)


def refusal(config: DeployConfig, now: int) -> str | None:
    """One line saying why ``config``'s genesis hands the DAO to one account, or None."""
    failed = config_failures(config, now)
    if not failed:
        return None
    worst = failed[0]
    return (
        f"the genesis gives {worst.account} {worst.percent:.2f}% of the worst-case voting power, at or "
        f"above token.max_voting_share ({config.voting_share_limit}%): one account could pass proposals "
        'alone; spread the genesis (docs/security.md, "Genesis distribution")'
    )
