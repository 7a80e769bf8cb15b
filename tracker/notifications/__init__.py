"""Notifications: who is told of what, in the tracker and by mail (see service.py, mail.py)."""
