"""Catalogued service orders paid partly by a voucher (provider-redeems programmes).

The SME orders (the price as read now, the voucher's part computed and checked), the provider confirms (the hold is
placed then: every check again at that moment, expiry and revocation included), delivers (the deliverable stored with
its SHA-256), the SME accepts, the provider files the claim (``claims``). Declined or cancelled: released.
"""

from __future__ import annotations

import hashlib

from finance.dossiers import service as dossiers
from finance.voucher_redemptions import repository, service
from finance.voucher_redemptions.records import RedemptionRecord, Upload
from finance.voucher_redemptions.schemas import OrderIn
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, Forbidden
from market.i18n import Msg
from market.kit.money import Money
from market.notifications.service import notify_members
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind


async def order(*, principal: Principal, data: OrderIn) -> RedemptionRecord:
    """The SME orders a catalogued service (provider-redeems programmes): every check now (nothing is held until
    the provider confirms, and everything is checked again then)."""
    org_service.require_approved(principal)
    if principal.org_kind is not OrgKind.sme:
        raise Forbidden(Msg("voucher_redemption.sme_only"))
    item = await service.catalogued(data.service_id)
    price = Money(item.currency, item.price_minor * data.quantity)
    spend = await service.check_spend(
        sme=principal.org_id, entitlement_id=data.entitlement_id, programme_id=item.programme, provider=item.org,
        category=item.category, price=price, amount_minor=data.amount_minor, mode=service.PROVIDER_REDEEMS,
        at=service.now(),
    )
    title = item.title_zh if data.quantity == 1 else f"{item.title_zh} × {data.quantity}"
    redemption_id = await repository.insert(service.new_values(
        spend, source="service", status="ordered", payee=item.org, hold_ref="", title=title,
        created_by=principal.user_id, service=item.id,
    ))  # fmt: skip
    made = await repository.get(redemption_id)
    assert made is not None
    ref = f"order:{redemption_id}"
    if not await repository.set_fields(redemption_id, version=made.version, values={"hold_ref": ref}, at=service.now()):
        raise Conflict(Msg("voucher_redemption.changed_meanwhile"))
    await record(actor=service.actor_of(principal), action="finance.voucher_order_placed",
                 entity_type="voucher_redemption", entity_id=redemption_id, org_id=principal.org_id,
                 after={"service": item.id, "price_minor": price.minor, "voucher_minor": spend.amount.minor,
                        "programme": spend.programme.id, "entitlement": spend.entitlement.id})  # fmt: skip
    await notify_members(org_id=item.org, kind="voucher",
                         message=Msg("voucher_redemption.notice.ordered", {"title": title, "amount": price}),
                         dedupe_key=f"voucher-ordered:{redemption_id}")  # fmt: skip
    fresh = await repository.get(redemption_id)
    assert fresh is not None
    return fresh








async def confirm(*, principal: Principal, redemption_id: int, expected_version: int) -> RedemptionRecord:
    """The provider confirms an order: every check again at this moment (listed today, related parties, the
    entitlement usable now, the caps), then the hold."""
    found = await service.of_provider(principal, redemption_id)
    service.expect_version(found, expected_version)
    if found.status != "ordered":
        raise Conflict(Msg("voucher_redemption.not_ordered"))
    spend = await service.check_spend(
        sme=found.sme, entitlement_id=found.entitlement, programme_id=found.programme, provider=found.provider,
        category=found.category, price=found.price, amount_minor=found.voucher_minor,
        mode=service.PROVIDER_REDEEMS, at=service.now(),
    )
    held = await service.place_hold(found, spend, service.actor_of(principal), event="confirm")
    await notify_members(org_id=found.sme, kind="voucher",
                         message=Msg("voucher_redemption.notice.confirmed", {"title": found.title,
                                                                              "amount": held.voucher}),
                         dedupe_key=f"voucher-confirmed:{found.id}")  # fmt: skip
    return held


