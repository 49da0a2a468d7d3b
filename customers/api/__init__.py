"""The customers app's REST API (mounted under /api/v1/ by crm/api/urls.py) and its webhook resources."""
