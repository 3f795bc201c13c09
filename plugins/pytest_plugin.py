"""pytest plugin (placeholder until the runtime verifier lands)."""
