"""The records app's reads, one module per area; every read of a student's record asks the access policy and
is audited."""
