"""The protocol demo: chapters that run one after another on a fresh local deployment."""
