"""A user's authorization — permissions, record scopes, team tree — kept between requests, exactly as current as the
database.

Every signed-in request read the user's permissions (two queries), role scopes and the team tree (one each) before
it could decide anything. They change rarely, so each process keeps them per user, with the generation they were
read at: the sum of a counter that statement-level triggers move on at every write to a source (users' activity,
superuser flag and team; group memberships; user and group permissions; permissions and content types; role
scopes; the team tree — migration accounts 0004). The request reads the generation (one query) before it uses an
entry; a change becomes visible with its commit, whether it was saved through Django, a bulk ``UPDATE`` or raw SQL,
and a rolled-back change never moved it. The next request after a commit therefore reads everything afresh.

An entry is used and stored only where the generation and the entry come from the same committed state: outside a
transaction (inside one this connection may have written something still uncommitted — it would be cached under a
generation that a rollback gives back to another state) and on the primary database (a replica lags behind the
generation read on the primary). Everywhere else the user reads as before, once per user object.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from crm.db import read_alias

# The per-object caches that Django's ModelBackend and the user model keep (accounts.models.User).
CACHED = ("_user_perm_cache", "_group_perm_cache", "_perm_cache", "_record_scopes", "_scope_team_ids")
_LOADED = "_authorization_loaded"
_entries: dict = {}


def generation(using=DEFAULT_DB_ALIAS) -> int:
    """The number of committed writes to any source of authorization so far (never smaller than before: the
    counter's rows are only ever incremented)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(n), 0) FROM accounts_authorization_generation")
        return cursor.fetchone()[0]


def _cacheable() -> bool:
    return (
        settings.AUTHORIZATION_CACHE_USERS > 0
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and read_alias() == DEFAULT_DB_ALIAS
    )


def load(user) -> None:
    """Fill ``user``'s authorization caches from the process's entry when it is current, else read them and keep
    them. Once per user object; called by everything that reads them (accounts.backends.AuthorizationBackend,
    User.record_scope, User.scope_team_ids)."""
    state = user.__dict__
    if state.get(_LOADED) or user.pk is None:
        return
    state[_LOADED] = True
    if not _cacheable():
        return
    current = generation()
    # The user row is read afresh by every request; these columns also move the generation on.
    key = (user.pk, user.is_active, user.is_superuser, user.team_id)
    entry = _entries.get(key)
    if entry is not None and entry[0] == current:
        # Copies: a caller that changed a set in place must not change what the next request gets.
        state.update({name: value.copy() for name, value in entry[1].items()})
        return
    # Read afresh, whatever this object already held from before the generation was read.
    for name in CACHED:
        state.pop(name, None)
    # Imported here: Django's backends module reads the user model, which imports this module.
    from django.contrib.auth.backends import ModelBackend

    ModelBackend().get_all_permissions(user)
    user.record_scope("")
    user.scope_team_ids()
    values = {name: state[name].copy() for name in CACHED if name in state}
    if len(_entries) >= settings.AUTHORIZATION_CACHE_USERS:
        _entries.clear()
    _entries[key] = (current, values)


def forget() -> None:
    """Drop every process entry (tests; the generation alone keeps entries correct)."""
    _entries.clear()
