"""The chain layer: what every room of the suite uses to reach a chain (the deployment manifest, the
ABI codec, the protocol deployed on the connected chain)."""
