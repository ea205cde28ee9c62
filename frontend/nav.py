"""The site navigation of each kind of organisation: a few primary links in the header and the rest in a "more" menu,
so that the header holds one line at 1280 px and folds into one menu button on a phone (base.html, app.js).

Presentation only: links are catalogue codes and paths; ``current`` says whether a link is the page being shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from market.accounts.principal import Principal


@dataclass(frozen=True)
class Link:
    href: str
    code: str
    # the paths (prefixes) this link stands for; ``href`` when empty
    prefixes: tuple[str, ...] = ()
    # paths under a prefix that belong to another link
    not_prefixes: tuple[str, ...] = ()
    exact: bool = False

    def current(self, path: str) -> bool:
        if self.exact:
            return path == self.href
        if any(path.startswith(p) for p in self.not_prefixes):
            return False
        return any(path.startswith(p) for p in (self.prefixes or (self.href,)))


@dataclass(frozen=True)
class Nav:
    primary: tuple[Link, ...]
    more: tuple[Link, ...]
    # the signed-in user's own links (tokens, webhooks), in the account menu
    account: tuple[Link, ...]

    def more_current(self, path: str) -> bool:
        return any(link.current(path) for link in self.more)


SEARCH = Link("/search", "ui.nav_search", ("/search",), ("/search/saved",))
LISTINGS = Link("/listings", "ui.nav_listings")
DASHBOARD = Link("/dashboard", "ui.dashboard", exact=True)
PATENTS = Link("/patents", "ui.nav_patents")
LICENCES = Link("/licences", "ui.nav_licences")
TOKENS = Link("/tokens", "ui.api_tokens")
WEBHOOKS = Link("/webhooks", "ui.webhooks_nav")
PARTIES = Link("/org/parties", "parties.ui.nav")
DESK = Link("/desk", "ui.nav_desk")
PROVIDER_VOUCHERS = Link("/provider/vouchers", "voucher_provider.ui.nav")
PROVIDER_CLAIMS = Link("/provider/voucher-claims", "voucher_redemption.ui.nav_provider")
PROVIDER_STATEMENTS = Link("/provider/voucher-statements", "voucher_settlement.ui.nav_statements")

PUBLIC = Nav(primary=(SEARCH, LISTINGS), more=(), account=())

BY_KIND: dict[str, Nav] = {
    "university": Nav(
        primary=(
            DASHBOARD,
            PATENTS,
            Link("/declarations", "ui.nav_declarations"),
            LICENCES,
            Link("/ledger", "ui.nav_ledger"),
        ),
        more=(
            SEARCH,
            LISTINGS,
            Link("/university/overview", "overview.university_title"),
            Link("/university/transfers", "ui.nav_receipts", ("/university/transfers", "/university/payee")),
            Link("/university/insurance-consents", "insurance.ui.nav_consents"),
            PROVIDER_VOUCHERS,
            PROVIDER_CLAIMS,
            PROVIDER_STATEMENTS,
            PARTIES,
            Link("/university/settings", "ui.nav_settings"),
        ),
        account=(TOKENS, WEBHOOKS),
    ),
    "sme": Nav(
        primary=(
            DASHBOARD,
            SEARCH,
            Link("/needs", "ui.nav_needs"),
            LICENCES,
            Link("/sme/patents", "ui.sme_finance_nav"),
        ),
        more=(
            LISTINGS,
            PATENTS,
            Link("/saved-searches", "ui.saved_searches"),
            Link("/sme/pledges", "pledge.ui.nav"),
            Link("/sme/insurance", "insurance.ui.nav"),
            Link("/sme/policies", "policies.ui.nav"),
            Link("/sme/subsidies", "subsidy.ui.nav"),
            Link("/sme/vouchers", "voucher_entitlement.ui.nav", not_prefixes=("/sme/vouchers/orders",)),
            Link("/sme/vouchers/orders", "voucher_redemption.ui.nav_sme"),
            PROVIDER_STATEMENTS,
            Link("/sme/qualifications", "qualification.ui.nav"),
            PARTIES,
        ),
        account=(TOKENS, WEBHOOKS),
    ),
    "bank": Nav(
        primary=(
            DASHBOARD,
            DESK,
            Link("/bank/pledges", "pledge.ui.nav"),
            Link("/bank/portfolio", "ui.portfolio_nav"),
            Link("/bank/products", "ui.nav_loan_products"),
        ),
        more=(SEARCH, LISTINGS),
        account=(TOKENS, WEBHOOKS),
    ),
    "insurer": Nav(
        primary=(
            DASHBOARD,
            DESK,
            Link("/insurer/applications", "insurance.ui.nav_insurer"),
            Link("/insurer/policies", "policies.ui.nav"),
            Link("/insurer/book", "policies.ui.book_title"),
        ),
        more=(Link("/insurer/products", "ui.insprod_nav"), SEARCH, LISTINGS),
        account=(TOKENS, WEBHOOKS),
    ),
    "voucher_issuer": Nav(
        primary=(
            DASHBOARD,
            DESK,
            Link("/issuer/vouchers", "voucher_programme.ui.nav"),
            Link(
                "/issuer/voucher-applications",
                "voucher_entitlement.ui.nav_applications",
                ("/issuer/voucher-applications", "/issuer/voucher-entitlements"),
            ),
        ),
        more=(
            Link("/issuer/voucher-claims", "voucher_redemption.ui.nav_issuer"),
            Link("/issuer/voucher-providers", "voucher_provider.ui.nav_issuer"),
            Link("/issuer/voucher-settlements", "voucher_settlement.ui.nav_batches"),
            Link("/issuer/voucher-reports", "voucher_settlement.ui.nav_reports"),
            Link("/issuer/subsidies", "subsidy.ui.nav_programmes"),
            Link("/issuer/subsidy-claims", "subsidy.ui.nav_claims"),
            SEARCH,
            LISTINGS,
        ),
        account=(TOKENS, WEBHOOKS),
    ),
    "service_provider": Nav(
        primary=(DASHBOARD, PROVIDER_VOUCHERS, PROVIDER_CLAIMS, PROVIDER_STATEMENTS),
        more=(SEARCH, LISTINGS, PARTIES),
        account=(TOKENS, WEBHOOKS),
    ),
    "platform_admin": Nav(
        primary=(
            DASHBOARD,
            Link(
                "/admin/transfers",
                "ui.nav_transfers",
                ("/admin",),
                ("/admin/calendar", "/admin/qualifications", "/admin/overview"),
            ),
            Link("/admin/qualifications", "qualification.ui.nav_admin"),
            Link("/admin/calendar", "ui.nav_calendar"),
        ),
        more=(Link("/admin/overview", "overview.admin_title"), SEARCH, LISTINGS),
        account=(TOKENS, WEBHOOKS),
    ),
}


def nav_for(principal: Principal | None) -> Nav:
    """The links of the reader's kind of organisation (webhooks for owners only); the public links when signed out."""
    if principal is None:
        return PUBLIC
    nav = BY_KIND.get(principal.org_kind.value, Nav(primary=(DASHBOARD, SEARCH, LISTINGS), more=(), account=()))
    account = (TOKENS, WEBHOOKS) if principal.is_owner else (TOKENS,)
    return Nav(primary=nav.primary, more=nav.more, account=account)
