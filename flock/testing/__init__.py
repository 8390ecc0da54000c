"""Reusable test machinery: Hypothesis state machines over the in-process harness."""
