"""What the routers share: documented problem responses, paging, fingerprints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from careapp.server.idempotency import request_fingerprint
from careapp.server.problems import responses

# Every authenticated operation may answer 401/403; with parameters or a body also 422,
# with a JSON body 400 for malformed JSON.
AUTHED = responses(401, 403, 422)
WITH_BODY = responses(400, 401, 403, 413, 422)
NOT_FOUND = responses(404)
CONFLICT = responses(409)

Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
After = Annotated[
    str | None,
    Query(
        max_length=36,
        description="Keyset paging: only items whose id sorts after this one, in id order (give '' "
        "for the first page, then the last id of each page). Items changed meanwhile neither move "
        "nor go missing, unlike offset paging.",
    ),
]
Fingerprint = Annotated[str, Depends(request_fingerprint)]
