"""The password hasher: Argon2id with the parameters OWASP's Password Storage Cheat Sheet gives as its first
choice (19 MiB of memory, 2 passes, 1 lane) instead of Django's default (100 MiB, 2 passes, 8 lanes).

Django's default costs about 270 ms of a core per sign-in; twenty officers signing in within the same minute near
the reporting deadline then hold every server worker. These parameters cost about 45 ms and still make each guess
cost 19 MiB of memory; the sign-in lockout (django-axes) bounds online guessing. The algorithm name stays
``argon2``: hashes made with Django's parameters still verify and are rehashed with these at the next sign-in
(Django's ``must_update``). See docs/security.md.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class TreemArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
