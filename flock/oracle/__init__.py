"""The validator scoring oracle: scores in, reward Merkle tree and report out."""
