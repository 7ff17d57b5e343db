"""The standard purposes and DPV categories offered by a new vault (editable afterwards)."""

from __future__ import annotations

from consentbooth.domain.models import Processing, Purpose, Recipient

# Each purpose's category is the W3C DPV purpose that says what the processing is for
# (DPV 2.1 purposes taxonomy, https://w3id.org/dpv#, source: w3c/dpv 2.1/dpv/modules/purposes.csv).
# Sharing with partners and transferring abroad are processing operations in DPV, not purposes:
# what counts is what the partner or the overseas recipient does with the data.
DPV = {
    # "selling products or services to the user, consumer, or data subjects": sales calls, quotes
    "sales": "dpv:SellProductsToDataSubject",
    # "delivering services as requested by user or consumer": the material asked for at the booth
    "marketing": "dpv:RequestedServiceProvision",
    # "managing and analysing interactions with past, current, and potential customers"
    "followup": "dpv:CustomerRelationshipManagement",
    # "marketing communicated directly to the individual": a monthly newsletter
    "newsletter": "dpv:DirectMarketing",
    # the named distributors' local sales follow-up: selling to the person, not selling the data
    # (dpv:SellDataToThirdParties is exchanging the data itself for compensation)
    "sharing": "dpv:SellProductsToDataSubject",
    # "managing and conducting public relations processes, including creating goodwill"
    "case_study": "dpv:PublicRelations",
    # the overseas recipient's global CRM and product support (DPV has no cross-border purpose)
    "cross_border": "dpv:CustomerRelationshipManagement",
}

# What each standard purpose does that needs an impact assessment first (PIPL Art. 55); also
# what a purpose stored before purposes declared it is read back with (vault/codec.py).
STANDARD_PROCESSING: dict[str, tuple[str, ...]] = {
    "partner_sharing": (Processing.THIRD_PARTY.value,),
    "case_study": (Processing.PUBLICATION.value,),
    "cross_border": (Processing.THIRD_PARTY.value, Processing.CROSS_BORDER.value),
}


def standard_purposes(*, with_recipients: bool) -> list[Purpose]:
    """The seven standard purposes. Separate-consent ones get example recipients only if asked."""
    partner = (
        Recipient(
            name="Example Distributor (Shanghai) Co., Ltd. 示例分销(上海)有限公司",
            contact="privacy@distributor.example, +86 21 5555 0100",
            purpose="Local sales follow-up in your region / 在您所在地区进行销售跟进",
            method="Encrypted CRM transfer / 加密 CRM 传输",
            categories=("name", "company", "title", "phone", "email"),
        ),
    )
    abroad = (
        Recipient(
            name="Example Group GmbH",
            contact="dpo@group.example, Example Str. 1, 10115 Berlin",
            purpose="Global CRM and product support / 全球 CRM 与产品支持",
            method="Encrypted transfer under the standard contract / 按标准合同加密传输",
            categories=("name", "company", "title", "email"),
            country="DE",
        ),
    )
    return [
        Purpose(
            code="sales_contact",
            title={"zh-CN": "销售联系(电话/短信/邮件/微信)", "en": "Sales contact (phone/SMS/email/WeChat)"},
            description={
                "zh-CN": "我们的销售人员可通过您选择的方式联系您,介绍产品与报价。",
                "en": "Our sales team may contact you through the channels you give us about products and quotes.",
            },
            dpv_category=DPV["sales"],
            channels=("phone", "sms", "email", "wechat"),
            required_fields=("name", "phone"),
        ),
        Purpose(
            code="product_info",
            title={"zh-CN": "产品资料", "en": "Product information"},
            description={
                "zh-CN": "通过电子邮件向您发送您在展位上关注的产品资料。",
                "en": "We email you the product material you asked about at the booth.",
            },
            dpv_category=DPV["marketing"],
            channels=("email",),
            required_fields=("email",),
        ),
        Purpose(
            code="event_followup",
            title={"zh-CN": "展会回访", "en": "Event follow-up (回访)"},
            description={
                "zh-CN": "展会结束后就您的展位交流进行一次回访。",
                "en": "One follow-up about your conversation at the booth after the show.",
            },
            dpv_category=DPV["followup"],
            channels=("phone", "email"),
            required_fields=("name",),
        ),
        Purpose(
            code="newsletter",
            title={"zh-CN": "电子简报", "en": "Newsletter"},
            description={
                "zh-CN": "每月一封电子简报,可随时退订。",
                "en": "A monthly newsletter; unsubscribe at any time.",
            },
            dpv_category=DPV["newsletter"],
            channels=("email",),
            required_fields=("email",),
        ),
        Purpose(
            code="partner_sharing",
            title={"zh-CN": "向合作伙伴提供(单独同意)", "en": "Sharing with named partners (separate consent)"},
            description={
                "zh-CN": "将您的联系信息提供给下列合作伙伴,用于其在您所在地区的销售跟进。",
                "en": "We give your contact details to the partners named below for local sales follow-up.",
            },
            dpv_category=DPV["sharing"],
            separate_consent=True,
            processing=STANDARD_PROCESSING["partner_sharing"],
            required_fields=("name", "company"),
            recipients=partner if with_recipients else (),
        ),
        Purpose(
            code="case_study",
            title={"zh-CN": "公开为客户案例/照片(单独同意)",
                   "en": "Publication as customer case / photos (separate consent)"},
            description={
                "zh-CN": "在我们的网站和宣传材料中公开您的姓名、公司和展位照片。",
                "en": "We publish your name, company and booth photos on our website and brochures.",
            },
            dpv_category=DPV["case_study"],
            separate_consent=True,
            processing=STANDARD_PROCESSING["case_study"],
            required_fields=("name", "company"),
            recipients=(
                Recipient(
                    name="The public (our website and brochures) / 公众(我们的网站与宣传册)",
                    contact="privacy@booth.example",
                    purpose="Customer case publication / 客户案例公开",
                    method="Publication / 公开",
                    categories=("name", "company", "photo"),
                ),
            )
            if with_recipients
            else (),
        ),
        Purpose(
            code="cross_border",
            title={"zh-CN": "向境外提供(单独同意)", "en": "Transfer abroad (separate consent)"},
            description={
                "zh-CN": "将您的联系信息传输至境外接收方,用于全球客户管理。",
                "en": "We transfer your contact details to the overseas recipient for global customer management.",
            },
            dpv_category=DPV["cross_border"],
            separate_consent=True,
            processing=STANDARD_PROCESSING["cross_border"],
            required_fields=("name", "email"),
            recipients=abroad if with_recipients else (),
        ),
    ]
