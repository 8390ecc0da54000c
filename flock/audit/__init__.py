"""Static analysis of the contracts (slither) and its triage."""
