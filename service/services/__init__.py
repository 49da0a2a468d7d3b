"""Writes of the service app, one module per subject: tickets, SLA, the public pages, surveys, knowledge base."""
