"""``careapp-server notification-channel email|sms …``: set a channel up from the shell.

The secret (SMTP password, the gateway's auth header value) is read from standard input with
``--secret-stdin``, never from an argument: arguments show in ``ps`` and in shell history.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pydantic import ValidationError

from careapp.server.context import Services, system_tx
from careapp.server.notify.api import ChannelIn, GatewayIn, SmtpIn, store_channel


class ChannelRefused(Exception):
    """One line for the operator."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="channel", metavar="CHANNEL", required=True)
    email = kinds.add_parser("email", help="e-mail over SMTP")
    email.add_argument("--host", required=True)
    email.add_argument("--port", type=int, default=587)
    email.add_argument("--security", choices=("starttls", "tls", "none"), default="starttls")
    email.add_argument("--username", help="SMTP login; its password comes with --secret-stdin")
    email.add_argument("--ca-file", help="PEM file of the CAs to trust for the relay instead of the system's")
    email.add_argument(
        "--sender", default="CareApp <no-reply@localhost>", help='e.g. "Ward 3 <ward3@zh.example>"'
    )
    sms = kinds.add_parser("sms", help="SMS through an HTTP gateway")
    sms.add_argument("--url", required=True)
    sms.add_argument("--method", choices=("POST", "PUT"), default="POST")
    sms.add_argument("--auth-header", default="Authorization", help="header the secret goes in")
    sms.add_argument("--format", choices=("json", "form"), default="json")
    sms.add_argument(
        "--field", action="append", default=[], metavar="NAME=TEMPLATE",
        help="a body field, with {{to}}, {{text}}, {{message_id}} (repeat; default to and text)",
    )  # fmt: skip
    for p in (email, sms):
        p.add_argument("--secret-stdin", action="store_true", help="read the secret from standard input")
        p.add_argument("--disable", action="store_true", help="keep the settings, send nothing")


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    if args.channel == "email":
        return {"host": args.host, "port": args.port, "security": args.security, "username": args.username,
                "sender": args.sender, "ca_file": args.ca_file}  # fmt: skip
    fields = {}
    for item in args.field:
        name, sep, template = item.partition("=")
        if not sep or not name:
            raise ChannelRefused(f"--field must look like NAME=TEMPLATE, got {item!r}")
        fields[name] = template
    out: dict[str, Any] = {"url": args.url, "method": args.method, "auth_header": args.auth_header,
                           "format": args.format}  # fmt: skip
    if fields:
        out["fields"] = fields
    return out


def run(services: Services, args: argparse.Namespace) -> int:
    secret = sys.stdin.readline().rstrip("\r\n") if args.secret_stdin else None
    try:
        model = SmtpIn if args.channel == "email" else GatewayIn  # errors name that model's fields
        body = ChannelIn(enabled=not args.disable, settings=model(**_settings(args)), secret=secret or None)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ChannelRefused(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    with system_tx(services) as tx:
        view = store_channel(tx, args.channel, body)
    print(json.dumps(view, default=str))
    return 0
