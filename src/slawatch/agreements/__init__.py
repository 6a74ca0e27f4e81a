"""The agreement language: YAML text in, a typed, validated `Agreement` out."""

from slawatch.agreements.describe import template_names, template_text
from slawatch.agreements.durations import DurationError, format_duration, parse_duration
from slawatch.agreements.errors import AgreementError, AgreementLimitError, Problem
from slawatch.agreements.limits import Limits
from slawatch.agreements.model import Agreement
from slawatch.agreements.parse import parse_agreement

__all__ = [
    "Agreement",
    "AgreementError",
    "AgreementLimitError",
    "DurationError",
    "Limits",
    "Problem",
    "format_duration",
    "parse_agreement",
    "parse_duration",
    "template_names",
    "template_text",
]
