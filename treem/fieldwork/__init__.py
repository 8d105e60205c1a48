"""Fieldwork: the commune officer's offline entry in villages without a connection (thực địa).

Key terms: the *field page* (``/thuc-dia/``) is an installable web app — a manifest and a service worker — that keeps
working with the network off after one sign-in; a *field record* is one entry made on the device (a child's
measurement of a weighing day) with an *idempotency key*; a *sync receipt* is the server's answer to that key, kept
so a replayed sync creates nothing twice; a *conflict* is a field the server changed since the device's copy and the
device changed too — the officer chooses, nothing is overwritten silently.

Invariants: records reach the database only through the domains' own services (``nutrition.services``), with their
permission checks and scoping; every synced record is audited with its device time and its sync time; the device's
store is encrypted with a key derived from the officer's password (docs/offline.md). Commune officers only.
"""
