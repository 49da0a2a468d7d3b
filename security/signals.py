"""Alerts react to what the behaviour log records."""
