"""Two real deployments on loopback: EU Sandbox and EU Production, each with its own database."""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from careapp.server.cli import main as cli_main
from careapp.server.tests.harness import ServerProcess, make_api_key

SECRET = "pl41ntext-c0ncealed-PACS-token-7f3a9"


@dataclass
class Deployment:
    server: ServerProcess
    key: str
    key_file: Path

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def db_url(self) -> str:
        return self.server.db_url

    def client(self, key: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {key or self.key}"}, timeout=30
        )

    def sql(self, query: str, **params: Any) -> list[Any]:
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(query), params))
        finally:
            engine.dispose()


def _deployment(workdir: Path, env: str) -> Iterator[Deployment]:
    db_url = f"sqlite:///{workdir / f'{env}.sqlite3'}"
    key = make_api_key(db_url, "admin", "eu", env)
    key_file = workdir / f"{env}-admin-api-key.txt"
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    server = ServerProcess(db_url, workdir, region="eu", env=env)
    with server.running():
        yield Deployment(server, key, key_file)
    assert "Traceback" not in server.log()
    assert SECRET not in server.log()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    yield from _deployment(tmp_path_factory.mktemp("sandbox"), "sandbox")


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    yield from _deployment(tmp_path_factory.mktemp("production"), "production")


@dataclass
class Run:
    code: int
    out: str
    err: str


def promote(source: Deployment, destination: Deployment, definition_id: str, *extra: str) -> Run:
    """careapp-server promote, keys read from files (never on the command line)."""
    out, err = io.StringIO(), io.StringIO()
    argv = [
        "promote",
        "--from",
        source.url,
        "--to",
        destination.url,
        "--care-flow",
        definition_id,
        "--from-key-file",
        str(source.key_file),
        "--to-key-file",
        str(destination.key_file),
        *extra,
    ]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(argv)
    return Run(code, out.getvalue(), err.getvalue())


def flow_document(definition_id: str | None = None, title: str = "Post-op knee follow-up") -> dict[str, Any]:
    return {
        "id": definition_id or f"knee-{uuid.uuid4().hex[:10]}",
        "title": title,
        "data_points": [
            {"id": "dp-surgery-7c1", "key": "surgery_date", "value_type": "date", "baseline": True},
            {"id": "dp-pain-2b9", "key": "pain", "value_type": "number"},
        ],
        "constants": [
            {"key": "clinic_phone", "value": "+32 9 000 00 00"},
            {"key": "pacs_token", "concealed": True, "value": SECRET},
        ],
        "steps": [
            {
                "id": "week-1",
                "activities": [
                    {
                        "id": "pain",
                        "type": "form",
                        "title": "Pain check",
                        "form": {
                            "questions": [
                                {
                                    "id": "pain-score",
                                    "type": "slider",
                                    "label": "Pain today",
                                    "min": 0,
                                    "max": 10,
                                    "data_point": "dp-pain-2b9",
                                }
                            ]
                        },
                    }
                ],
            }
        ],
    }


def create_flow(env: Deployment, document: dict[str, Any], *, publish: int = 0) -> str:
    with env.client() as c:
        created = c.post("/v1/care-flow-definitions", json=document)
        assert created.status_code == 201, created.text
        for _ in range(publish):
            assert c.post(f"/v1/care-flow-definitions/{document['id']}/publish").status_code == 201
    return str(document["id"])
