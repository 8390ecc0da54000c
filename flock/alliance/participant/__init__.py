"""One FL Alliance participant on a live network (`ape run participant`): ``core`` decides and does
what is due for one account from the chain alone, ``state`` keeps its secrets on disk before each
commitment, ``data`` loads its private data, ``cli`` is the command group (docs/alliance.md,
decisions 218-221)."""
