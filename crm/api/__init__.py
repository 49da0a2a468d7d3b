"""What every app's REST API shares: token authentication, permissions, keyset pagination, throttling,
optimistic locking, idempotency, upsert and bulk writes, the schema and docs, and the webhook engine.

Each app keeps its own API next to its views (``<app>/api/``: serializers and viewsets that call the
app's services and selectors); this package imports no app.
"""
