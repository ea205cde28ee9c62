"""What every page controller shares: rendering a template with the page's language and helpers, and form errors.

Presentation only: formatting money, rates and messages for the page's language. No business rules.
Words come from the catalogues (``market.i18n``, codes ``ui.*``): templates call ``_('ui.sign_in')``,
``ngettext(...)`` and ``pgettext(...)`` bound to the page's language (the Jinja environment is shared, so the
callables come with each page's context); controllers call ``gettext(lang, "ui....")``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode, urlparse

from litestar import MediaType, Request
from litestar.datastructures import FormMultiDict
from litestar.params import URLEncodedBody
from litestar.response import Template
from pydantic import ValidationError

from frontend.nav import nav_for
from market.accounts.principal import Principal
from market.errors import MarketError
from market.i18n import gettext, localized, ngettext, pgettext
from market.i18n.validation import validation_code, validation_message
from market.kit.formatting import format_date, format_money, format_percent_bp
from market.web.problems import language

Form = URLEncodedBody[dict[str, str]]
AnyRequest = Request[Any, Any, Any]
Errors = list[dict[str, str]]
UNREAD_STATE = "unread_notifications"  # request.state: the header's unread count (frontend.notification_pages)


def lang_of(request: AnyRequest) -> str:
    """The page's language: the one the reader chose (the ``lang`` cookie), else ``Accept-Language``."""
    return language(request)


def here(request: AnyRequest) -> str:
    """The current path with its query, so switching language keeps the page as it is."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def money(minor: int | None, lang: str, currency: str = "CNY") -> str:
    return "—" if minor is None else format_money(int(minor), currency, lang)


def percent_of_bp(bp: int | None) -> str:
    return "—" if bp is None else format_percent_bp(bp)


def article(code: str | None, lang: str) -> str:
    """An article: a catalogue code (``law.patent.art50``) in the page's language."""
    return gettext(lang, code) if code else ""


def pick(zh: str, en: str, lang: str) -> str:
    return (en or zh) if lang == "en" else (zh or en)


def day(value: date | datetime | None, lang: str) -> str:
    return format_date(value, lang)


def known(lang: str, code: str) -> str | None:
    """The catalogue text of ``code``, or None when the catalogue has no such code."""
    text = gettext(lang, code)
    return None if text == code else text


def words(lang: str) -> dict[str, Callable[..., str]]:
    """gettext, ngettext and pgettext bound to the page's language, for templates (``jinja2.ext.i18n``, newstyle:
    parameters are keyword arguments, ``_('ui.page_of', page=1, pages=3)``)."""

    def _gettext(code: str, **params: Any) -> str:
        return gettext(lang, code, **params)

    def _ngettext(singular: str, plural: str, n: Any, /, **params: Any) -> str:
        return ngettext(lang, singular, plural, n, **params)

    def _pgettext(context: str, code: str, **params: Any) -> str:
        return pgettext(lang, context, code, **params)

    def tr(code: str, fallback: str = "") -> str:
        """A code made from a value (``'ui.kind_' ~ kind``): its text, else ``fallback`` (else the code)."""
        return known(lang, code) or fallback or code

    return {"_": _gettext, "gettext": _gettext, "ngettext": _ngettext, "pgettext": _pgettext, "tr": tr}


def helpers(lang: str) -> dict[str, Callable[..., Any]]:
    return {
        "money": lambda minor, currency="CNY": money(minor, lang, currency),
        "pct": percent_of_bp,
        "art": lambda text: article(text, lang),
        # a message of a service (a code with parameters), or several sentences, in the page's language
        "msg": lambda message: localized.text(message, lang),
        "msgs": lambda messages: localized.sentences(messages or [], lang),
        "pick": lambda zh, en: pick(zh or "", en or "", lang),
        "day": lambda value: day(value, lang),
        "qs": lambda **params: urlencode({k: v for k, v in params.items() if v not in (None, "")}, doseq=True),
    }


def page(request: AnyRequest, name: str, status_code: int = 200, **context: Any) -> Template:
    lang = lang_of(request)
    principal = request.scope.get("user")
    me = principal if isinstance(principal, Principal) else None
    return Template(
        template_name=name,
        context={
            "lang": lang,
            **words(lang),
            "me": me,
            "nav": nav_for(me),
            "path": request.url.path,
            "here": here(request),
            "unread_count": request.state.get(UNREAD_STATE),
            **helpers(lang),
            **context,
        },
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def safe_next(value: str | None) -> str:
    """Only same-site paths: never redirect a user to another host after sign-in."""
    if not value:
        return "/dashboard"
    parsed = urlparse(value)
    if parsed.scheme or parsed.netloc or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/dashboard"
    return value


def field_messages(exc: ValidationError, lang: str) -> Errors:
    return [
        {
            "field": ".".join(str(p) for p in err["loc"]) or "form",
            "message": validation_message(err, lang),
            "code": validation_code(err),
        }
        for err in exc.errors()
    ]


def headed(lang: str, label_code: str, message: str) -> str:
    """A message headed by an input's label ("预算：不能为负数", "Budget: cannot be negative")."""
    return gettext(lang, "ui.labelled", label=gettext(lang, label_code), message=message)


def labelled(errors: Errors, lang: str) -> Errors:
    """Each message headed by its input's label (where the field has one), for forms with many inputs."""
    return [
        {**e, "message": headed(lang, f"ui.{e['field']}", e["message"])} if known(lang, f"ui.{e['field']}") else e
        for e in errors
    ]


def market_messages(exc: MarketError, lang: str) -> Errors:
    """A service's refusal as the page shows it: every field error, with its article in the page's language."""
    out = []
    for e in exc.errors:
        message = e.text(lang)
        article = e.article_text(lang)
        if article:
            message = f"{message} {gettext(lang, 'ui.citation', text=article)}"
        out.append({"field": e.field, "message": message})
    return out or [{"field": "form", "message": exc.text(lang)}]


async def form_of(request: AnyRequest) -> FormMultiDict:
    """The posted form (URL-encoded or multipart), empty when nothing was posted."""
    content_type, _ = request.content_type
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return FormMultiDict()
    return await request.form()


def page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))
