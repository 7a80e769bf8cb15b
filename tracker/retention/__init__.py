"""Retention: closed files kept for a set period per category, then anonymised so that the
statistics survive (see tracker/retention/service.py)."""
