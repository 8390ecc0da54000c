"""The chain layer: what every room of the suite (demo, dao, oracle, alliance, the epoch, the
gateway, benchmarks, tests) uses to reach a chain. It imports nothing of the project above
``flock.paths`` and ``flock.files`` (docs/architecture.md, "Python side").

- ``manifest``: the deployment record a deploy writes and every room reads.
- ``protocol``: one handle on a deployed protocol (``ProtocolHandle``; ``LiveProtocol`` on the
  connected chain, opened from its manifest only on the chain the manifest describes).
- ``network``: which networks are ours and whose clock may move, stated once.
- ``clock``: the connected chain's clock (read it, mine at a time, move it on).
- ``local``: accounts on a local chain (impersonation, brand-new funded accounts).
- ``budgets``: one task's emission budget per epoch, from the emission controller's events.
- ``erc1967``: where a proxy keeps its implementation (the slot, and the address in it).
- ``codec``: the ABI codec (selectors, calldata, results, events, errors); pure Python, no ape.
"""
