"""The page texts in Chinese (default) and English. Every key exists in both (a test checks)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "site_name": "开放许可专利平台",
        "tagline": "高校专利开放许可 · 中小企业一键获得许可 · 知识产权金融",
        "lang_switch": "English",
        "skip_to_content": "跳到正文",
        "sign_in": "登录",
        "sign_up": "注册",
        "sign_out": "退出",
        "dashboard": "工作台",
        "api_tokens": "API 令牌",
        "email": "电子邮箱",
        "password": "密码",
        "password_hint": "至少 10 个字符",
        "display_name": "您的姓名",
        "org_name": "单位名称",
        "org_kind": "单位类型",
        "region": "行政区划代码（可选）",
        "no_account": "还没有账户？",
        "have_account": "已有账户？",
        "kind_university": "高校 / 科研院所",
        "kind_sme": "中小企业",
        "kind_bank": "银行",
        "kind_insurer": "保险公司",
        "kind_voucher_issuer": "服务券 / 创新券发放机构",
        "kind_platform_admin": "平台运营方",
        "role_owner": "负责人",
        "role_member": "成员",
        "acting_for": "当前单位",
        "your_role": "您的角色",
        "members": "成员",
        "add_member": "添加成员",
        "add_member_hint": "对方须先注册账户。",
        "role": "角色",
        "add": "添加",
        "remove": "移除",
        "notifications": "通知",
        "no_notifications": "暂无通知。",
        "audit_trail": "操作记录",
        "audit_hint": "本单位的每一次状态变更均写入防篡改的哈希链。",
        "action": "操作",
        "time": "时间",
        "tokens_intro": "API 令牌供本单位的系统（如银行的业务系统）调用平台接口，请求头为 Authorization: Bearer <令牌>。令牌只显示一次，平台仅保存其哈希值。",
        "token_name": "令牌名称",
        "create_token": "创建令牌",
        "token_created": "新令牌（仅显示这一次，请立即复制保存）：",
        "prefix": "前缀",
        "created": "创建时间",
        "last_used": "最近使用",
        "status": "状态",
        "active": "有效",
        "revoked": "已吊销",
        "revoke": "吊销",
        "never": "从未",
        "no_tokens": "尚无令牌。",
        "dash_university": "高校工作台：在此管理本校专利、发布开放许可声明并查看许可收入。",
        "dash_sme": "企业工作台：在此检索开放许可专利、发布技术需求、在线获得许可并申请融资。",
        "dash_bank": "银行工作台：在此审查知识产权质押贷款申请。可为贵行业务系统创建 API 令牌。",
        "dash_insurer": "保险公司工作台：在此审查知识产权保险投保申请。",
        "dash_voucher_issuer": "服务券工作台：在此管理服务券 / 创新券的发放与兑付结算。",
        "dash_platform_admin": "平台运营工作台：在此确认对公转账、核验操作记录哈希链。",
        "error": "出错了",
        "back_home": "返回首页",
        "form_errors": "请修正以下问题：",
        "wrong_credentials": "电子邮箱或密码错误。",
        "email_taken": "该电子邮箱已注册。",
        "too_many": "尝试次数过多，请稍后再试。",
        "signed_up": "注册成功，欢迎！",
        "footer": "依据《中华人民共和国专利法》第五十条至第五十二条的专利开放许可制度。",
    },
    "en": {
        "site_name": "Open-Licence Patent Market",
        "tagline": "University patents under open licence · SMEs license online · IP finance",
        "lang_switch": "中文",
        "skip_to_content": "Skip to content",
        "sign_in": "Sign in",
        "sign_up": "Sign up",
        "sign_out": "Sign out",
        "dashboard": "Dashboard",
        "api_tokens": "API tokens",
        "email": "E-mail",
        "password": "Password",
        "password_hint": "At least 10 characters",
        "display_name": "Your name",
        "org_name": "Organisation name",
        "org_kind": "Organisation kind",
        "region": "Region code (optional)",
        "no_account": "No account yet?",
        "have_account": "Already registered?",
        "kind_university": "University / research institute",
        "kind_sme": "Small or medium firm",
        "kind_bank": "Bank",
        "kind_insurer": "Insurer",
        "kind_voucher_issuer": "Service / innovation voucher issuer",
        "kind_platform_admin": "Platform operator",
        "role_owner": "Owner",
        "role_member": "Member",
        "acting_for": "Acting for",
        "your_role": "Your role",
        "members": "Members",
        "add_member": "Add a member",
        "add_member_hint": "They must have signed up first.",
        "role": "Role",
        "add": "Add",
        "remove": "Remove",
        "notifications": "Notifications",
        "no_notifications": "No notifications yet.",
        "audit_trail": "Audit trail",
        "audit_hint": "Every state change of your organisation is written to a tamper-evident hash chain.",
        "action": "Action",
        "time": "Time",
        "tokens_intro": "API tokens let your organisation's systems (a bank's, say) call the API with the header Authorization: Bearer <token>. A token is shown once; only its hash is kept.",
        "token_name": "Token name",
        "create_token": "Create token",
        "token_created": "New token (shown only this once; copy it now):",
        "prefix": "Prefix",
        "created": "Created",
        "last_used": "Last used",
        "status": "Status",
        "active": "Active",
        "revoked": "Revoked",
        "revoke": "Revoke",
        "never": "never",
        "no_tokens": "No tokens yet.",
        "dash_university": "University dashboard: manage your patents, publish open-licence declarations and follow licence income here.",
        "dash_sme": "Firm dashboard: search open-licensed patents, post technology needs, license online and apply for finance here.",
        "dash_bank": "Bank dashboard: review IP pledge-loan applications here. Create API tokens for your bank's systems.",
        "dash_insurer": "Insurer dashboard: review IP insurance applications here.",
        "dash_voucher_issuer": "Voucher dashboard: issue service and innovation vouchers and settle redemptions here.",
        "dash_platform_admin": "Platform dashboard: confirm bank transfers and verify the audit hash chain here.",
        "error": "Something went wrong",
        "back_home": "Back to the start",
        "form_errors": "Please correct the following:",
        "wrong_credentials": "The e-mail or password is wrong.",
        "email_taken": "An account with this e-mail already exists.",
        "too_many": "Too many attempts; please wait a minute.",
        "signed_up": "Welcome! Your account is ready.",
        "footer": "Open licensing of patents under Articles 50 to 52 of the Patent Law of the People's Republic of China.",
    },
}


def pick_lang(value: str | None) -> str:
    return value if value in LANGS else DEFAULT_LANG


def translator(lang: str) -> Callable[[str], str]:
    catalogue = MESSAGES[pick_lang(lang)]

    def t(key: str) -> str:
        return catalogue.get(key, key)

    return t


# Pydantic's error types, said in each language. Anything not listed falls back to pydantic's own (English) text.
VALIDATION_MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "missing": "必填",
        "string_too_short": "至少 {min_length} 个字符",
        "string_too_long": "最多 {max_length} 个字符",
        "value_error.email": "电子邮箱格式不正确",
        "enum": "请选择列表中的一项",
        "int_parsing": "请输入整数",
        "greater_than_equal": "不能小于 {ge}",
        "less_than_equal": "不能大于 {le}",
    },
    "en": {
        "missing": "required",
        "string_too_short": "at least {min_length} characters",
        "string_too_long": "at most {max_length} characters",
        "value_error.email": "not a valid e-mail address",
        "enum": "choose one of the listed options",
        "int_parsing": "enter a whole number",
        "greater_than_equal": "must be at least {ge}",
        "less_than_equal": "must be at most {le}",
    },
}


def validation_message(error: Mapping[str, Any], lang: str) -> str:
    """One pydantic error as a user would say it, in ``lang``."""
    kind = str(error.get("type", ""))
    field = str(error["loc"][-1]) if error.get("loc") else ""
    if kind == "value_error" and field == "email":
        kind = "value_error.email"
    template = VALIDATION_MESSAGES.get(lang, VALIDATION_MESSAGES[DEFAULT_LANG]).get(kind)
    if template is None:
        return str(error.get("msg", "")).removeprefix("Value error, ")
    return template.format(**(error.get("ctx") or {}))
