"""Writes of the sales app, one module per entity; each is one transaction with its audit entry."""
