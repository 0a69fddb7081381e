"""Promotion of care flow definitions between environments (Sandbox ⇄ Production, one region).

source.py and destination.py apply careapp.domain.promotion's rules on each side; api.py is the
admin API; status.py answers the desktop's admin view; client.py is `careapp-server promote`.
"""
