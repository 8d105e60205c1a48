"""Hierarchy: the administrative units (đơn vị hành chính) and the agencies (cơ quan), both effective-dated.

Key terms: an ``OrgUnit`` is one unit *as it was during its validity* (``valid_from``–``valid_to``, both inclusive;
an empty ``valid_from`` means "since before our records"). Its ``path`` (``/12/105/03386/``) places it under its
ancestors; a subtree is a prefix filter on the path. The same statistics-office code may be reused by a new unit
after a reorganisation (new commune 03388 is not old commune 03388), so a unit is identified by its ``uid``; its
code is unique only on a given date. ``Lineage`` records that a unit's territory passed to another from a date
(merge, split, rename). ``Village`` (thôn, bản, tổ dân phố) sits under a commune. ``Agency`` is a provincial body
named in a plan, with its own lineage; ``CoordinatingAgency`` says which agency coordinates children's affairs from
which date (Sở LĐTBXH until 2025, Sở Y tế since).

Invariants: no two units with the same code are valid on the same day; every unit that ends has at least one
successor, unless it is a level that was abolished and all of its children moved; history is never deleted —
a change ends a unit's validity and creates the new units.

Who may do what: anyone with an assignment reads the units of their subtree; only a system administrator records
a reorganisation or imports villages.
"""
