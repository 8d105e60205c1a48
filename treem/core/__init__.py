"""Core: what every other domain stands on.

Key terms: ``BaseModel`` (timestamps every record carries), ``AuditEvent`` (an immutable row recording who did what
to which object, with the values before and after), ``EthnicGroup`` (the coded list of Vietnam's 54 ethnic groups,
with the code system it belongs to), ``public`` (the marker for the few URLs anybody may open).

Invariants: audit rows are only ever inserted — nothing in the application updates or deletes one (on PostgreSQL a
trigger enforces it). Every write service records exactly one audit row in its own transaction.

Core imports no other treem app.
"""
