"""FL Alliance: the federated client, its model and data, and the AllianceRounds vocabulary."""
