"""Clients for the protocol's off-chain roles: training nodes, validators, FL Alliance participants."""

from ape.exceptions import ApeException


class ClientError(ApeException):
    """A client cannot do what was asked now; the message says why and what to do."""
