"""The records app's forms, one module per area."""
