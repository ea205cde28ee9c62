"""The licence checkout paying a service voucher's share (the acceptance journey).

On a licence waiting for payment whose licensor is a listed provider of the entitlement's programme, the SME pays the
voucher's share of the amount due (``voucher_programmes.voucher_part`` in ``tech_results``: capped per claim, and by
what is available; the SME may choose less, never all of it: the co-pay is its own). One transaction: the redemption
(``held``), the hold on the entitlement (ref ``licence:{id}``), the caps across claims, the cover on the licence
(``licences.set_voucher_cover``) and the open payment attempts repriced (``payments.reprice``): the payment then asks
for the rest only, and that payment succeeding activates the licence. Cancelling the licence (``licence.cancelled``)
or withdrawing the choice releases the hold and clears the cover. The university files the claim once the licence
is active (``claims``).
"""

from __future__ import annotations

from finance.licences import service as licences
from finance.licences.records import LicenceRecord
from finance.payments import service as payments
from finance.voucher_entitlements import service as entitlements
from finance.voucher_entitlements.records import EntitlementRecord
from finance.voucher_programmes import service as programmes
from finance.voucher_programmes.records import VoucherPart
from finance.voucher_providers import service as providers
from finance.voucher_redemptions import repository, service
from finance.voucher_redemptions.records import RedemptionRecord
from finance.voucher_redemptions.schemas import LicenceVoucherIn
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, Forbidden, NotFound
from market.i18n import Msg
from market.kit.money import Money
from market.notifications.service import notify_members
from market.orgs import service as org_service


def licence_key(licence_id: int) -> str:
    return f"licence:{licence_id}"


async def _licensee_licence(principal: Principal, licence_id: int) -> LicenceRecord:
    row = await licences.party(principal, licence_id)
    if row.licensee != principal.org_id:
        raise Forbidden(Msg("voucher_redemption.licensee_only"))
    return row


async def choose_for_licence(*, principal: Principal, licence_id: int, data: LicenceVoucherIn) -> RedemptionRecord:
    """The licence checkout's voucher choice (see the module's docstring). The same choice again returns the
    redemption made (idempotent); another while one is held is a 409 (withdraw it first)."""
    org_service.require_approved(principal)
    licence = await _licensee_licence(principal, licence_id)
    if licence.status != "pending_payment" or licence.amount_due_minor <= 0:
        raise Conflict(Msg("voucher_redemption.licence_not_pending"))
    live = await repository.live_by_key(licence_key(licence_id))
    if live is not None:
        if live.entitlement == data.entitlement_id and data.amount_minor in (None, live.voucher_minor):
            return live
        raise Conflict(Msg("voucher_redemption.licence_has_voucher", {"amount": live.voucher}))
    due = Money(licence.currency, licence.amount_due_minor)
    spend = await service.check_spend(
        sme=principal.org_id, entitlement_id=data.entitlement_id, programme_id=None, provider=licence.licensor,
        category=service.TECH_RESULTS, price=due, amount_minor=data.amount_minor, mode=service.PROVIDER_REDEEMS,
        at=service.now(),
    )
    if spend.amount.minor >= due.minor:  # the programme's co-pay: the firm pays a part itself
        raise service.field_problem("amount_minor", Msg("voucher_redemption.copay_required", {"amount": due}))
    earlier = await repository.count_for_licence(licence_id)
    ref = licence_key(licence_id) if earlier == 0 else f"{licence_key(licence_id)}:{earlier + 1}"
    actor = service.actor_of(principal)
    redemption_id = await repository.insert(service.new_values(
        spend, source="licence", status="held", payee=licence.licensor, hold_ref=ref, title=licence.number,
        created_by=principal.user_id, licence=licence_id, live_key=licence_key(licence_id),
    ))  # fmt: skip
    made = await repository.get(redemption_id)
    assert made is not None
    made = await service.place_hold(made, spend, actor)
    await payments.reprice(licence_id=licence_id, actor=actor)  # an open attempt of the full amount is canceled
    await licences.set_voucher_cover(licence_id, spend.amount.minor, actor)
    await record(actor=actor, action="finance.voucher_licence_chosen", entity_type="voucher_redemption",
                 entity_id=redemption_id, org_id=principal.org_id,
                 after={"licence": licence.number, "entitlement": spend.entitlement.id, "hold": made.hold,
                        "voucher_minor": spend.amount.minor, "amount_due_minor": due.minor,
                        "programme": spend.programme.id, "programme_version": spend.programme.version})  # fmt: skip
    await notify_members(org_id=licence.licensor, kind="voucher",
                         message=Msg("voucher_redemption.notice.licence_voucher",
                                     {"number": licence.number, "amount": spend.amount}),
                         dedupe_key=f"voucher-licence:{redemption_id}")  # fmt: skip
    return made


