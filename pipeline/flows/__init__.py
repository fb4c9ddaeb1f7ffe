"""Use cases: one module per flow (each stage, each daily run, each operator write)."""
