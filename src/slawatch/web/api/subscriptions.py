"""API: who receives an agreement's reports when a period closes, besides its department heads.

A subscriber is a user (their language, their routes); an editor subscribes anyone with an
account by email, and the report page lets a signed-in user subscribe themselves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel

from slawatch.store.agreements import get_version
from slawatch.store.db import read_transaction, transaction
from slawatch.store.reports import subscribe, subscribers, unsubscribe
from slawatch.store.users import find_user
from slawatch.web.deps import AgreementId, Editor, Now, Reader, engine_of
from slawatch.web.errors import NotFoundError

router = APIRouter(tags=["reports"])
Email = Annotated[str, Path(min_length=3, max_length=320, description="a user's email")]


class SubscribersRead(BaseModel):
    agreement: str
    subscribers: list[str]


def _no_agreement(agreement_id: str) -> NotFoundError:
    return NotFoundError(f"there is no agreement {agreement_id!r}")


@router.get("/agreements/{agreement_id}/report-subscribers")
def read_subscribers(
    agreement_id: AgreementId, request: Request, _principal: Reader
) -> SubscribersRead:
    """Return who receives the agreement's reports besides the parties' department heads."""
    with read_transaction(engine_of(request)) as connection:
        if get_version(connection, agreement_id) is None:
            raise _no_agreement(agreement_id)
        emails = subscribers(connection, agreement_id)
    return SubscribersRead(agreement=agreement_id, subscribers=emails)


@router.put(
    "/agreements/{agreement_id}/report-subscribers/{email}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "no such agreement, or no user with this email"}},
)
def add_subscriber(
    agreement_id: AgreementId, email: Email, request: Request, _principal: Editor, now: Now
) -> Response:
    """Send the agreement's reports to a user from now on (again: nothing changes)."""
    with transaction(engine_of(request)) as connection:
        if get_version(connection, agreement_id) is None:
            raise _no_agreement(agreement_id)
        user = find_user(connection, email)
        if user is None or not user.active:
            raise NotFoundError(
                f"there is no active user {email!r}; create the user first (slawatch users add)"
            )
        subscribe(connection, agreement_id, user.email, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/agreements/{agreement_id}/report-subscribers/{email}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "the user was not subscribed"}},
)
def remove_subscriber(
    agreement_id: AgreementId, email: Email, request: Request, _principal: Editor
) -> Response:
    """Stop sending the agreement's reports to a user."""
    with transaction(engine_of(request)) as connection:
        if not unsubscribe(connection, agreement_id, email.strip().lower()):
            raise NotFoundError(f"{email!r} does not receive the reports of {agreement_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
