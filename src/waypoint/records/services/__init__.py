"""Every write of the records app, one module per area; each service is keyword-only and runs in one
transaction with its audit row."""
