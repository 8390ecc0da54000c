"""Small language models that train and run here, offline, and the evaluator interface."""
