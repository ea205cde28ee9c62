"""Pledge registrations API: both parties read and sign; the bank (pledgee) records CNIPA's handling, the release
and its consents. A move names the version it was read at: a stale one is refused (409)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from finance.registrations import service
from finance.registrations.schemas import (
    ConsentIn,
    CorrectionIn,
    FiledIn,
    OnIn,
    RefusedIn,
    RegisteredIn,
    RegistrationOut,
    VersionIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

PARTIES = signed_in(OrgKind.sme, OrgKind.bank)
SIGNERS = signed_in(OrgKind.sme, OrgKind.bank, approved=True)
BANK = signed_in(OrgKind.bank, approved=True)


def client_of(request: Request) -> tuple[str, str]:  # type: ignore[type-arg]
    host = request.client.host if request.client else ""
    return host, request.headers.get("user-agent", "")


class RegistrationController(Controller):
    path = "/api/pledge-registrations"
    tags = ["pledge registrations"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PARTIES, summary="My pledge registrations (the SME's and the bank's)")
    async def list_mine(self, principal: Principal) -> list[RegistrationOut]:
        return [
            await service.view(principal=principal, registration_id=r.id)
            for r in await service.mine(principal=principal)
        ]

    @get("/{registration_id:int}", opt=PARTIES, summary="One pledge registration, its documents and signatures")
    async def get_one(self, principal: Principal, registration_id: int) -> RegistrationOut:
        return await service.view(principal=principal, registration_id=registration_id)

    @get(
        "/{registration_id:int}/documents/{kind:str}",
        opt=PARTIES,
        summary="A document PDF (pledge_contract, pledge_registration_form), checked against its SHA-256",
    )
    async def document(self, principal: Principal, registration_id: int, kind: str) -> Response[bytes]:
        name, data = await service.download(principal=principal, registration_id=registration_id, kind=kind)
        return Response(
            data, media_type="application/pdf", headers={"content-disposition": f'attachment; filename="{name}"'}
        )

    @post(
        "/{registration_id:int}/sign",
        opt=SIGNERS,
        status_code=HTTP_200_OK,
        summary="Sign every document as my party (a signed click: identity, role, document SHA-256, time)",
    )
    async def sign(
        self,
        request: Request,  # type: ignore[type-arg]
        principal: Principal,
        registration_id: int,
        data: JSONBody[VersionIn],
    ) -> RegistrationOut:
        ip, agent = client_of(request)
        await service.sign(
            principal=principal, registration_id=registration_id, expected_version=data.version, ip=ip,
            user_agent=agent,
        )
        return await service.view(principal=principal, registration_id=registration_id)

    @post("/{registration_id:int}/filed", opt=BANK, status_code=HTTP_200_OK, summary="Record the filing with CNIPA")
    async def filed(self, principal: Principal, registration_id: int, data: JSONBody[FiledIn]) -> RegistrationOut:
        await service.file(
            principal=principal, registration_id=registration_id, expected_version=data.version,
            filed_on=data.filed_on,
        )
        return await service.view(principal=principal, registration_id=registration_id)

    @post(
        "/{registration_id:int}/correction",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Record CNIPA's request for a correction (the 7-working-day clock pauses)",
    )
    async def correction(
        self, principal: Principal, registration_id: int, data: JSONBody[CorrectionIn]
    ) -> RegistrationOut:
        await service.request_correction(
            principal=principal, registration_id=registration_id, expected_version=data.version, on=data.on,
            note=data.note,
        )
        return await service.view(principal=principal, registration_id=registration_id)

    @post(
        "/{registration_id:int}/resubmitted",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Record the correction filed (the clock resumes)",
    )
    async def resubmitted(self, principal: Principal, registration_id: int, data: JSONBody[OnIn]) -> RegistrationOut:
        await service.resubmit(
            principal=principal, registration_id=registration_id, expected_version=data.version, on=data.on
        )
        return await service.view(principal=principal, registration_id=registration_id)

    @post(
        "/{registration_id:int}/registered",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Record the registration (number and date): the patents show as pledged",
    )
    async def registered(
        self, principal: Principal, registration_id: int, data: JSONBody[RegisteredIn]
    ) -> RegistrationOut:
        await service.register(
            principal=principal, registration_id=registration_id, expected_version=data.version,
            number=data.registration_number, registered_on=data.registered_on,
        )
        return await service.view(principal=principal, registration_id=registration_id)

    @post(
        "/{registration_id:int}/refused",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Record CNIPA's refusal with its ground (pledge.ground.01 ... 12)",
    )
    async def refused(self, principal: Principal, registration_id: int, data: JSONBody[RefusedIn]) -> RegistrationOut:
        await service.refuse(
            principal=principal, registration_id=registration_id, expected_version=data.version, ground=data.ground,
            note=data.note,
        )
        return await service.view(principal=principal, registration_id=registration_id)

    @post(
        "/{registration_id:int}/release-filed",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Record the release (注销) filed with CNIPA",
    )
    async def release_filed(
        self, principal: Principal, registration_id: int, data: JSONBody[OnIn]
    ) -> RegistrationOut:
        await service.file_release(
            principal=principal, registration_id=registration_id, expected_version=data.version, on=data.on
        )
        return await service.view(principal=principal, registration_id=registration_id)

    @post(
        "/{registration_id:int}/released",
        opt=BANK,
        status_code=HTTP_200_OK,
        summary="Record the release registered: the patents are no longer pledged",
    )
    async def released(self, principal: Principal, registration_id: int, data: JSONBody[OnIn]) -> RegistrationOut:
        await service.register_release(
            principal=principal, registration_id=registration_id, expected_version=data.version, on=data.on
        )
        return await service.view(principal=principal, registration_id=registration_id)

    @post(
        "/{registration_id:int}/consents",
        opt=BANK,
        status_code=HTTP_204_NO_CONTENT,
        summary="Record the pledgee's consent to an open-licence declaration (Regs Art 86(4)) or a licence (Civil "
        "Code Art 444) of a pledged patent",
    )
    async def consent(self, principal: Principal, registration_id: int, data: JSONBody[ConsentIn]) -> None:
        await service.record_consent(
            principal=principal, registration_id=registration_id, patent_id=data.patent_id, scope=data.scope.value
        )
