"""API alert preferences: how each person gets each kind of alert, their quiet hours, summary.

A signed-in person reads and replaces their own (`/alert-preferences`); an admin those of any
contact by email (`/alert-preferences/{email}`), including contacts who have no login. A PUT
replaces the whole set: a trigger left out takes its default again.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from slawatch.alerts.preferences import (
    DEFAULT_MODES,
    QUIET_OBJECTIVE,
    Choices,
    PreferenceError,
    checked_modes,
    checked_quiet_hours,
)
from slawatch.alerts.quiet_hours import calendar_names
from slawatch.store.db import read_transaction, transaction
from slawatch.store.preferences import choices_of, save_choices
from slawatch.store.users import UserError, normalize_email
from slawatch.web.deps import NO_NUL, Admin, Now, Reader, engine_of, settings_of
from slawatch.web.errors import UnprocessableError
from slawatch.web.security import Principal

router = APIRouter(tags=["notifications"])
Email = Annotated[str, Path(min_length=3, max_length=320, pattern=NO_NUL)]
ALWAYS_AT_ONCE = "breach and period_breached at tier 2 or 3 always go at once"


class PreferencesRead(BaseModel):
    recipient: str
    triggers: dict[str, str] = Field(description="every trigger's mode: now, digest or off")
    chosen: dict[str, str] = Field(description="the triggers this recipient chose for")
    defaults: dict[str, str]
    quiet_hours: str = Field(description="objective, never, or <agreement>/<calendar>")
    daily_summary: bool
    digest_minutes: int
    always_at_once: str = ALWAYS_AT_ONCE


class PreferencesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    triggers: dict[str, str] = Field(
        default_factory=dict,
        max_length=50,
        description="mode per trigger (now, digest, off); a trigger left out takes its default",
        examples=[{"warn": "digest", "at_risk": "off", "breach": "now"}],
    )
    quiet_hours: str = Field(
        default=QUIET_OBJECTIVE,
        max_length=220,
        description="objective (the working hours of what a message is about), never, "
        "or <agreement>/<calendar>",
    )
    daily_summary: bool = True


def _read(request: Request, recipient: str, choices: Choices) -> PreferencesRead:
    return PreferencesRead(
        recipient=recipient,
        triggers=choices.all_modes(),
        chosen=dict(choices.modes),
        defaults=dict(DEFAULT_MODES),
        quiet_hours=choices.quiet_hours,
        daily_summary=choices.daily_summary,
        digest_minutes=settings_of(request).digest_minutes,
    )


def own_email(principal: Principal) -> str:
    """Return the signed-in person's email; an API token is nobody's and has no preferences."""
    if principal.via != "session":
        raise UnprocessableError(
            "an API token has no alert preferences of its own; an admin token reads and "
            "changes a person's with /api/v1/alert-preferences/{email}"
        )
    return principal.name


def _email(email: str) -> str:
    try:
        return normalize_email(email)
    except UserError as error:
        raise UnprocessableError(f"email: {error}") from None


def checked_choices(request: Request, update: PreferencesUpdate) -> Choices:
    """Return the update as Choices, or a 422 naming the field and what to write."""
    with read_transaction(engine_of(request)) as connection:
        calendars = calendar_names(connection)
    try:
        return Choices(
            modes=checked_modes(update.triggers),
            quiet_hours=checked_quiet_hours(update.quiet_hours.strip(), calendars),
            daily_summary=update.daily_summary,
        )
    except PreferenceError as error:
        raise UnprocessableError(str(error)) from None


def _get(request: Request, email: str) -> PreferencesRead:
    with read_transaction(engine_of(request)) as connection:
        return _read(request, email, choices_of(connection, email))


def _put(
    request: Request, email: str, update: PreferencesUpdate, actor: str, now: int
) -> PreferencesRead:
    choices = checked_choices(request, update)
    with transaction(engine_of(request)) as connection:
        saved = save_choices(connection, email, choices, actor=actor, now=now)
    return _read(request, email, saved)


@router.get("/alert-preferences", response_model=PreferencesRead)
def get_own(request: Request, principal: Reader) -> PreferencesRead:
    """Read how you get each kind of alert (your choices and the defaults)."""
    return _get(request, own_email(principal))


@router.put(
    "/alert-preferences",
    response_model=PreferencesRead,
    responses={422: {"description": "an unknown trigger, mode or calendar"}},
)
def put_own(
    request: Request, update: PreferencesUpdate, principal: Reader, now: Now
) -> PreferencesRead:
    """Replace your alert preferences; breaches at tier 2 or 3 go at once whatever you choose."""
    return _put(request, own_email(principal), update, principal.name, now)


@router.get("/alert-preferences/{email}", response_model=PreferencesRead)
def get_recipients(request: Request, email: Email, _admin: Admin) -> PreferencesRead:
    """Read a contact's alert preferences (admins)."""
    return _get(request, _email(email))


@router.put(
    "/alert-preferences/{email}",
    response_model=PreferencesRead,
    responses={422: {"description": "a bad email, trigger, mode or calendar"}},
)
def put_recipients(
    request: Request, email: Email, update: PreferencesUpdate, admin: Admin, now: Now
) -> PreferencesRead:
    """Replace a contact's alert preferences (admins), e.g. for a contact without a login."""
    return _put(request, _email(email), update, admin.name, now)
