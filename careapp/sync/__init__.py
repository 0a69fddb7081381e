"""Outbox push and change-feed pull (no Qt; the UI runs passes off the GUI thread).

engine = SyncEngine(db, lambda: open_client(profile, base_url=url), acting_user=lambda: username)
report = engine.run_once()            # worker thread, e.g. every engine.next_delay() seconds
engine.run_once(force=True)           # "Sync now"
engine.status()                       # SyncStatus for the status bar (any thread)
engine.needs_attention()              # refused changes; engine.retry/discard(admin, id)
engine.stop()                         # before quitting: the running pass ends after its batch
"""

from careapp.sync.engine import SyncEngine, SyncReport, last_sync_time, username_of
from careapp.sync.status import AttentionItem, SyncStatus

__all__ = ["AttentionItem", "SyncEngine", "SyncReport", "SyncStatus", "last_sync_time", "username_of"]
