"""The network rules (flock.chain.network), stated once: which chains are throwaway, which are ours,
whose clock may move."""

from __future__ import annotations

import pytest

from flock.chain.network import clock_can_move, is_dev, is_local, network_name


@pytest.mark.parametrize(
    ("choice", "name"),
    [
        ("ethereum:local:foundry", "local"),
        ("ethereum:local", "local"),
        ("ethereum", "local"),
        ("base:sepolia", "sepolia"),
        ("base:sepolia-fork:foundry", "sepolia-fork"),
        ("base:rehearsal:http://127.0.0.1:8545", "rehearsal"),
    ],
)
def test_the_network_of_a_choice(choice, name):
    assert network_name(choice) == name


@pytest.mark.parametrize(
    ("name", "local", "dev", "clock"),
    [
        ("local", True, True, True),  # ape's throwaway anvil
        ("sepolia-fork", False, True, True),  # a fork in a local node
        ("mainnet-fork", False, True, True),
        ("rehearsal", False, False, True),  # the Base rehearsal anvil: not ape's dev chain, our clock
        ("sepolia", False, False, False),  # live networks: nothing of ours
        ("mainnet", False, False, False),
    ],
)
def test_the_rules_of_a_network(name, local, dev, clock):
    assert (is_local(name), is_dev(name), clock_can_move(name)) == (local, dev, clock)
