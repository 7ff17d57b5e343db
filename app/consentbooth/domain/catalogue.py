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
            title={"zh-CN": "销售联系(电话/短信/邮件/微信)", "en": "Sales contact (phone/SMS/email/WeChat)",
                   "zh-Hant": "銷售聯絡（電話／簡訊／電子郵件／微信）",
                   "ja": "営業のご連絡（電話・SMS・メール・WeChat）",
                   "ko": "영업 연락(전화/문자/이메일/WeChat)"},
            description={
                "zh-CN": "我们的销售人员可通过您选择的方式联系您,介绍产品与报价。",
                "en": "Our sales team may contact you through the channels you give us about products and quotes.",
                "zh-Hant": "我們的業務人員可透過您選擇的方式與您聯絡，介紹產品與報價。",
                "ja": "当社の営業担当者が、お客様が選んだ方法で製品やお見積もりについてご連絡します。",
                "ko": "당사 영업 담당자가 귀하가 선택한 방법으로 제품과 견적에 대해 연락드립니다.",
            },
            dpv_category=DPV["sales"],
            channels=("phone", "sms", "email", "wechat"),
            required_fields=("name", "phone"),
        ),
        Purpose(
            code="product_info",
            title={"zh-CN": "产品资料", "en": "Product information",
                   "zh-Hant": "產品資料",
                   "ja": "製品資料",
                   "ko": "제품 자료"},
            description={
                "zh-CN": "通过电子邮件向您发送您在展位上关注的产品资料。",
                "en": "We email you the product material you asked about at the booth.",
                "zh-Hant": "透過電子郵件寄送您在攤位上關注的產品資料。",
                "ja": "ブースでご関心をお持ちいただいた製品の資料をメールでお送りします。",
                "ko": "부스에서 관심을 보이신 제품 자료를 이메일로 보내 드립니다.",
            },
            dpv_category=DPV["marketing"],
            channels=("email",),
            required_fields=("email",),
        ),
        Purpose(
            code="event_followup",
            title={"zh-CN": "展会回访", "en": "Event follow-up (回访)",
                   "zh-Hant": "展會回訪",
                   "ja": "展示会後のフォローアップ",
                   "ko": "전시회 후속 연락"},
            description={
                "zh-CN": "展会结束后就您的展位交流进行一次回访。",
                "en": "One follow-up about your conversation at the booth after the show.",
                "zh-Hant": "展覽結束後，針對您在攤位上的交流進行一次回訪。",
                "ja": "展示会の終了後、ブースでのお話について一度ご連絡します。",
                "ko": "전시회가 끝난 후 부스에서 나눈 대화에 대해 한 번 연락드립니다.",
            },
            dpv_category=DPV["followup"],
            channels=("phone", "email"),
            required_fields=("name",),
        ),
        Purpose(
            code="newsletter",
            title={"zh-CN": "电子简报", "en": "Newsletter",
                   "zh-Hant": "電子報",
                   "ja": "ニュースレター",
                   "ko": "뉴스레터"},
            description={
                "zh-CN": "每月一封电子简报,可随时退订。",
                "en": "A monthly newsletter; unsubscribe at any time.",
                "zh-Hant": "每月一封電子報，可隨時取消訂閱。",
                "ja": "月に一度のニュースレターです。いつでも配信を停止できます。",
                "ko": "매월 한 번 보내 드리는 뉴스레터로, 언제든지 수신을 거부할 수 있습니다.",
            },
            dpv_category=DPV["newsletter"],
            channels=("email",),
            required_fields=("email",),
        ),
        Purpose(
            code="partner_sharing",
            title={"zh-CN": "向合作伙伴提供(单独同意)", "en": "Sharing with named partners (separate consent)",
                   "zh-Hant": "提供給合作夥伴（單獨同意）",
                   "ja": "提携先への提供（個別の同意）",
                   "ko": "협력사 제공(별도 동의)"},
            description={
                "zh-CN": "将您的联系信息提供给下列合作伙伴,用于其在您所在地区的销售跟进。",
                "en": "We give your contact details to the partners named below for local sales follow-up.",
                "zh-Hant": "將您的聯絡資料提供給下列合作夥伴，用於其在您所在地區的銷售跟進。",
                "ja": "お客様の連絡先を下記の提携先に提供し、お客様の地域での営業フォローに利用します。",
                "ko": "귀하의 연락처 정보를 아래 협력사에 제공하여 귀하 지역에서의 영업 후속 연락에 이용합니다.",
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
                   "en": "Publication as customer case / photos (separate consent)",
                   "zh-Hant": "公開為客戶案例／照片（單獨同意）",
                   "ja": "導入事例・写真としての公開（個別の同意）",
                   "ko": "고객 사례·사진 공개(별도 동의)"},
            description={
                "zh-CN": "在我们的网站和宣传材料中公开您的姓名、公司和展位照片。",
                "en": "We publish your name, company and booth photos on our website and brochures.",
                "zh-Hant": "在我們的網站和宣傳資料中公開您的姓名、公司和攤位照片。",
                "ja": "お客様のお名前、会社名、ブースでの写真を当社のウェブサイトとパンフレットで公開します。",
                "ko": "귀하의 성명, 회사 및 부스 사진을 당사 웹사이트와 홍보물에 공개합니다.",
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
            title={"zh-CN": "向境外提供(单独同意)", "en": "Transfer abroad (separate consent)",
                   "zh-Hant": "向境外提供（單獨同意）",
                   "ja": "国外への移転（個別の同意）",
                   "ko": "국외 이전(별도 동의)"},
            description={
                "zh-CN": "将您的联系信息传输至境外接收方,用于全球客户管理。",
                "en": "We transfer your contact details to the overseas recipient for global customer management.",
                "zh-Hant": "將您的聯絡資料傳輸至境外接收方，用於全球客戶管理。",
                "ja": "お客様の連絡先を国外の受領者に移転し、グローバルな顧客管理に利用します。",
                "ko": "귀하의 연락처 정보를 국외 수령인에게 이전하여 글로벌 고객 관리에 이용합니다.",
            },
            dpv_category=DPV["cross_border"],
            separate_consent=True,
            processing=STANDARD_PROCESSING["cross_border"],
            required_fields=("name", "email"),
            recipients=abroad if with_recipients else (),
        ),
    ]
