"""Bring a database to the current schema and bind it to this deployment."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import select

from careapp.server.clock import Clock
from careapp.server.config import ConfigError, ServerConfig
from careapp.server.db import Database
from careapp.server.models import Deployment, FeedState

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(db: Database) -> None:
    # "heads", not "head": a feature may add its tables on a branch of its own until the next merge.
    cfg = alembic_config(db)
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")


def bind_deployment(db: Database, config: ServerConfig, clock: Clock) -> None:
    """Stamp a fresh database with region+environment; refuse one that belongs elsewhere."""
    with db.transaction() as session:
        row = session.get(Deployment, 1)
        if row is None:
            session.add(
                Deployment(id=1, region=config.region, environment=config.environment, created_at=clock.now())
            )
            session.add(FeedState(id=1, pruned_through=0))
        elif (row.region, row.environment) != (config.region, config.environment):
            raise ConfigError(
                f"this database belongs to {row.region}/{row.environment}, "
                f"not {config.deployment}: data never crosses regions or environments"
            )
        if session.scalar(select(FeedState).where(FeedState.id == 1)) is None:
            session.add(FeedState(id=1, pruned_through=0))


def prepare(db: Database, config: ServerConfig, clock: Clock) -> None:
    upgrade(db)
    bind_deployment(db, config, clock)
