"""FLock protocol suite: the Python side (deployment, oracle, clients, test harness)."""
