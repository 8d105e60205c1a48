"""Notices: the one in-app inbox of every user, and the e-mails that go with it.

A *notice* tells one user that something needs them: a report due or overdue, a report returned, an overdue case
step, a referral follow-up, an emergency access to their case, a case assigned to them, an assessment waiting
for their review. Any domain raises notices through ``services.notify`` / ``services.notify_all``; a notice's
*key* is unique, so a job run twice never notifies twice, and notices are inserted in one set-based statement that
skips existing keys. E-mails leave only after the transaction commits. Each user sees only their own notices
(``selectors.notices_for``), and only they mark them read. Notices carry no child's identity: a case number or a
report, never a name.
"""
