"""A second step before an action that is hard to undo (publish, withdraw, cancel): the first POST changes nothing
and answers a confirmation page (or section) whose form posts the same fields again with ``confirmed=yes``. Plain
forms and links: usable with the keyboard and without JavaScript. The API has no such step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from litestar.datastructures import FormMultiDict
from litestar.response import Template

from frontend.render import AnyRequest, form_of, page

CONFIRM_FIELD = "confirmed"
CONFIRM_VALUE = "yes"
NOT_ECHOED = {CONFIRM_FIELD, "_csrf_token"}


def confirmed(form: Mapping[str, Any]) -> bool:
    return form.get(CONFIRM_FIELD) == CONFIRM_VALUE


def echo(form: FormMultiDict, *, drop: Sequence[str] = ()) -> list[tuple[str, str]]:
    """The posted fields to post again from the confirmation form (not the token, not the confirmation)."""
    skip = NOT_ECHOED | set(drop)
    return [(k, str(v)) for k, v in form.multi_items() if k not in skip and isinstance(v, str)]


def confirm_page(
    request: AnyRequest,
    *,
    action: str,
    heading: str,
    question: str,
    button: str,
    back: str,
    fields: list[tuple[str, str]] | None = None,
    details: list[str] | None = None,
    danger: bool = False,
) -> Template:
    """The confirmation page: ``heading``, ``question`` and ``button`` are ``ui.*`` codes; ``details`` are lines
    already in the reader's language; ``back`` is where "go back" leads (nothing done)."""
    return page(
        request,
        "confirm.html",
        action=action,
        heading=heading,
        question=question,
        button=button,
        back=back,
        fields=fields or [],
        details=details or [],
        danger=danger,
        confirm_field=CONFIRM_FIELD,
        confirm_value=CONFIRM_VALUE,
    )


async def unless_confirmed(
    request: AnyRequest, *, button: str, back: str, details: list[str] | None = None
) -> Template | None:
    """For an action that cannot be undone (delete, revoke, remove, mark refunded): the confirmation page, posting the
    same form to the same address with ``confirmed=yes``; None once confirmed. ``button`` is a ``ui.*`` code."""
    form = await form_of(request)
    if confirmed(form):
        return None
    return confirm_page(
        request,
        action=request.url.path,
        heading="ui.confirm_irreversible_title",
        question="ui.confirm_irreversible_question",
        button=button,
        back=back,
        fields=echo(form),
        details=details,
        danger=True,
    )