async def decline(*, principal: Principal, redemption_id: int, expected_version: int) -> RedemptionRecord:
    found = await service.of_provider(principal, redemption_id)
    service.expect_version(found, expected_version)
    declined = await service.move(found, "decline", service.actor_of(principal))
    await notify_members(org_id=found.sme, kind="voucher",
                         message=Msg("voucher_redemption.notice.declined", {"title": found.title}),
                         dedupe_key=f"voucher-declined:{found.id}")  # fmt: skip
    return declined


async def cancel(*, principal: Principal, redemption_id: int, expected_version: int) -> RedemptionRecord:
    """The SME or the provider cancels an order not yet delivered and accepted: the hold (if any) released. A
    licence's voucher share is withdrawn on the licence instead."""
    found = await service.visible(principal, redemption_id)
    if principal.org_id not in (found.sme, found.provider) or found.source != "service":
        raise Forbidden(Msg("voucher_redemption.cancel_not_allowed"))
    service.expect_version(found, expected_version)
    if found.status not in ("ordered", "held", "delivered"):
        raise Conflict(Msg("voucher_redemption.cancel_not_allowed"))
    await service.release_hold(found, service.actor_of(principal))
    closed = await service.move(found, "cancel", service.actor_of(principal),
                                refusal=["voucher_redemption.closed.cancelled"])
    other = found.provider if principal.org_id == found.sme else found.sme
    await notify_members(org_id=other, kind="voucher",
                         message=Msg("voucher_redemption.notice.cancelled", {"title": found.title}),
                         dedupe_key=f"voucher-cancelled:{found.id}")  # fmt: skip
    return closed


async def deliver(
    *, principal: Principal, redemption_id: int, expected_version: int, deliverable: Upload | None
) -> RedemptionRecord:
    """The provider hands over the deliverable: checked by its bytes, stored with its SHA-256; the SME then accepts."""
    found = await service.of_provider(principal, redemption_id)
    service.expect_version(found, expected_version)
    if found.status != "held" or found.source != "service":
        raise Conflict(Msg("voucher_redemption.not_held"))
    if deliverable is None:
        raise service.field_problem("deliverable", Msg("voucher_redemption.deliverable_required"), "required")
    await store_deliverable(found, deliverable, service.actor_of(principal))
    delivered = await service.move(found, "deliver", service.actor_of(principal), delivered_at=service.now())
    await notify_members(org_id=found.sme, kind="voucher",
                         message=Msg("voucher_redemption.notice.delivered", {"title": found.title}),
                         dedupe_key=f"voucher-delivered:{found.id}")  # fmt: skip
    return delivered


async def store_deliverable(found: RedemptionRecord, document: Upload, actor: Actor) -> str:
    """Check a deliverable by its bytes (``finance.dossiers``) and store it with its SHA-256 (returned)."""
    requirement = service.deliverable_requirement()
    sniffed = dossiers.check_document(requirement, document.content, None, on=service.today(),
                                      limit=dossiers.max_bytes())
    sha = hashlib.sha256(document.content).hexdigest()
    await repository.put_deliverable(redemption_id=found.id, filename=dossiers.clean_filename(
        document.filename, sniffed), content_type=sniffed, content=document.content, sha256=sha, by=actor.user_id,
        at=service.now())  # fmt: skip
    return sha


async def accept(*, principal: Principal, redemption_id: int, expected_version: int) -> RedemptionRecord:
    found = await service.of_sme(principal, redemption_id)
    service.expect_version(found, expected_version)
    accepted = await service.move(found, "accept", service.actor_of(principal), accepted_at=service.now())
    await notify_members(org_id=found.provider, kind="voucher",
                         message=Msg("voucher_redemption.notice.accepted", {"title": found.title}),
                         dedupe_key=f"voucher-accepted:{found.id}")  # fmt: skip
    return accepted
