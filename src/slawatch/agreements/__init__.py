"""The agreement language: YAML text in, a typed, validated `Agreement` out.

`parse_agreement` lives in `slawatch.agreements.parse`: the parser reads each objective
through the kinds' registry (`slawatch.engine.kinds`), whose modules import this package's
models, so the package itself does not import the parser.
"""

from slawatch.agreements.describe import template_names, template_text
from slawatch.agreements.durations import DurationError, format_duration, parse_duration
from slawatch.agreements.errors import AgreementError, AgreementLimitError, Problem
from slawatch.agreements.limits import Limits
from slawatch.agreements.model import Agreement

__all__ = [
    "Agreement",
    "AgreementError",
    "AgreementLimitError",
    "DurationError",
    "Limits",
    "Problem",
    "format_duration",
    "parse_duration",
    "template_names",
    "template_text",
]
