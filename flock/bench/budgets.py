"""Budgets for benchmark keys, with the anchors they were set against (see docs/gas.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    limit: float
    kind: str  # "max": result <= limit; "min": result >= limit; "info": an anchor, never judged
    anchor: str = ""

    def met(self, value: float) -> bool:
        if self.kind == "info":
            return True
        return value <= self.limit if self.kind == "max" else value >= self.limit


def info(anchor: str) -> Budget:
    """A key reported for information, with what it compares to, never judged: absolute times on a
    shared machine measure the neighbours as much as the code (issue 16). Only gas and ratios fail."""
    return Budget(0, "info", anchor)


BUDGETS: dict[str, Budget] = {
    "gas.gm_lock_first": Budget(
        175_000,
        "max",
        "Synthetix StakingRewards first stake 130,347 (no votes); OpenZeppelin first delegate() 95,450; "
        "a plain OpenZeppelin ERC20Votes lock with a two-slot record 243,181",
    ),
    "gas.gm_slash_50_locks_vs_1": Budget(1.02, "max", "slashing is O(1) in the number of locks"),
    "gas.proxy_overhead": info(
        "issue 12: what a transaction pays to enter one upgradeable contract through its ERC-1967 proxy "
        "(cold implementation slot 2,100, cold implementation account 2,600, the delegatecall); a call "
        "that enters three (a task join: registry, gmFLOCK, emission controller) pays it three times"
    ),
    "gas.gm_kick": Budget(
        110_000,
        "max",
        "issue 11: a stranger removes an expired lock's boost; like gm_unlock (124,991 before issue 11) "
        "it moves the votes and the supply at a new timestamp, and those two checkpoints are most of it",
    ),
    "fuzz.staking_tx_per_second": info(
        "information only (earlier budget >= 500); ape through anvil: about 25 tx/s"
    ),
    "fuzz.tx_per_second": info(
        "information only (earlier budget >= 500, issue 7); judged as a ratio by fuzz.vs_anvil"
    ),
    "fuzz.vs_anvil": Budget(
        15,
        "min",
        "issue 16: the harness's transactions per second over anvil's (through ape's connection), the "
        "same derandomized whole-system sequence in the same run",
    ),
    # Governance, one-action proposal; "OZ Governor" = stock OpenZeppelin Governor 5 measurements
    # given in the governance issue. propose / queue / execute: within 10% of OZ's figures.
    "gas.gov_propose": Budget(75_123, "max", "OZ Governor propose 68,294 (+10%)"),
    "gas.gov_cast_vote": Budget(
        85_000,
        "max",
        "median of 20; OZ Governor without the late-quorum module 83,255 (first vote); Compound Bravo 90,827",
    ),
    "gas.gov_cast_vote_first": Budget(
        98_942, "max", "OZ Governor with the late-quorum module 98,942; without it 83,255"
    ),
    "gas.gov_queue": Budget(159_714, "max", "OZ Governor + TimelockControl queue 145,195 (+10%)"),
    "gas.gov_execute": Budget(131_110, "max", "OZ Governor + TimelockControl execute 119,191 (+10%)"),
    "gas.task_create": Budget(
        185_000,
        "max",
        "three new task slots, two for the by-state index and the creator's first gmFLOCK allocation "
        "(about 115,000 of fresh storage)",
    ),
    "gas.task_join": Budget(
        150_000,
        "max",
        "issue 4: a new participant of an approved task, gmFLOCK allocation and emission report "
        "included; budgets are cumulative per task, so no join writes an emission history slot "
        "(decision 236)",
    ),
    "gas.task_delegate": Budget(
        250_000,
        "max",
        "a new delegation: two member slots, the operator's pool (two slots on its first delegator), "
        "the allocation and the emission report",
    ),
    "gas.emission_checkpoint_1_task": Budget(
        120_000, "max", "one epoch opened: two epoch slots, the schedule state and one FLOCK mint"
    ),
    "gas.emission_checkpoint_500_tasks": Budget(
        120_000, "max", "the same epoch work with 500 approved tasks: nothing per task"
    ),
    "gas.emission_checkpoint_500_vs_1": Budget(
        1.05, "max", "the split is O(1) per epoch in the number of tasks"
    ),
    # FL Alliance rounds (issue 6)
    "gas.alliance_vote_commit": Budget(
        60_000,
        "max",
        "one commitment word rewritten (the secret's commitment slot), the entry's flags, the round's "
        "counter; a Governor vote (gas.gov_cast_vote) writes a fresh hasVoted slot",
    ),
    "gas.alliance_vote_reveal": Budget(
        130_000,
        "max",
        "the dearest reveal with two proposals: the stake for each proposal and the stake of its vote "
        "pattern written from zero (three fresh slots), the round's tally updated",
    ),
    "gas.alliance_settle_slash": Budget(
        293_000,
        "max",
        "issue 16 asked 180,000 (386,968 then, 83,000 of it opening an emission epoch); one transfer, no "
        "fresh slot in the round, one registry view; through four proxies (about 20,000); gmFLOCK's three "
        "fresh slots and the emission report are rules (decision 120)",
    ),
    "gas.alliance_settle_credit": Budget(
        70_000,
        "max",
        "issue 16 (84,313 then): a participant's first credit rewrites its owed slot, opened at its first "
        "enrollment and kept open by withdraw (decision 237); the reward counters share the reward's "
        "slot; through the proxy (decision 120)",
    ),
    # Rewards (issue 5): claims of a 100,000-leaf tree (17-level proofs), fresh recipients.
    # Issue 11: Arena models by commit-reveal, and a permissionless slash of an unrevealed commitment.
    "gas.submit_commit": Budget(
        80_000,
        "max",
        "one commitment slot written after the registry's task and role checks (two external views); "
        "a validator's score commitment is the same work",
    ),
    "gas.submit_reveal": Budget(
        66_000, "max", "the commitment recomputed and checked, the model hash stored, the URI in the event"
    ),
    "gas.arena_slash": Budget(
        380_000,
        "max",
        "a registry slash of a node with a delegator (gas.task_slash_operator, 276,332) plus the proof "
        "read from ArenaSubmissions, the offence recorded once, the keeper paid; an Alliance settled "
        "slash is 386,040",
    ),
    "gas.reward_post": Budget(
        120_000, "max", "issue 5: the post that completes a 2-of-3 oracle quorum, the same for any tree"
    ),
    "gas.reward_finalize": Budget(
        150_000,
        "max",
        "issue 16: a clone with immutable arguments instead of a full RewardPot per root (680,800): "
        "CREATE2 of 121 bytes of code, the pot's address kept in the root's slot (no fresh slot), the "
        "total moved into it",
    ),
    "gas.reward_claim_fresh": Budget(
        93_500,
        "max",
        "issue 16 asked 90,500, the floor of a pot with its own code (90,241 measured); a clone adds a cold "
        "DELEGATECALL (2,600) and the proxy and argument read (about 430): 93,269 (decision 67); a clone's "
        "storage, calls, logs and hashes alone are 89,209 (decision 121). Uniswap's MerkleDistributor on "
        "0.8 with OpenZeppelin's MerkleProof 90,995-92,711",
    ),
    "gas.reward_claim": Budget(
        89_800,
        "max",
        "average of 200 random leaves, fresh recipients; issue 16 asked 88,000 (86,466 with a pot of its "
        "own code); the clone's DELEGATECALL and argument read add about 3,030 (decisions 67, 121)",
    ),
    "oracle.merkle_vs_ozjs": Budget(
        1.0, "max", "goal: our tree build no slower than @openzeppelin/merkle-tree's, same leaves, same run"
    ),
    "oracle.scores_1m_seconds": info(
        "information only (earlier budget <= 15); 1,000,000 scores to a 100,000-leaf tree and report; "
        "judged as a ratio by oracle.merkle_vs_ozjs"
    ),
    "oracle.peak_mb": Budget(
        1_000, "max", "the oracle process: 1,000 score files parsed, ~100,000 allocations, a ~45 MB report"
    ),
    # API platform (issue 14)
    "gas.api_settle": Budget(
        260_000,
        "max",
        "issue 14: one epoch's usage of 1,000 users settled (2-of-3 operator posts + finalize), the same as "
        "for 10 users: a root, not a loop over users",
    ),
    "gas.api_settle_10_users": Budget(260_000, "max", "the same settlement for 10 users"),
    "gas.api_settle_1000_vs_10": Budget(
        1.001, "max", "settling is O(1) in users: only the calldata bytes of root, total and hash differ"
    ),
    "gas.api_charge": Budget(
        60_000, "max", "one user's charge applied lazily: bitmap word, account slot, model accrual, proof"
    ),
    "api.overhead_ratio": Budget(
        2.0, "max", "the gateway (HTTP, auth, metering in SQLite) at most doubles the in-process model's cost"
    ),
    "api.requests_per_second": info(
        "information only (earlier budget >= 10, an absolute rate; judged by api.overhead_ratio): "
        "16 concurrent openai clients, a 4-gram model, 32 tokens each"
    ),
}
