"""careapp-server: run the regional backend and administer it.

careapp-server [--region eu] [--env sandbox] [--db URL] [--host H] [--port N] [--seed-demo]
careapp-server api-key add --role admin|integrator [--name NAME]   (prints the key once)
careapp-server workstation add --name NAME   (the pairing code is the last stdout line)
careapp-server flows import FILE [--publish] | publish ID | export ID [-o FILE] | list
careapp-server promote --from URL --to URL --care-flow ID [--allow-production-to-sandbox]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from careapp.server.config import (
    DEFAULT_DB,
    ENVIRONMENTS,
    PATIENT_LANGUAGES,
    REGIONS,
    ConfigError,
    ServerConfig,
    hosted_key_versions_from_env,
    stop_roles_from_env,
)
from careapp.server.credential_cache import DEFAULT_TTL as REVOKED_WITHIN

PROG = "careapp-server"


def _globals(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Deployment options, accepted before or after the subcommand."""
    d = (lambda v: argparse.SUPPRESS) if suppress else (lambda v: v)
    parser.add_argument("--region", choices=REGIONS, default=d("eu"), help="region this deployment serves")
    parser.add_argument("--env", choices=ENVIRONMENTS, default=d("sandbox"), help="environment")
    parser.add_argument(
        "--db", default=d(os.environ.get("CAREAPP_SERVER_DB", DEFAULT_DB)), help="SQLAlchemy URL"
    )
    parser.add_argument(
        "--secret-file", default=d(None), help="data-encryption key file (default: beside SQLite)"
    )
    parser.add_argument(
        "--time-zone",
        default=d(os.environ.get("CAREAPP_SERVER_TIME_ZONE", "")),
        help="IANA time zone care flow times are read in (default: the region's, e.g. Europe/Brussels)",
    )
    parser.add_argument(
        "--quiet-hours",
        default=d(os.environ.get("CAREAPP_SERVER_QUIET_HOURS", "21:00-08:00")),
        help="no automatic e-mail or SMS to patients in this window, e.g. 21:00-08:00 (00:00-00:00: none)",
    )
    parser.add_argument(
        "--patient-language",
        choices=PATIENT_LANGUAGES,
        default=d(os.environ.get("CAREAPP_SERVER_PATIENT_LANGUAGE") or "en"),
        help="patient pages' language when neither the patient's record nor the browser gives one",
    )


