"""The outbox: e-mails queued during a request and sent only after its transaction commits.

Every message is rendered in its recipient's language from a pair of templates,
`templates/emails/<feature>/<name>.subject.txt` and `.body.txt`. Delivery goes through one
backend: "file" (development: one .eml file a message under instance/mail/), "smtp", or
"memory" (tests). Addresses are never logged.
"""

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from secrets import token_hex

from flask import Flask, current_app, g, render_template
from flask_babel import force_locale


@dataclass
class Message:
    recipient: str
    subject: str
    body: str
    locale: str
    #: The template pair it came from, e.g. "accounts/verify_email": lets tests find a message.
    template: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    #: (file name, MIME type, content) triples, e.g. an invitation.ics.
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)

    @property
    def recipients(self) -> list[str]:
        return [self.recipient]


def render_message(recipient: str, template: str, locale: str, **context) -> Message:
    with force_locale(locale):
        subject = render_template(f"emails/{template}.subject.txt", **context)
        body = render_template(f"emails/{template}.body.txt", **context)
    return Message(
        recipient=recipient,
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        locale=locale,
        template=template,
    )


def queue(
    recipient: str,
    template: str,
    locale: str,
    *,
    headers: dict | None = None,
    attachments: list | None = None,
    **context,
) -> Message:
    """Render a message in `locale` and keep it until the transaction commits."""
    message = render_message(recipient, template, locale, **context)
    message.headers.update(headers or {})
    message.attachments.extend(attachments or [])
    _outbox().append(message)
    return message


def _outbox() -> list[Message]:
    if "consult_outbox" not in g:
        g.consult_outbox = []
    return g.consult_outbox


def discard_outbox() -> None:
    g.pop("consult_outbox", None)


def take_outbox() -> list[Message]:
    return g.pop("consult_outbox", None) or []


def flush_outbox() -> None:
    """Send what is queued now (CLI commands, after their commit)."""
    deliver(current_app._get_current_object(), take_outbox())


def flush_outbox_after(response) -> None:
    """Send what is queued once the response has gone, so that answers take the same time
    whether or not a message was sent (no account enumeration through timing)."""
    messages = take_outbox()
    if not messages:
        return
    app = current_app._get_current_object()
    if app.config.get("MAIL_SEND_AFTER_RESPONSE", True):
        response.call_on_close(lambda: deliver(app, messages))
    else:
        deliver(app, messages)


def deliver(app: Flask, messages: list[Message]) -> None:
    backend = app.config["MAIL_BACKEND"]
    for message in messages:
        try:
            if backend == "memory":
                app.extensions.setdefault("consult_sent_mail", []).append(message)
            elif backend == "smtp":
                _send_smtp(app, message)
            else:
                _write_file(app, message)
        except Exception:  # noqa: BLE001 - one failed message must not stop the others
            app.logger.exception("e-mail %s could not be sent", message.template)


def sent_messages(app: Flask) -> list[Message]:
    """The messages the memory backend has delivered (tests)."""
    return app.extensions.setdefault("consult_sent_mail", [])


def _as_email(app: Flask, message: Message) -> EmailMessage:
    email = EmailMessage()
    email["From"] = app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = make_msgid(domain="consult")
    email["Content-Language"] = message.locale
    email["Auto-Submitted"] = "auto-generated"
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.body)
    for filename, mimetype, content in message.attachments:
        maintype, _, subtype = mimetype.partition("/")
        email.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return email


def _write_file(app: Flask, message: Message) -> None:
    folder = Path(app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    name = f"{stamp}-{message.template.replace('/', '-')}-{token_hex(3)}.eml"
    (folder / name).write_bytes(bytes(_as_email(app, message)))


def _send_smtp(app: Flask, message: Message) -> None:
    config = app.config
    host, port, timeout = (
        config["MAIL_SMTP_HOST"],
        config["MAIL_SMTP_PORT"],
        config["MAIL_SMTP_TIMEOUT"],
    )
    if config["MAIL_SMTP_SSL"]:
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if config["MAIL_SMTP_STARTTLS"]:
            client.starttls(context=ssl.create_default_context())
        if config["MAIL_SMTP_USERNAME"]:
            client.login(config["MAIL_SMTP_USERNAME"], config["MAIL_SMTP_PASSWORD"])
        client.send_message(_as_email(app, message))
