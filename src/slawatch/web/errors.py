"""Refusals that carry their HTTP status: `raise NotFoundError("no agreement …")`.

Each class is one status; the message says what was wrong and how to fix it. They are
HTTPExceptions, so the app's one handler answers them all alike: the status, `{"detail":
message}` and any headers, or the login form for a browser asking a page without a session.
A request the user got wrong is refused with one of these, never left to become a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from fastapi import HTTPException, status


class ClientError(HTTPException):
    """A request refused for a reason its sender can act on (4xx)."""

    status: ClassVar[int] = status.HTTP_400_BAD_REQUEST

    def __init__(self, detail: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(self.status, detail, dict(headers) if headers else None)


class BadRequestError(ClientError):
    """The body or a header cannot be read as what the route takes."""

    status = status.HTTP_400_BAD_REQUEST


class UnauthorizedError(ClientError):
    """No valid credential: a Bearer token is the way in, so the answer says so."""

    status = status.HTTP_401_UNAUTHORIZED

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class ForbiddenError(ClientError):
    """The sender is known but may not do this (a permission, a CSRF token)."""

    status = status.HTTP_403_FORBIDDEN


class NotFoundError(ClientError):
    status = status.HTTP_404_NOT_FOUND


class ConflictError(ClientError):
    """The request was valid but the state moved on (someone was first, nothing pending)."""

    status = status.HTTP_409_CONFLICT


class ContentTooLargeError(ClientError):
    status = status.HTTP_413_CONTENT_TOO_LARGE


class UnsupportedMediaTypeError(ClientError):
    status = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE


class UnprocessableError(ClientError):
    """The request reads well but asks for something invalid (a date out of range, a label)."""

    status = status.HTTP_422_UNPROCESSABLE_CONTENT