def _serve_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    d = (lambda v: argparse.SUPPRESS) if suppress else (lambda v: v)
    parser.add_argument("--host", default=d("127.0.0.1"))
    parser.add_argument("--port", type=int, default=d(8750))
    parser.add_argument("--workers", type=int, default=d(1), help="uvicorn worker processes")
    parser.add_argument(
        "--seed-demo", action="store_true", default=d(False), help="load demo data (idempotent)"
    )
    parser.add_argument(
        "--pairing-code-file",
        default=d(None),
        help="mint a workstation pairing code at start-up and write it to this file (mode 0600)",
    )
    parser.add_argument("--public-url", default=d(None), help="base URL patients' phones reach")
    parser.add_argument(
        "--demo-mail-dir",
        default=d(None),
        help="local demo only: catch the patients' e-mails on loopback SMTP and keep them as .eml files here",
    )
    parser.add_argument(
        "--demo-hospital",
        default=d(None),
        metavar="HOST:PORT",
        help="local demo only: send results to the stand-in hospital there and take its ADT feed",
    )
    parser.add_argument(
        "--adt-mllp-port",
        type=int,
        default=d(None),
        metavar="PORT",
        help="listen for the hospitals' ADT messages (HL7 v2 over MLLP) on this port (0: any free)",
    )
    parser.add_argument("--adt-mllp-host", default=d("127.0.0.1"), help="address the ADT listener binds")
    parser.add_argument(
        "--adt-tls-cert", default=d(None), metavar="PEM", help="MLLP over TLS with this certificate"
    )
    parser.add_argument(
        "--adt-tls-key", default=d(None), metavar="PEM", help="its key, if not in the certificate file"
    )
    parser.add_argument(
        "--no-webhook-dispatcher",
        action="store_true",
        default=d(False),
        help="queue webhooks but do not send them from this process (another process sends them)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="CareApp regional backend (one region, one environment)."
    )
    _globals(parser, suppress=False)
    _serve_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, parent: Any = sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_text, description=help_text)
        _globals(p, suppress=True)
        return p

    serve = command("serve", "run the HTTP server (the default)")
    _serve_options(serve, suppress=True)
    command("migrate", "bring the database to the current schema")
    command("seed-demo", "load demo identifier systems, physicians and care flows (idempotent)")
    command("prune", "drop change-feed history and idempotency keys past retention; expire idle sessions")

    keys = command("api-key", "manage API keys").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    add_key = command("add", "create an API key; prints it once", keys)
    add_key.add_argument("--role", choices=("admin", "integrator"), required=True)
    add_key.add_argument("--name", default="api key")
    command("list", "list API keys (never their secrets)", keys)
    revoke_key = command(
        "revoke", f"revoke an API key (a running server refuses it within {REVOKED_WITHIN:g} s)", keys
    )
    revoke_key.add_argument("id")

    ws = command("workstation", "manage workstations").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    add_ws = command("add", "register a workstation; prints a one-time pairing code as the last line", ws)
    add_ws.add_argument("--name", required=True)
    add_ws.add_argument("--ttl-minutes", type=int, default=24 * 60, help="how long the code stays valid")
    command("list", "list workstations", ws)
    revoke_ws = command(
        "revoke",
        f"revoke a workstation's credential (a running server refuses it within {REVOKED_WITHIN:g} s)",
        ws,
    )
    revoke_ws.add_argument("id")

    flows = command("flows", "care flow definitions").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    imp = command("import", "import a definition document as the working version", flows)
    imp.add_argument("file", type=Path)
    imp.add_argument("--publish", action="store_true", help="publish it right away")
    pub = command("publish", "publish the working version as the next version", flows)
    pub.add_argument("id")
    exp = command("export", "export the working version (concealed constants blank)", flows)
    exp.add_argument("id")
    exp.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    command("list", "list definitions", flows)

    from careapp.server.promotion import client as promotion

    promotion.add_arguments(
        command("promote", "copy a definition's working version to another environment (admin keys)")
    )
    from careapp.server.notify import cli as notify_cli

    notify_cli.add_arguments(
        command("notification-channel", "set up e-mail (SMTP) or SMS (HTTP gateway); secret from stdin")
    )
    return parser


class CliError(Exception):
    """One line for the operator."""


def _config(args: argparse.Namespace) -> ServerConfig:
    kwargs: dict[str, Any] = {
        "region": args.region,
        "environment": args.env,
        "db_url": args.db,
        "secret_file": args.secret_file,
        "time_zone": args.time_zone,
        "quiet_hours": args.quiet_hours,
        "patient_language": args.patient_language,
        "stop_roles": stop_roles_from_env(),
        **hosted_key_versions_from_env(),
    }
    if getattr(args, "public_url", None):
        kwargs["public_url"] = args.public_url
    if getattr(args, "adt_mllp_port", None) is not None:
        kwargs.update(
            adt_mllp_port=args.adt_mllp_port,
            adt_mllp_host=args.adt_mllp_host,
            adt_tls_cert=args.adt_tls_cert,
            adt_tls_key=args.adt_tls_key,
        )
    return ServerConfig(**kwargs)


def _services(args: argparse.Namespace) -> Any:
    from careapp.server.app import build_services
    from careapp.server.schema import prepare

    services = build_services(_config(args))
    prepare(services.db, services.config, services.clock)
    return services


