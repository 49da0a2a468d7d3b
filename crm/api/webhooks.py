"""Webhooks: filled in below."""
