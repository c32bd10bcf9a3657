"""The insights pages, one module per area."""
