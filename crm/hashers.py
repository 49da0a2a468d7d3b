"""The password hasher: Argon2id with OWASP's recommended minimum (19 MiB memory, 2 passes, 1 lane).

Django's PBKDF2 default (1,000,000 iterations) and its Argon2 default (100 MiB, 8 lanes) cost
seconds per sign-in on a small, busy server with two cores. Argon2id is memory-hard, so this setting
resists GPU guessing at least as well while a sign-in checks the password in about a tenth of a second.
Hashes made with other parameters or by PBKDF2 are rehashed with these on the user's next sign-in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2PasswordHasher


class Argon2PasswordHasher(DjangoArgon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
