"""Logging without PHI or secrets: access lines lose their query string (identifiers live there)
and the token of a patient page path."""

from __future__ import annotations

import logging
import re

# The patient pages carry their token (the key to a patient's activities) in the path.
_TOKEN_PATH = re.compile(r"^/([lse])/[^/?]+")


def redact_path(path: str) -> str:
    path = path.split("?", 1)[0] + "?…" if "?" in path else path
    return _TOKEN_PATH.sub(r"/\1/…", path)


class DropQueryString(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn.access args: (client, method, path_with_query, http_version, status)
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def install() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, DropQueryString) for f in access.filters):
        access.addFilter(DropQueryString())
