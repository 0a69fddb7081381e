"""Pure rules and value objects. Imports nothing else of careapp; no Qt, SQLAlchemy or HTTP."""
