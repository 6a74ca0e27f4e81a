"""API routes: imports of CRM exports and event files, uploaded as multipart form data."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel

from slawatch.ingest.imports import ImportOptionError, run_import
from slawatch.ingest.limits import AttributeLimits
from slawatch.ingest.mappings import ImportFileError, MappingName
from slawatch.web.api.events import UnusedEventType
from slawatch.web.deps import NO_NUL, Ingester, engine_of, settings_of
from slawatch.web.errors import UnprocessableError

router = APIRouter(tags=["imports"])
MAX_REJECTED_SHOWN = 1_000


class RejectedRowRead(BaseModel):
    line: int
    reason: str


class ImportRead(BaseModel):
    """`imported + duplicate + rejected = rows_read`; `rejected_rows` lists the first 1,000.

    `unused_event_types`: the file's event types no objective uses — of `agreement` when one is
    named, else of any stored agreement; the events are stored all the same.
    """

    id: int
    filename: str
    mapping: str
    rows_read: int
    imported: int
    duplicate: int
    rejected: int
    events: int
    warnings: list[str]
    rejected_rows: list[RejectedRowRead]
    rejected_rows_truncated: bool
    unused_event_types: list[UnusedEventType] = []


@router.post(
    "/imports",
    response_model=ImportRead,
    responses={
        413: {"description": "the upload is larger than the server accepts"},
        422: {"description": "the file or an option cannot be used; the message says why"},
        503: {"description": "the database takes no writes now; nothing was stored; retry"},
    },
)
def post_import(
    request: Request,
    principal: Ingester,
    file: Annotated[UploadFile, File(description="A CSV or JSON Lines file, UTF-8.")],
    mapping: Annotated[MappingName, Form(description="What kind of file it is.")],
    agreement: Annotated[
        str | None,
        Form(max_length=100, pattern=NO_NUL, description="Check the file against it."),
    ] = None,
    source: Annotated[
        str | None,
        Form(max_length=100, pattern=NO_NUL, description="The items' system (default: default)."),
    ] = None,
    timezone: Annotated[
        str | None,
        Form(max_length=64, pattern=NO_NUL, description="Zone of times without an offset."),
    ] = None,
) -> ImportRead:
    """Import an uploaded file; answer with the summary once every row is committed."""
    filename = Path(file.filename or "upload").name[:200] or "upload"
    with tempfile.TemporaryDirectory(prefix="slawatch-import-") as directory:
        path = Path(directory) / "upload"
        with path.open("wb") as target:
            shutil.copyfileobj(file.file, target)
        try:
            summary = run_import(
                path,
                mapping.value,
                engine=engine_of(request),
                actor=principal.name,
                source=source or None,
                agreement=agreement or None,
                timezone=timezone or None,
                filename=filename,
                write_rejected=False,
                limits=AttributeLimits.of(settings_of(request)),
            )
        except (ImportFileError, ImportOptionError) as error:
            raise UnprocessableError(str(error)) from None
    if summary.imported:
        request.app.state.after_ingest()
    shown = summary.rejected_rows[:MAX_REJECTED_SHOWN]
    return ImportRead(
        id=summary.import_id,
        filename=summary.filename,
        mapping=summary.mapping,
        rows_read=summary.rows_read,
        imported=summary.imported,
        duplicate=summary.duplicate,
        rejected=summary.rejected,
        events=summary.events,
        warnings=list(summary.warnings),
        rejected_rows=[RejectedRowRead(line=row.line, reason=row.reason) for row in shown],
        rejected_rows_truncated=len(shown) < summary.rejected,
        unused_event_types=[UnusedEventType(**n.as_json()) for n in summary.unused_event_types],
    )
