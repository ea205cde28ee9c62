"""E-mail over SMTP with the standard library: build a message, send it (in a worker thread from async code).

``MARKET_SMTP_URL`` names the server: ``smtp://user:pass@host:587`` (STARTTLS when the server offers it, required
with ``?tls=required``), ``smtps://user:pass@host:465`` (TLS from the start), ``smtp://host:25?tls=none`` (plain, a
local relay). Empty: no e-mail (the app's notifications stay in the app). A refused connection, a timeout or a 4xx
answer is ``MailUnavailable`` (a job retries it); a 5xx refusal of the message is ``MailRefused`` (not retried).
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal
from urllib.parse import parse_qs, unquote, urlparse

from market.errors import TemporaryFailure
from market.integrations.errors import AdapterError

TlsMode = Literal["starttls", "required", "ssl", "none"]


class MailUnavailable(AdapterError, TemporaryFailure):
    code = "mail-unavailable"
    title = says = "mail.unavailable"


class MailRefused(AdapterError):
    status = 502
    code = "mail-refused"
    title = says = "mail.refused"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str
    password: str
    tls: TlsMode
    timeout: float = 15.0


def parse_smtp_url(url: str) -> SmtpConfig:
    parsed = urlparse(url)
    if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise ValueError("MARKET_SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
    query = parse_qs(parsed.query)
    tls: TlsMode = "ssl" if parsed.scheme == "smtps" else "starttls"
    wanted = (query.get("tls") or [""])[0]
    if parsed.scheme == "smtp" and wanted in ("required", "none"):
        tls = "required" if wanted == "required" else "none"
    return SmtpConfig(
        host=parsed.hostname,
        port=parsed.port or (465 if tls == "ssl" else 25),
        username=unquote(parsed.username or ""),
        password=unquote(parsed.password or ""),
        tls=tls,
    )


def build_message(*, sender: str, to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    """A UTF-8 message (Chinese subjects and bodies are encoded as RFC 2047 / quoted-printable by ``email``)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "market.local")
    message.set_content(text, charset="utf-8", cte="base64")  # 7-bit clean: any server takes it
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    return message


def send(config: SmtpConfig, message: EmailMessage) -> None:
    """Send one message (blocking)."""
    try:
        if config.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with client:
            client.ehlo()
            if config.tls in ("starttls", "required"):
                if client.has_extn("starttls"):
                    client.starttls(context=ssl.create_default_context())
                    client.ehlo()
                elif config.tls == "required":
                    raise MailUnavailable(f"{config.host} does not offer STARTTLS (tls=required)")
            if config.username:
                client.login(config.username, config.password)
            client.send_message(message)
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise MailUnavailable(f"{config.host} answered {exc.smtp_code}: {exc.smtp_error!r}") from exc
        raise MailRefused(f"{config.host} refused the message: {exc.smtp_code} {exc.smtp_error!r}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailRefused(f"{config.host} refused the recipients: {exc.recipients}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise MailUnavailable(f"cannot send through {config.host}:{config.port}: {exc}") from exc


async def send_async(config: SmtpConfig, message: EmailMessage) -> None:
    await asyncio.to_thread(send, config, message)
