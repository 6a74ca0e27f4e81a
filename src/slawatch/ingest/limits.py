"""How many attributes an event may carry, and how long their names and values may be.

Attributes are free-form: a CRM export or a script can send any number of names of any
length. Each one costs a column in every evaluation and a row in the attribute history, so
every way in (the API, event files, imports) refuses what exceeds these limits before any
work starts, naming the limit and the setting that raises it.
"""

from __future__ import annotations

from dataclasses import dataclass

from slawatch.config import Settings, get_settings


@dataclass(frozen=True)
class AttributeLimits:
    """The bounds on attributes; the defaults are those of the settings."""

    per_event: int = 100  # SLAWATCH_MAX_ATTRIBUTES_PER_EVENT
    name: int = 100  # SLAWATCH_MAX_ATTRIBUTE_NAME, characters
    value: int = 1_000  # SLAWATCH_MAX_ATTRIBUTE_VALUE, characters
    import_columns: int = 1_000  # SLAWATCH_MAX_IMPORT_COLUMNS

    @classmethod
    def of(cls, settings: Settings) -> AttributeLimits:
        return cls(
            per_event=settings.max_attributes_per_event,
            name=settings.max_attribute_name,
            value=settings.max_attribute_value,
            import_columns=settings.max_import_columns,
        )

    def too_many(self, count: int) -> str:
        return f"{count}{self.too_many_tail}"

    @property
    def too_many_tail(self) -> str:
        """What follows the count in `too_many`: for messages built in bulk."""
        return (
            f" attributes; at most {self.per_event} per event "
            "(SLAWATCH_MAX_ATTRIBUTES_PER_EVENT); send only the ones you need"
        )

    def name_too_long(self, name: str) -> str:
        return (
            f"the attribute name {name[:40]!r}… is longer than {self.name} characters "
            "(SLAWATCH_MAX_ATTRIBUTE_NAME); shorten it"
        )

    def value_too_long(self, name: str) -> str:
        return (
            f"the value of attribute {name[:40]!r} is longer than {self.value} characters "
            "(SLAWATCH_MAX_ATTRIBUTE_VALUE); shorten it"
        )

    def too_many_columns(self, count: int) -> str:
        return (
            f"{count} columns; at most {self.import_columns} are read "
            "(SLAWATCH_MAX_IMPORT_COLUMNS); export only the columns you need"
        )


DEFAULT_LIMITS = AttributeLimits()


def configured_limits() -> AttributeLimits:
    """Return the limits of the process's settings (SLAWATCH_* variables)."""
    return AttributeLimits.of(get_settings())
