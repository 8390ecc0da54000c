"""Every user's routine jobs on a deployed suite, as library calls the command lines wrap:
stake (lock, extend, unlock, vote delegation), tasks (create, join, add stake, sigma, delegate,
undelegate, release), FL Alliance credits (show, withdraw), the keeper's epoch checkpoint and
provable Arena slashes, vested reward release, and the guardian's veto of accepted roots and usage
reports. Each function checks first what the contract would refuse and says it in words
(:class:`OpsError`), then sends its transaction(s) and reports what it did.
"""

from ape.exceptions import ApeException


class OpsError(ApeException):
    """The job cannot be done now; the message says why and what to do."""
