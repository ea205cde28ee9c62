"""Demo data: one organisation of every kind with an owner who can sign in. Safe to run again."""

from __future__ import annotations

from typing import Any

from market.accounts import passwords
from market.accounts import repository as accounts_repo
from market.audit.service import Actor, record
from market.jobs import unit_of_work
from market.orgs import repository as orgs_repo
from market.orgs.schemas import OrgKind, Role

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
    (OrgKind.platform_admin, "平台运营（演示）", "admin@demo.market", "110000"),
]


async def seed_demo() -> list[dict[str, Any]]:
    out = []
    async with unit_of_work():
        for kind, org_name, email, region in DEMO_ORGS:
            user = await accounts_repo.user_by_email(email)
            if user is None:
                user_id = await accounts_repo.create_user(
                    email=email,
                    password_hash=passwords.hash_password(DEMO_PASSWORD),
                    display_name=org_name.split("（")[0] + " 管理员",  # words: data (a demo user's name)
                    locale="zh",
                )
                org_id = await orgs_repo.create_org(name=org_name, kind=kind.value, region=region)
                await orgs_repo.add_membership(user_id=user_id, org_id=org_id, role=Role.owner.value)
                await record(
                    actor=Actor.system(),
                    action="seed.demo_account",
                    entity_type="organisation",
                    entity_id=org_id,
                    org_id=org_id,
                    after={"name": org_name, "kind": kind.value, "owner_email": email},
                )
            out.append({"kind": kind.value, "org": org_name, "email": email, "password": DEMO_PASSWORD})
    return out
