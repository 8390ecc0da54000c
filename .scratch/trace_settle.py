"""Scratch: per-frame gas of one settle_slash and one settle_credit (callTracer), not committed."""
from ape import chain, networks
from flock.bench.gas_alliance import _play, _open_epoch


def frames(node, depth=0, out=None):
    out = [] if out is None else out
    out.append((depth, node.get("type"), node.get("to"), node.get("input", "")[:10], int(node.get("gasUsed", "0x0"), 16)))
    for c in node.get("calls", []) or []:
        frames(c, depth + 1, out)
    return out


def main():
    with networks.parse_network_choice("ethereum:local:foundry"):
        gas, h = _play(4, losing_voter=True)
        d, p = h["driver"], h["p"]
        names = {}
        for k in ("alliance", "tasks", "gmflock", "emissions", "token"):
            names[str(getattr(p, k).address).lower()] = k
        _open_epoch(h)
        for who in (h["voters"][0], h["proposers"][0]):
            tx = d.settle([who])
            print("settle", tx.gas_used)
            t = chain.provider.make_request("debug_traceTransaction", [tx.txn_hash.hex() if hasattr(tx.txn_hash,'hex') else tx.txn_hash, {"tracer": "callTracer"}])
            for depth, typ, to, sel, g in frames(t):
                print("  " * depth, typ, names.get((to or "").lower(), to), sel, g)


main()
