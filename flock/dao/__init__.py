"""The DAO operator's tools behind `ape run dao`: build proposals from templates or files, decode
them, simulate them as the timelock, and take them through vote, queue and execute.

- ``deployment``: the deployed contracts (from the manifest), names for addresses and roles;
- ``actions``: one call of a proposal, argument parsing, calldata encoding and decoding;
- ``templates``: the registry of proposal templates (one place for every issue's templates);
- ``proposals``: proposals from the governor's events, their state and the lifecycle transactions;
- ``simulate``: run a draft or a proposal on a snapshot of a local or forked chain, then revert;
- ``render``: tables and panels for the terminal;
- ``cli``: the click command line (scripts/dao.py exposes it).
"""
