"""The chain layer: what every room of the suite (demo, dao, oracle, alliance, epoch, benchmarks,
tests) uses to reach a chain.

- ``codec``: the ABI codec (selectors, calldata, results, events, errors); pure Python, no ape.
- ``protocol``: the protocol deployed on the connected chain, contracts by plan key.
- ``clock``: the connected chain's clock (read it, mine at a time, move it on).
- ``local``: accounts on a local chain (impersonation, brand-new funded accounts).
"""
