"""Settings from the environment (prefix ``MARKET_``).

An empty environment gives the embedded default: a SQLite file under ``data_dir``, the embedded search engine
and jobs run inside the app's process. Production sets ``MARKET_DATABASE_URL`` (PostgreSQL),
``MARKET_REDIS_URL`` (arq jobs, sessions, rate limits) and ``MARKET_SEARCH_BACKEND=meilisearch``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me-in-production-0123456789"  # noqa: S105 - refused when env=production


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MARKET_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(default=Path("var"), description="Where the embedded defaults keep their files.")
    database_url: str = Field(
        default="",
        description="postgresql://user@host:5432/db for PostgreSQL; empty or sqlite:///path for a SQLite file.",
    )
    db_pool_min: int = 1
    db_pool_max: int = 10
    redis_url: str = Field(default="", description="redis://host:6379/0; empty runs jobs in the app's process.")
    search_backend: Literal["embedded", "meilisearch"] = "embedded"
    search_synonyms_file: Path | None = Field(
        default=None,
        description="An operator's synonym file merged with the curated one (JSON like data/synonyms.json, or one "
        "group a line, members separated by commas); `market reindex` after editing it when using Meilisearch.",
    )
    meili_url: str = ""
    meili_key: SecretStr = SecretStr("")
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    cookie_secure: bool = False
    session_max_age_seconds: int = 14 * 24 * 3600
    sign_in_rate_per_minute: int = Field(default=10, description="sign-in attempts per client and minute")
    sign_up_rate_per_hour: int = Field(default=20, description="sign-ups per client and hour")
    invitation_rate_per_minute: int = Field(default=10, description="invitation acceptances per client and minute")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="CIDRs of the reverse proxies whose X-Forwarded-For names the client (JSON list); empty: the "
        "socket peer is the client",
    )
    password_min_length: int = Field(default=10, ge=8, le=200, description="the shortest password accepted")
    invitation_days: int = Field(default=7, ge=1, le=60, description="how long an invitation may be accepted")
    job_queue_name: str = Field(default="arq:queue", description="The arq queue (one per deployment sharing a Redis).")
    job_max_tries: int = 5
    job_backoff_seconds: float = 2.0
    log_level: str = "INFO"
    log_json: bool = False
    stripe_api_key: SecretStr = SecretStr("")
    stripe_webhook_secret: SecretStr = SecretStr("")
    stripe_api_base: str = Field(default="", description="empty for Stripe; http://127.0.0.1:8420 for localstripe")
    cnipa_reminder_working_days: int = Field(
        default=10,
        ge=1,
        le=60,
        description="Working days after publication before the university is reminded to file a declaration with CNIPA "
        "(and every as many after) while CNIPA's announcement is unrecorded.",
    )
    platform_fee_bp: int = Field(default=500, ge=0, le=10_000, description="platform fee in basis points")
    payment_methods: str = "card,alipay,wechat_pay,bank_transfer"
    statement_max_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1, le=64 * 1024 * 1024, description="largest bank statement file accepted"
    )
    statement_max_rows: int = Field(default=200_000, ge=1, description="most rows of a bank statement file accepted")
    stripe_localstripe: bool = Field(default=False, description="development/tests: bridge localstripe's gaps")
    smtp_url: str = Field(default="", description="smtp://user:pass@host:587 for e-mail; empty keeps mail in-app.")
    mail_from: str = "noreply@market.local"
    # Imports (listings.imports): a file beyond a limit is refused as a whole, before anything is written.
    import_max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1, description="largest import file accepted")
    import_max_rows: int = Field(default=1_000_000, ge=1, description="most records (rows) in one import file")
    import_max_cell_chars: int = Field(default=200_000, ge=1, description="longest cell (characters), as claims")
    import_max_record_chars: int = Field(
        default=1_000_000, ge=1, description="longest JSON Lines document or CSV line (characters)"
    )
    import_max_json_depth: int = Field(default=32, ge=2, description="deepest nesting of a JSON Lines document")
    import_stale_after_seconds: int = Field(
        default=900, ge=60, description="a running import silent this long is marked failed (its worker died)"
    )
    # Dossiers (finance.dossiers): a document beyond the limit is refused before anything is written.
    dossier_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1, description="largest dossier document accepted")
    # The platform's PAdES seal (finance.signatures). Empty key and certificate files: a self-signed certificate is
    # generated at first use into ``seal_dir`` (default ``<data_dir>/seal``; its key never leaves that folder).
    seal_key_file: str = Field(default="", description="PEM/DER private key of a real sealing certificate")
    seal_cert_file: str = Field(default="", description="PEM/DER sealing certificate (with the key above)")
    seal_key_passphrase: SecretStr = SecretStr("")
    seal_chain_files: list[str] = Field(default_factory=list, description="intermediate CA certificates (JSON list)")
    seal_trust_files: list[str] = Field(
        default_factory=list, description="roots verification trusts (JSON list); empty: the chain's last certificate"
    )
    seal_dir: str = Field(default="", description="where the self-signed seal lives; empty: <data_dir>/seal")
    seal_name: str = Field(default="open-licence-market platform seal", description="the self-signed seal's name")

    @field_validator("search_synonyms_file", mode="before")
    @classmethod
    def _blank_is_no_file(cls, value: object) -> object:
        """``MARKET_SEARCH_SYNONYMS_FILE=`` (as an env file leaves it) means no file, not the current directory."""
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.env == "production" and self.secret_key.get_secret_value() == DEV_SECRET:
            raise ValueError("MARKET_SECRET_KEY must be set in production")
        if self.env == "production" and self.stripe_localstripe:
            raise ValueError("MARKET_STRIPE_LOCALSTRIPE is for development and tests, not production")
        return self

    def served_base_url(self, host: str, port: int) -> str:
        """The address links and e-mails carry: ``MARKET_BASE_URL`` when it was set, and always in production; in
        development and tests the address actually served, so ``market serve --port 8017`` links to port 8017."""
        if self.env == "production" or "base_url" in self.model_fields_set:
            return self.base_url
        shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 - all interfaces: this machine
        return f"http://{shown}:{port}"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.data_dir / "market.sqlite3"

    @property
    def jobs_backend(self) -> Literal["arq", "in-process"]:
        return "arq" if self.redis_url else "in-process"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
