"""API routes: agreements."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["agreements"])
