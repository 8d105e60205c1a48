"""Registry: the commune child database (cơ sở dữ liệu trẻ em cấp xã).

Key terms: the child record with its history, residences, guardians, the 14 groups of children in special
circumstances (Article 10 of the Law on Children 2016), consent (Decree 13/2023); imports of the communes' Excel
files where every row ends created, updated or rejected with a reason; standardisation of names, dates, sexes,
ethnic groups and ID numbers; duplicate detection and merging; counts for the indicator engine.

Invariants: nothing is hard-deleted (soft delete, merge); every change is an audit event on the child; an import is
one transaction and ``rows == created + updated + rejected``.

Who may do what: commune officers (and the provincial coordinator) see, edit, import, export and merge the children
of their communes; case workers and supervisors read them; leaders, administrators and agencies see counts only.
"""
