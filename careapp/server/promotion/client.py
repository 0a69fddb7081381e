"""`careapp-server promote`: drive a promotion between two deployments over their admin APIs.

Admin keys come from the environment or from files, never from the command line, where every
user of the machine could read them in the process list.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from careapp.domain.promotion import Deployment, PromotionRefused, check_direction

FROM_KEY_ENV = "CAREAPP_PROMOTE_FROM_KEY"
TO_KEY_ENV = "CAREAPP_PROMOTE_TO_KEY"
TIMEOUT = (5.0, 60.0)  # connect, read


class PromotionFailed(Exception):
    """One line for the operator."""


@dataclass(frozen=True)
class Side:
    url: str
    key: str
    label: str  # "source" | "destination", for messages

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.key}", "Idempotency-Key": str(uuid.uuid4())}
        try:
            response = requests.request(method, self.url + path, json=body, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise PromotionFailed(f"{self.label} {self.url} is not reachable ({type(exc).__name__})") from exc
        if response.status_code >= 400:
            try:
                problem = response.json()
                detail = problem.get("detail") or problem.get("title")
            except ValueError:
                detail = response.reason
            raise PromotionFailed(f"{self.label} {self.url} answered {response.status_code}: {detail}")
        return response.json()

    def get(self, path: str) -> Any:
        return self._call("GET", path)

    def post(self, path: str, body: Any) -> Any:
        return self._call("POST", path, body)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="source", required=True, metavar="URL", help="source deployment")
    parser.add_argument("--to", dest="destination", required=True, metavar="URL", help="destination")
    parser.add_argument("--care-flow", required=True, metavar="ID", help="care flow definition id")
    parser.add_argument(
        "--allow-production-to-sandbox",
        action="store_true",
        help="allow promoting from Production back to Sandbox (overwrites Sandbox's working version)",
    )
    parser.add_argument("--from-key-file", type=Path, help=f"source admin key file (else ${FROM_KEY_ENV})")
    parser.add_argument("--to-key-file", type=Path, help=f"destination admin key file (else ${TO_KEY_ENV})")


def _url(value: str, what: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value) > 500:
        raise PromotionFailed(f"--{what} must be an http(s) URL")
    return value.rstrip("/")


def _key(path: Path | None, env: str, option: str) -> str:
    if path is not None:
        try:
            key = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise PromotionFailed(f"cannot read {option} {path}: {exc.strerror}") from exc
    else:
        key = os.environ.get(env, "").strip()
    if not key:
        raise PromotionFailed(f"no admin key: set ${env} or pass {option}")
    return key


def _deployment(side: Side) -> Deployment:
    health = side.get("/v1/health")
    return Deployment(str(health.get("region")), str(health.get("environment")))


def promote(args: argparse.Namespace) -> dict[str, Any]:
    source = Side(
        _url(args.source, "from"), _key(args.from_key_file, FROM_KEY_ENV, "--from-key-file"), "source"
    )
    destination = Side(
        _url(args.destination, "to"), _key(args.to_key_file, TO_KEY_ENV, "--to-key-file"), "destination"
    )
    where_from, where_to = _deployment(source), _deployment(destination)
    try:
        warning = check_direction(
            where_from, where_to, allow_production_to_sandbox=args.allow_production_to_sandbox
        )
    except PromotionRefused as exc:
        raise PromotionFailed(str(exc)) from exc
    if warning:
        print(warning, file=sys.stderr)
    snapshot = source.post(
        "/v1/promotions/exports",
        {
            "care_flow_definition_id": args.care_flow,
            "destination": {
                "region": where_to.region,
                "environment": where_to.environment,
                "url": destination.url,
            },
        },
    )
    snapshot["source"]["url"] = source.url
    result = destination.post(
        "/v1/promotions/imports",
        {"snapshot": snapshot, "allow_production_to_sandbox": args.allow_production_to_sandbox},
    )
    source.post(
        f"/v1/promotions/exports/{snapshot['promotion_id']}/completion",
        {
            "destination_working_revision": result["working_revision"],
            "created": result["created"],
            "constants_needing_values": result["constants_needing_values"],
            "missing_identifier_systems": [s["uri"] for s in result["missing_identifier_systems"]],
        },
    )
    return {"from": str(where_from), "to": str(where_to), **result}


def report(result: dict[str, Any]) -> None:
    """The JSON result on stdout; what the operator must still do on stderr."""
    print(json.dumps(result, indent=2, ensure_ascii=False))
    verb = "created" if result["created"] else "updated"
    notes = [
        f"{result['definition_id']}: working version {verb} in {result['to']} "
        f"(revision {result['working_revision']}); nothing was published - publish it there "
        "before enrolling patients."
    ]
    if result["constants_needing_values"]:
        notes.append("Constants without a value there: " + ", ".join(result["constants_needing_values"]))
    for system in result["missing_identifier_systems"]:
        why = "is missing" if system["reason"] == "absent" else "has another name"
        notes.append(f"Identifier system {system['name']} ({system['uri']}) {why} in {result['to']}.")
    for note in notes:
        print(note, file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    report(promote(args))
    return 0
