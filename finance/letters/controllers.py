"""A case's decision letters (text and the sealed PDF's address), for the case's two organisations."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import Provide

from finance.letters import service as letters
from finance.letters.schemas import LetterOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.web.access import signed_in
from market.web.problems import language


class LetterController(Controller):
    path = "/api/letters"
    tags = ["letters"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/cases/{case_id:int}", opt=signed_in(approved=True), summary="A case's decision letters")
    async def of_case(self, request: Request[Any, Any, Any], principal: Principal, case_id: int) -> list[LetterOut]:
        return await letters.letters_for(principal=principal, case_id=case_id, lang=language(request))