async def withdraw_for_licence(*, principal: Principal, licence_id: int) -> RedemptionRecord:
    """The firm withdraws its voucher choice while the licence waits for payment: the hold released, the cover
    cleared (the payment then asks for the whole amount due)."""
    licence = await _licensee_licence(principal, licence_id)
    live = await repository.live_by_key(licence_key(licence_id))
    if live is None:
        raise NotFound(Msg("voucher_redemption.licence_no_voucher"))
    if licence.status != "pending_payment" or live.status != "held":
        raise Conflict(Msg("voucher_redemption.licence_not_pending"))
    actor = service.actor_of(principal)
    closed = await _close_licence_redemption(live, actor, event="cancel", why="withdrawn")
    await payments.reprice(licence_id=licence_id, actor=actor)
    await licences.set_voucher_cover(licence_id, 0, actor)
    return closed


async def _close_licence_redemption(found: RedemptionRecord, actor: Actor, *, event: str, why: str) -> RedemptionRecord:
    await service.release_hold(found, actor)
    return await service.move(found, event, actor, refusal=[f"voucher_redemption.closed.{why}"])


async def licence_cancelled(*, licence_id: int) -> bool:
    """``licence.cancelled``: a held voucher share of the licence is released and its cover cleared. Safe to run
    twice (the second finds nothing live). True if this call released one."""
    live = await repository.live_by_key(licence_key(licence_id))
    if live is None or live.status != "held":
        return False
    actor = Actor.system()
    await _close_licence_redemption(live, actor, event="cancel", why="licence_cancelled")
    await licences.set_voucher_cover(licence_id, 0, actor)
    await notify_members(org_id=live.sme, kind="voucher",
                         message=Msg("voucher_redemption.notice.released", {"title": live.title,
                                                                             "amount": live.voucher}),
                         dedupe_key=f"voucher-released:{live.id}")  # fmt: skip
    return True


async def licence_activated(*, licence_id: int) -> None:
    """``licence.activated``: the remainder is paid; the university is told it may file the voucher's claim. If the
    licensee paid the whole amount due after all (money for an attempt opened before the voucher was chosen, which
    ``payments.receive`` still counts), the voucher pays nothing: its hold is released and the cover cleared."""
    live = await repository.live_by_key(licence_key(licence_id))
    if live is None or live.status != "held":
        return
    licence = await licences.licence_by_id(licence_id)
    paid = sum(p.amount_minor for p in await payments.payments_of_licence(licence_id)
               if p.purpose == "initial" and p.status == "succeeded")  # fmt: skip
    if licence is not None and paid >= licence.amount_due_minor:
        actor = Actor.system()
        await _close_licence_redemption(live, actor, event="cancel", why="paid_in_full")
        await licences.set_voucher_cover(licence_id, 0, actor)
        await notify_members(org_id=live.sme, kind="voucher",
                             message=Msg("voucher_redemption.notice.released", {"title": live.title,
                                                                                 "amount": live.voucher}),
                             dedupe_key=f"voucher-released:{live.id}")  # fmt: skip
        return
    await notify_members(org_id=live.provider, kind="voucher",
                         message=Msg("voucher_redemption.notice.claim_ready", {"title": live.title,
                                                                                "amount": live.voucher}),
                         dedupe_key=f"voucher-claim-ready:{live.id}")  # fmt: skip


async def licence_voucher(*, principal: Principal, licence_id: int) -> RedemptionRecord | None:
    """The licence's live voucher share (or its last one), for either party."""
    await licences.party(principal, licence_id)
    live = await repository.live_by_key(licence_key(licence_id))
    if live is not None:
        return live
    rows = await repository.listed(licence=licence_id, limit=1)
    return rows[0] if rows else None


async def licence_options(*, principal: Principal, licence_id: int) -> list[tuple[EntitlementRecord, VoucherPart]]:
    """The firm's entitlements usable now on this licence (a programme that lists the licensor as provider and
    covers ``tech_results``), each with the voucher's part of the amount due, for the checkout's choice."""
    licence = await _licensee_licence(principal, licence_id)
    if licence.status != "pending_payment" or licence.amount_due_minor <= 0:
        return []
    out = []
    for ent in await entitlements.usable(principal.org_id, on=service.now()):
        prog = await programmes.programme(ent.programme)
        if prog.terms.mode != service.PROVIDER_REDEEMS or prog.terms.category(service.TECH_RESULTS) is None:
            continue
        if await providers.listed_provider(prog.id, licence.licensor, on=service.today()) is None:
            continue
        out.append((ent, programmes.voucher_part(prog.terms, service.TECH_RESULTS, licence.amount_due_minor)))
    return out
