"""careapp-server: the regional backend (FastAPI + Jinja2 + SQLAlchemy)."""
