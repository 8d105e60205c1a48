"""Accounts: who may use treem, in which role, over which part of the hierarchy.

Key terms: a ``User`` has one or more ``Assignment`` rows — a ``Role`` (Quản trị hệ thống, Điều phối tỉnh, Lãnh đạo,
Cán bộ cơ quan, Cán bộ xã, Quản lý trường hợp and their supervisor), an org unit whose whole subtree it covers, and
optionally an agency. A *capability* (``hierarchy.view``, ``audit.view``…) is what a role may do;
``ROLE_CAPABILITIES`` is the one table that grants them.

Invariants: a user with no active assignment sees nothing — ``visible_to`` returns an empty queryset, and accessors
answer 404 whether an object is missing or outside the user's subtree. Every URL and API route declares the
capability it needs (or ``public``); a test walks them all.

Who may do what: system administrators manage users and assignments; everyone else only signs in and out.
"""
