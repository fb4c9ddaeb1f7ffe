"""Use cases: one module per flow (DESIGN §5b): read inputs, call core, write, outcome."""
