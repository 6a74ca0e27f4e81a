"""Shared helpers for web tests: the request's instant, set through the `Now` dependency."""

from __future__ import annotations

from fastapi import FastAPI

from slawatch.web.deps import now


def set_now(app: FastAPI, instant: int) -> None:
    """Answer `app`'s requests as if at `instant` (µs since the epoch) until it is set again.

    Handlers take the time from the `Now` dependency, so a test overrides that one
    dependency instead of patching the wall clock in each page module.
    """
    app.dependency_overrides[now] = lambda: instant
