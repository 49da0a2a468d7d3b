"""Signals marketing sends for apps to its right to act on.

``prospect_captured`` is sent when someone who may not be a customer yet shows interest through a
campaign: an event registration, a web-to-lead form. Marketing cannot import sales (the layering),
so the sales app connects a receiver that turns the prospect into a lead attributed to the campaign.

Arguments: ``campaign`` (a Campaign), ``name``, ``company``, ``email``, ``phone``, ``source``
(a short text such as "event" or "web_form"), ``actor`` (the user acting, or None for public pages),
and ``reference`` (a string unique per capture, such as ``"registration:42"``, so a receiver can stay
idempotent when the same capture is sent twice).
"""

from django.dispatch import Signal

prospect_captured = Signal()
