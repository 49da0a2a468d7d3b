"""Users and teams over the API: read only, the few fields other records refer to (owner, team)."""
