"""Demo data: one organisation of every kind with an owner who can sign in, approved, with a well-formed unified
social credit code (demo codes: the organisation-code part starts with MB) and a verified e-mail. Safe to run
again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from market.accounts import passwords
from market.accounts import service as account_service
from market.audit.service import Actor, record
from market.jobs import unit_of_work
from market.kit.credit_code import with_check
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind, OrgStatus, Role

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo on purpose

# Demo organisations: names are data (what a university or firm is called), not words of the product.
DEMO_ORGS: list[tuple[OrgKind, str, str, str]] = [  # words: data
    (OrgKind.university, "清华大学（演示）", "university@demo.market", "110000"),
    (OrgKind.university, "浙江大学（演示）", "zju@demo.market", "330000"),
    (OrgKind.university, "上海交通大学（演示）", "sjtu@demo.market", "310000"),
    (OrgKind.university, "华中科技大学（演示）", "hust@demo.market", "420000"),
    (OrgKind.university, "中山大学（演示）", "sysu@demo.market", "440000"),
    (OrgKind.sme, "杭州智造科技有限公司（演示）", "sme@demo.market", "330100"),
    (OrgKind.bank, "中国银行北京分行（演示）", "bank@demo.market", "110000"),
    (OrgKind.insurer, "人保财险（演示）", "insurer@demo.market", "110000"),
    (OrgKind.voucher_issuer, "杭州市科技局创新券（演示）", "vouchers@demo.market", "330100"),
    (OrgKind.service_provider, "杭州知识产权服务中心（演示）", "provider@demo.market", "330100"),
    (OrgKind.platform_admin, "平台运营（演示）", "admin@demo.market", "110000"),
]


# Further demo members (e-mail, the organisation's demo e-mail, display name): the demo bank's and insurer's second
# reviewers and the voucher issuer's second approver, so that a proposal made by one can be approved by another
# (four eyes).
DEMO_MEMBERS: list[tuple[str, str, str]] = [  # words: data
    ("bank.checker@demo.market", "bank@demo.market", "中国银行北京分行 审批岗"),
    ("insurer.checker@demo.market", "insurer@demo.market", "人保财险 核保复核岗"),
    ("vouchers.checker@demo.market", "vouchers@demo.market", "杭州市科技局 创新券复核岗"),
]


# The registration authority and organisation category (GB 32100-2015 positions 1-2) of each demo kind:
# 12 public institution (事业单位), 11 government body (机关), 91 enterprise.
CATEGORY = {OrgKind.university: "12", OrgKind.voucher_issuer: "11"}


def demo_credit_code(n: int, kind: OrgKind, region: str) -> str:
    return with_check(f"{CATEGORY.get(kind, '91')}{region or '110000'}MB{n:07d}")


def demo_address(org_name: str) -> str:
    return org_name.split("（")[0] + " 演示地址 1 号"  # words: data (a demo organisation's address)


async def seed_demo() -> list[dict[str, Any]]:
    out = []
    async with unit_of_work():
        for n, (kind, org_name, email, region) in enumerate(DEMO_ORGS, start=1):
            user = await account_service.user_by_email(email)
            if user is None:
                display_name = org_name.split("（")[0] + " 管理员"  # words: data (a demo user's name)
                user_id = await _demo_user(email, display_name)
                org_id = await org_service.create_org(
                    name=org_name,
                    kind=kind.value,
                    region=region,
                    credit_code=demo_credit_code(n, kind, region),
                    address=demo_address(org_name),
                    status=OrgStatus.approved,  # the demo's organisations are the platform's own: approved
                )
                await org_service.add_membership(user_id=user_id, org_id=org_id, role=Role.owner.value)
                await record(
                    actor=Actor.system(),
                    action="seed.demo_account",
                    entity_type="organisation",
                    entity_id=org_id,
                    org_id=org_id,
                    after={"name": org_name, "kind": kind.value, "owner_email": email, "status": "approved"},
                )
            else:
                await _bring_up_to_date(user.id, email, n, kind, region)
            out.append({"kind": kind.value, "org": org_name, "email": email, "password": DEMO_PASSWORD})
        out += await _seed_members({row["email"]: row for row in out})
    return out


async def _demo_user(email: str, display_name: str) -> int:
    """A demo user who signs in with the demo password, e-mail verified."""
    user_id = await account_service.create_user(
        email=email, password_hash=passwords.hash_password(DEMO_PASSWORD), display_name=display_name, locale="zh"
    )
    await account_service.mark_email_verified(user_id=user_id, email=email, at=datetime.now(UTC))
    return user_id


async def _seed_members(orgs_by_owner: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The extra demo members (``DEMO_MEMBERS``), each a verified member of its demo organisation; once."""
    out = []
    for email, owner_email, display_name in DEMO_MEMBERS:
        org = orgs_by_owner[owner_email]
        if await account_service.user_by_email(email) is None:
            owner = await account_service.user_by_email(owner_email)
            assert owner is not None
            memberships = await org_service.memberships_of_user(owner.id)
            user_id = await _demo_user(email, display_name)
            await org_service.add_membership(user_id=user_id, org_id=memberships[0].org_id, role=Role.member.value)
        out.append({"kind": org["kind"], "org": org["org"], "email": email, "password": DEMO_PASSWORD})
    return out


async def _bring_up_to_date(user_id: int, email: str, n: int, kind: OrgKind, region: str) -> None:
    """A demo organisation seeded before organisations were verified (``pending`` after the migration, without a
    credit code) gets its code and address and is approved again, so the demo keeps working."""
    memberships = await org_service.memberships_of_user(user_id)
    if not memberships or memberships[0].org_status == OrgStatus.approved:
        return
    membership = memberships[0]
    org = await org_service.org_by_id(membership.org_id)
    if org is None or org.credit_code is not None:
        return  # an organisation with a code of its own is reviewed like any other
    await account_service.mark_email_verified(user_id=user_id, email=email, at=datetime.now(UTC))
    code, address = demo_credit_code(n, kind, region), demo_address(org.name)
    if await org_service.approve_demo(org_id=org.id, version=org.version, credit_code=code, address=address):
        await record(
            actor=Actor.system(),
            action="seed.demo_approved",
            entity_type="organisation",
            entity_id=org.id,
            org_id=org.id,
            before={"status": org.status, "credit_code": None},
            after={"status": "approved", "credit_code": code},
        )
