"""The FLock API platform's gateway (docs/api.md): an OpenAI-compatible HTTP service serving the
models the network trained, metering usage per API key, and settling it on chain per epoch."""
