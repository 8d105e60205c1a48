"""Protection: child-protection case management under Decree 56/2017/NĐ-CP, and the injury/incident register.

Case files are the most sensitive data treem keeps: a case is visible only to its assigned workers, their supervisor
and the commune's protection lead; everyone else sees counts without identities.

Key terms: a *case* (trường hợp) goes through *steps* — receive, verify and assess the initial risk, detailed
assessment, support and intervention *plan* approved by the commune chair, *services*, *review* (risk Cao / Trung
bình / Thấp), close or a new plan — each with its structured form and printable form (Mẫu 01–06) and a deadline on
the working-day calendar. A *referral* asks another agency for help and keeps the case with its worker; a *transfer*
hands the case over. *Breaking the glass* opens a case for a written reason, audited and notified. The *incident
register* keeps injuries and abuse reports without names.

Invariants: one open step per case; a step done once; every opening, print and export of a case audited; a case
changed only from its current ``version`` (a stale save is refused, nothing is lost); deletes are soft.

Who may do what: case workers, supervisors and commune officers work the cases assigned to them (and supervisors the
cases of their team, the protection lead those of the commune); case workers and supervisors may break the glass
within their scope; leaders, coordinators and administrators see figures; officers, workers, supervisors and
coordinators keep and read the incident register.
"""
