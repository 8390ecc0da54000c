"""Clients for the protocol's off-chain roles: training nodes, validators, FL Alliance participants."""
