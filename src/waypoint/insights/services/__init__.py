"""Every write of insights: one module per area, each write one transaction with its audit row."""
