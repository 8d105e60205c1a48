"""Reporting: the yearly reporting cycle of the plan — who must report, submissions, review, reminders, and the
consolidated provincial report; DHIS2-compatible data exchange.
"""
