"""The channels: each transport sends to a real local server and tells a permanent failure
from one worth retrying; URLs are checked and shown redacted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from slawatch.alerts.channels import (
    AppriseTransport,
    MailTransport,
    TransportError,
    WebhookTransport,
    mail_url,
    redacted,
    transport_for,
    url_problem,
)
from tests.alerts.mail_sink import MailSink, free_port
from tests.alerts.test_notify import HOOK
from tests.alerts.webhook_sink import WebhookSink


def test_urls_apprise_cannot_use_are_refused_with_its_reason():
    assert url_problem(HOOK) is None
    assert url_problem("mailto://127.0.0.1:1025?from=s@example.com&to=t@example.com") is None
    assert "Unparseable" in (url_problem("nosuch://x") or "")
    assert "Slack" in (url_problem("slack://abc") or "")
    assert url_problem("json://") is not None


def test_secrets_in_urls_are_masked_for_display():
    shown = redacted("mailtos://mailer:s3cret-pw@smtp.example.com:587?from=s@example.com")
    assert shown == "mailtos://mailer:****@smtp.example.com?from=s@example.com"
    hook = redacted("jsons://hooks.example.com/catch/123/a8f3e0c1d2?+X-Token=abcdef")
    assert hook == "jsons://hooks.example.com/catch/123/a...2"
    slack = redacted("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#sales")
    assert slack == "slack://T...2/A...D/T...Q/%23sales"
    assert redacted("nosuch://token@x") == "nosuch://…"
    assert redacted("") == ""


def test_each_url_gets_the_transport_of_its_scheme():
    assert isinstance(transport_for("mailto://h?from=a@b.io"), MailTransport)
    assert isinstance(transport_for("MAILTOS://h?from=a@b.io"), MailTransport)
    assert isinstance(transport_for(HOOK), WebhookTransport)
    assert isinstance(transport_for("jsons://h/x"), WebhookTransport)
    slack = transport_for("slack://T1/B2/C3")
    assert type(slack) is AppriseTransport and slack.kind == "apprise"


def test_the_mail_url_is_addressed_to_the_contact_only():
    assert mail_url(
        "mailto://u:p@smtp.example.com:587/old@x.io?to=other@x.io&from=s@x.io", "t@x.io"
    ) == ("mailto://u:p@smtp.example.com:587?from=s@x.io&to=t@x.io")


def test_without_an_smtp_url_there_is_no_mail_url():
    assert mail_url("", "t@x.io") == ""


@pytest.fixture
def webhooks() -> Iterator[WebhookSink]:
    with WebhookSink() as sink:
        yield sink


def test_a_webhook_receives_the_title_and_the_body(webhooks: WebhookSink):
    WebhookTransport(webhooks.url("/hook")).notify("Breached: x", "line 1\nline 2")
    (call,) = webhooks.calls_to("/hook")
    assert call.document["title"] == "Breached: x"
    assert call.document["message"] == "line 1\nline 2"
    assert call.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("status", "permanent"), [(500, False), (503, False), (429, False), (404, True), (400, True)]
)
def test_a_webhook_error_is_permanent_only_for_a_4xx_that_will_recur(
    webhooks: WebhookSink, status: int, permanent: bool
):
    webhooks.answer("/hook", [status])
    with pytest.raises(TransportError) as raised:
        WebhookTransport(webhooks.url("/hook")).notify("t", "b")
    assert raised.value.permanent is permanent
    assert f"error={status}" in raised.value.message


def test_a_refused_connection_is_worth_retrying():
    with pytest.raises(TransportError) as raised:
        WebhookTransport(f"json://127.0.0.1:{free_port()}/hook").notify("t", "b")
    assert not raised.value.permanent and "Connection error" in raised.value.message


def test_an_unusable_url_fails_permanently():
    with pytest.raises(TransportError) as raised:
        transport_for("slack://abc").notify("t", "b")
    assert raised.value.permanent and raised.value.message.startswith("unusable URL")


def test_mail_arrives_with_the_title_as_subject_and_the_body_as_text():
    with MailSink() as sink:
        MailTransport(mail_url(sink.smtp_url, "tom.berg@example.com")).notify(
            "Verletzt: Ziel", "Zeile 1\nZeile 2 – 48 Std."
        )
    (message,) = sink.messages
    assert message["Subject"] == "Verletzt: Ziel"
    assert message["To"] == "tom.berg@example.com"
    assert message["From"] == "slawatch@example.com"
    assert sink.text(message).splitlines()[:2] == ["Zeile 1", "Zeile 2 – 48 Std."]


def test_a_refused_mailbox_is_an_error_and_permanent_when_apprise_logs_the_reply(
    caplog: pytest.LogCaptureFixture,
):
    with MailSink(refused=("gone@example.com",)) as sink:
        transport = MailTransport(mail_url(sink.smtp_url, "gone@example.com"))
        with pytest.raises(TransportError) as quiet:
            transport.notify("t", "b")
        caplog.set_level(logging.DEBUG, logger="apprise")
        with pytest.raises(TransportError) as detailed:
            transport.notify("t", "b")
    assert "gone@example.com" in quiet.value.message
    assert detailed.value.permanent and "550" in detailed.value.message
    assert sink.messages == []