def _write_secret_file(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(content + "\n")
    os.replace(tmp, path)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from careapp.server import changes, idempotency
    from careapp.server.context import system_tx
    from careapp.server.http_protocol import BoundedHeadProtocol
    from careapp.server.services import directory

    services = _services(args)
    with system_tx(services) as tx:
        changes.prune(tx)
        idempotency.prune(tx)
    if args.seed_demo:
        from careapp.server.demo.seed import seed_demo

        seed_demo(services)
    if args.demo_mail_dir:
        from careapp.server.notify.catcher import MailCatcher, point_email_channel_at

        catcher = MailCatcher(Path(args.demo_mail_dir)).start()  # lives as long as this process
        point_email_channel_at(services, catcher)
    if args.demo_hospital:
        from careapp.server.hospital_link.demo import connect_demo_hospital

        host, _, port = args.demo_hospital.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise CliError(f"--demo-hospital expects HOST:PORT, got {args.demo_hospital!r}")
        connect_demo_hospital(services, host, int(port))
    if args.pairing_code_file:
        with system_tx(services) as tx:
            issued = directory.create_workstation(tx, "Demo workstation")
        _write_secret_file(Path(args.pairing_code_file), issued.secret)
    config = services.config
    from careapp.server.hospital_link import listener as adt_listener

    # Beside the HTTP worker(s), in this process: one listener whatever the number of workers.
    try:
        adt = adt_listener.from_config(services)
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot start the ADT listener: {getattr(exc, 'strerror', None) or exc}") from None
    adt_note = ""
    if adt is not None:
        adt.start()
        adt_note = f"; ADT over MLLP{'/TLS' if adt.tls else ''} on {config.adt_mllp_host}:{adt.port}"
    print(
        f"{PROG}: {config.deployment} on http://{args.host}:{args.port} "
        f"({services.db.url.get_backend_name()}, {args.workers} worker(s)){adt_note}",
        flush=True,
    )
    log_config = None  # uvicorn default; the access log drops query strings (see logs.py)
    if args.no_webhook_dispatcher:
        os.environ["CAREAPP_SERVER_WEBHOOK_DISPATCHER"] = "0"  # read by each uvicorn worker
    if args.workers > 1:
        os.environ.update(config.to_env())
        services.db.dispose()
        uvicorn.run(
            "careapp.server.app:create_app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=log_config or uvicorn.config.LOGGING_CONFIG,
            http=BoundedHeadProtocol,
        )
    else:
        from careapp.server.app import create_app, freeze_startup_objects

        app = create_app(services=services, webhook_dispatcher=not args.no_webhook_dispatcher)
        freeze_startup_objects()
        uvicorn.run(app, host=args.host, port=args.port, http=BoundedHeadProtocol)
    if adt is not None:
        adt.stop()
    return 0


def _api_key(args: argparse.Namespace) -> int:
    from careapp.server.context import system_tx
    from careapp.server.services import directory

    services = _services(args)
    with system_tx(services) as tx:
        if args.action == "add":
            issued = directory.create_api_key(tx, args.name, args.role)
            print(
                f"API key {issued.id} ({args.role}) for {services.config.deployment}; shown once:",
                file=sys.stderr,
            )
            print(issued.secret)
        elif args.action == "list":
            for key in directory.list_api_keys(tx):
                state = "revoked" if key.revoked_at else "active"
                print(f"{key.id}\t{key.role}\t{state}\t{key.name}")
        else:
            directory.revoke_api_key(tx, _known(args.id))
            print(f"revoked {args.id}")
    return 0


def _workstation(args: argparse.Namespace) -> int:
    from careapp.server.context import system_tx
    from careapp.server.services import directory

    services = _services(args)
    if args.action == "add":
        if args.ttl_minutes < 1:
            raise CliError("--ttl-minutes must be at least 1")
        services.config = ServerConfig(
            **{**services.config.__dict__, "pairing_code_ttl": timedelta(minutes=args.ttl_minutes)}
        )
    with system_tx(services) as tx:
        if args.action == "add":
            issued = directory.create_workstation(tx, args.name)
            print(
                f"Workstation {issued.id} ({args.name}) for {services.config.deployment}. "
                f"One-time pairing code, valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC:",
                file=sys.stderr,
            )
            print(issued.secret)
        elif args.action == "list":
            for ws in directory.list_workstations(tx):
                state = (
                    "revoked" if ws.revoked_at else ("paired" if ws.credential_hash else "awaiting pairing")
                )
                print(f"{ws.id}\t{state}\t{ws.name}")
        else:
            directory.revoke_workstation(tx, _known(args.id))
            print(f"revoked {args.id}")
    return 0


def _known(ident: str) -> str:
    if len(ident) > 64:
        raise CliError("no such id")
    return ident


def _flows(args: argparse.Namespace) -> int:
    from careapp.server.context import system_tx
    from careapp.server.services import definitions

    services = _services(args)
    with system_tx(services) as tx:
        if args.action == "import":
            try:
                document = json.loads(args.file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CliError(f"cannot read {args.file}: {exc}") from exc
            if not isinstance(document, dict) or not document.get("id"):
                raise CliError(f"{args.file}: a definition document needs an 'id' to import")
            row, created = definitions.put_working(tx, document["id"], document, None)
            print(f"{'created' if created else 'updated'} {row.id} (working revision {row.working_revision})")
            if args.publish:
                version = definitions.publish(tx, row.id)
                print(f"published {row.id} v{version.version}")
        elif args.action == "publish":
            version = definitions.publish(tx, args.id)
            print(f"published {args.id} v{version.version}")
        elif args.action == "export":
            text = json.dumps(definitions.export(tx, args.id), indent=2, ensure_ascii=False)
            if args.output:
                args.output.write_text(text + "\n", encoding="utf-8")
            else:
                print(text)
        else:
            from sqlalchemy import select

            from careapp.domain.forms import text_for
            from careapp.server.models import DefinitionRow

            for row in tx.session.scalars(select(DefinitionRow).order_by(DefinitionRow.id)):
                live = f"v{row.live_version}" if row.live_version else "unpublished"
                print(f"{row.id}\t{live}\t{text_for(row.title)}")
    return 0


def _notification_channel(args: argparse.Namespace) -> int:
    from careapp.server.notify import cli as notify_cli

    try:
        return notify_cli.run(_services(args), args)
    except notify_cli.ChannelRefused as exc:
        raise CliError(str(exc)) from exc


def _promote(args: argparse.Namespace) -> int:
    from careapp.server.promotion import client

    try:
        return client.run(args)
    except client.PromotionFailed as exc:
        raise CliError(str(exc)) from exc


def _simple(args: argparse.Namespace) -> int:
    from careapp.server import changes, idempotency
    from careapp.server.context import system_tx

    services = _services(args)
    if args.command == "seed-demo":
        from careapp.server.demo.seed import seed_demo

        print(json.dumps(seed_demo(services)))
    elif args.command == "prune":
        from careapp.server.hosted import sessions

        with system_tx(services) as tx:
            pruned = {"changes": changes.prune(tx), "idempotency_keys": idempotency.prune(tx)}
            # Sessions nobody reopened still owe their session.expired webhook.
            pruned["expired_sessions"] = sessions.sweep(tx, limit=100_000)
            print(json.dumps(pruned))
    else:
        print(f"{services.config.deployment}: database is at the current schema")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers = {
        None: _serve,
        "serve": _serve,
        "api-key": _api_key,
        "workstation": _workstation,
        "flows": _flows,
        "promote": _promote,
        "notification-channel": _notification_channel,
        "migrate": _simple,
        "seed-demo": _simple,
        "prune": _simple,
    }
    from sqlalchemy.exc import SQLAlchemyError

    from careapp.server.problems import ProblemError

    try:
        return handlers[args.command](args)
    except (ConfigError, CliError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except ProblemError as exc:
        print(f"{PROG}: error: {exc.detail or exc.slug}", file=sys.stderr)
        for e in exc.extensions.get("errors") or ():  # one line per problem (a definition's, say)
            print(f"  {'.'.join(map(str, e['location']))}: {e['message']}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(
            f"{PROG}: error: database: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
