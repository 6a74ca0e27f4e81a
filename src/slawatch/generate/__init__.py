"""Realistic synthetic events for any agreement, derived from its objectives.

Objectives are grouped into flows, one per item kind (`flows`). Each flow is a small funnel: an
arrival, then every event of the flow placed after its parent event (`funnels`), mostly in working
time (`week`); services fail and recover instead (`outages`). Items carry the attributes their
objectives filter on (`attributes`). Everything is vectorised over items with one seeded numpy
Generator, drawn from in a fixed order, so a seed always gives the same file.

Times are built as local wall-clock seconds in the agreement's zone and only turned into instants
with offsets at the end (`local_time`).
"""

from slawatch.generate.events import generate_events, write_events

__all__ = ["generate_events", "write_events"]
