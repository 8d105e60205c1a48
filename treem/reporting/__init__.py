"""Reporting: the yearly reporting cycle of the plan — who must report, submissions, review, reminders, and the
consolidated provincial report; DHIS2-compatible data exchange.

Key terms: a *reporting cycle* (kỳ báo cáo) is one year of a plan with an opening date, a deadline (by default 1
December 23:59, Asia/Ho_Chi_Minh) and a lock date; the *expected reporters* are derived from the plan and the
hierarchy valid on 31 December of the year (every agency carrying a duty, every commune, and before 2025 every
district); each has one *submission* (báo cáo) with its figures, its progress on each duty (status, results,
difficulties, proposals, evidence files) and a narrative. *Validation rules* are data (``ValidationRule``).

Invariants: a submission moves only through ``services.TRANSITIONS`` (draft → submitted → returned | approved;
returned → submitted); every submission stores a ``SubmissionVersion``; an approved submission is locked, and so
are the figures it governs, on the page and in imports; lateness is decided by the server's clock at the first
submission, against the cycle's deadline; the same rules check figures from the page, the API and DHIS2 imports.

Who may do what: agency reporters and commune officers write and submit their own report (an agency reporter sees
only their agency's, a commune officer only their commune's); coordinators and administrators review, return and
approve every report and open cycles; leaders read the status board and the consolidated report.
"""
