"""Generated business-card photos with known fields (issue #13): Chinese, English and bilingual
cards in four layouts and four fonts (the bundled WenQuanYi Micro Hei, DejaVu Sans, Sans Bold and
Serif), photographed badly: on a desk, blurred, turned 5°, in perspective, saved as JPEG quality 50.

``cards()`` returns ``Card(photo: bytes, expected: dict, layout, degradations)``; the photo exists
only in memory. Deterministic: the same cards every run.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[2]
WQY = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {
    "wqy": WQY,
    "sans": DEJAVU / "DejaVuSans.ttf",
    "bold": DEJAVU / "DejaVuSans-Bold.ttf",
    "serif": DEJAVU / "DejaVuSerif.ttf",
}

# name, company, title, mobile as printed, E.164, email, wechat, office phone as printed
CHINESE = [
    ("张伟", "上海示例科技有限公司", "采购经理", "138 0013 8000", "+8613800138000", "zhang.wei@example.cn", "zhangwei_88", "021-5555 0100"),
    ("李娜", "杭州样例有限公司", "销售总监", "139-0013-9000", "+8613900139000", "lina@yangli.cn", "lina2024", "0571-8888 0001"),
    ("王芳", "北京演示集团", "市场部主任", "137 0013 7000", "+8613700137000", "wangfang@demo-group.cn", "wf_beijing", "010-6666 0002"),
    ("欧阳晓明", "深圳演示电子有限公司", "研发工程师", "186 1234 5678", "+8618612345678", "ouyang@szdemo.cn", "oyxm_sz", "0755-2222 0003"),
    ("陈静", "广州测试贸易有限公司", "总经理", "150 1234 5678", "+8615012345678", "chenjing@gztest.cn", "chenjing_gz", "020-3333 0004"),
    ("刘洋", "成都样本软件股份有限公司", "产品经理", "135 1234 5678", "+8613512345678", "liu.yang@cdsample.cn", "liuyang_cd", "028-8765 0005"),
    ("赵磊", "南京范例医疗器械有限公司", "技术支持工程师", "177 1234 5678", "+8617712345678", "zhaolei@njfanli.cn", "zhaolei_nj", "025-8432 0006"),
    ("孙丽华", "苏州示范精密机械有限公司", "采购专员", "188 1234 5678", "+8618812345678", "sunlihua@szjm.cn", "slh_suzhou", "0512-6543 0007"),
    ("周杰", "天津样板化工有限公司", "首席代表", "133 1234 5678", "+8613312345678", "zhoujie@tjyb.cn", "zhoujie_tj", "022-2345 0008"),
    ("吴敏", "武汉例证光电有限公司", "市场总监", "136 1234 5678", "+8613612345678", "wumin@whlz.cn", "wumin_wh", "027-8765 0009"),
    ("郑浩", "重庆模版汽车零部件有限公司", "销售经理", "159 1234 5678", "+8615912345678", "zhenghao@cqmb.cn", "zhenghao_cq", "023-6789 0010"),
    ("黄嘉怡", "厦门示例进出口有限公司", "外贸专员", "182 1234 5678", "+8618212345678", "huangjy@xmsl.cn", "hjy_xiamen", "0592-555 0011"),
]
ENGLISH = [
    ("Emma Schmidt", "Example GmbH", "Head of Procurement", "+49 151 12345678", "+4915112345678", "emma.schmidt@example.de", "emma_schmidt", "+49 30 1234567"),
    ("John Smith", "Acme Corporation", "Sales Director", "+44 7911 123456", "+447911123456", "john.smith@acme.co.uk", "jsmith_uk", "+44 20 7946 0000"),
    ("Mateo Garcia", "Globex Trading S.L.", "Chief Technology Officer", "+34 612 34 56 78", "+34612345678", "mateo@globex.es", "mateo_garcia", "+34 91 123 45 67"),
    ("Anna Kowalski", "Umbrella Industries Ltd", "Marketing Manager", "+48 512 345 678", "+48512345678", "anna.k@umbrella.pl", "anna_kow", "+48 22 123 45 67"),
    ("Siobhan OBrien", "Contoso Ltd", "VP Partnerships", "+353 87 123 4567", "+353871234567", "siobhan@contoso.ie", "siobhan_ob", "+353 1 234 5678"),
    ("Linh Nguyen", "Fabrikam Company", "Senior Buyer", "+84 91 234 56 78", "+84912345678", "linh.nguyen@fabrikam.vn", "linhng_vn", "+84 28 3812 3456"),
    ("Kelvin Wong", "Northwind Traders Limited", "Regional Manager", "+852 9123 4567", "+85291234567", "kelvin.wong@northwind.hk", "kelvinwong", "+852 2123 4567"),
    ("Yuki Tanaka", "Initech Technologies Inc", "Software Engineer", "+81 90-1234-5678", "+819012345678", "yuki.tanaka@initech.jp", "yukitanaka", "+81 3-1234-5678"),
]
# Chinese name, English name, Chinese company, English company, Chinese title, English title, mobile, E.164, email, wechat
MIXED = [
    ("王建国", "Jianguo Wang", "上海示例科技有限公司", "Shanghai Example Tech Co., Ltd.", "销售总监", "Sales Director", "138 2222 3333", "+8613822223333", "jianguo.wang@example.cn", "wjg_sh"),
    ("林晓燕", "Xiaoyan Lin", "深圳演示电子有限公司", "Shenzhen Demo Electronics Co., Ltd.", "采购经理", "Purchasing Manager", "139 4444 5555", "+8613944445555", "lin.xy@szdemo.cn", "linxy_sz"),
    ("何志强", "Zhiqiang He", "北京演示集团", "Beijing Demo Group", "技术总监", "Technical Director", "186 6666 7777", "+8618666667777", "hezq@demo-group.cn", "hezq_bj"),
    ("马丽", "Li Ma", "苏州示范精密机械有限公司", "Suzhou Shifan Precision Co., Ltd.", "市场经理", "Marketing Manager", "137 8888 9999", "+8613788889999", "mali@szjm.cn", "mali_sz"),
    ("高峰", "Feng Gao", "杭州样例有限公司", "Hangzhou Yangli Co., Ltd.", "总经理", "General Manager", "135 1111 2222", "+8613511112222", "gaofeng@yangli.cn", "gaofeng_hz"),
    ("徐静", "Jing Xu", "广州测试贸易有限公司", "Guangzhou Test Trading Co., Ltd.", "外贸经理", "Export Manager", "150 3333 4444", "+8615033334444", "xujing@gztest.cn", "xujing_gz"),
]
LAYOUTS = ("classic", "left", "centered", "split")
DEGRADATIONS = (("blur",), ("rotate",), ("perspective",), ("blur", "rotate"), ("rotate", "perspective"),
                ("blur", "perspective"))


@dataclass(frozen=True)
class Card:
    photo: bytes
    expected: dict[str, str]
    language: str  # zh, en, mixed
    layout: str
    font: str
    degradations: tuple[str, ...]

    def __repr__(self) -> str:
        return f"Card({self.language}, {self.layout}, {self.font}, {'+'.join(self.degradations)})"


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS[name]), size)


def _draw_card(lines: list[tuple[str, str, int, str]], layout: str) -> Image.Image:
    """A 1050x600 card (3.5 x 2 in at 300 dpi) with ``lines`` = (text, font, size, role)."""
    card = Image.new("RGB", (1050, 600), "#fbfaf6")
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, 1049, 14), fill="#1f4e8c")
    y = 50
    for text, font_name, size, role in lines:
        font = _font(font_name, size)
        width = draw.textlength(text, font=font)
        if layout == "centered":
            x = (1050 - width) / 2
        elif layout == "split" and role in ("phone", "email", "wechat", "office", "address"):
            x = 1000 - width
        else:
            x = 60
        colour = "#1f4e8c" if role == "company" else "#111111" if role in ("name", "name2") else "#333333"
        draw.text((x, y), text, font=font, fill=colour)
        y += int(size * 1.45)
    return card


def _photo(card: Image.Image, degradations: tuple[str, ...], rng: random.Random) -> bytes:
    desk = Image.new("RGB", (1400, 950), (rng.randint(90, 130), rng.randint(75, 100), rng.randint(55, 80)))
    desk.paste(card, (175, 175))
    if "perspective" in degradations:
        w, h = desk.size
        d = 0.06
        # a camera a little to one side: one edge of the card looks shorter than the other
        coeffs = _perspective_coeffs(
            [(0, 0), (w, 0), (w, h), (0, h)],
            [(w * d, h * d * 0.6), (w * (1 - d * 0.3), 0), (w, h), (w * d * 0.4, h * (1 - d))],
        )
        desk = desk.transform(desk.size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC,
                              fillcolor=(100, 85, 65))
    if "rotate" in degradations:
        desk = desk.rotate(rng.choice((-5, 5)), resample=Image.Resampling.BICUBIC, fillcolor=(100, 85, 65))
    if "blur" in degradations:
        desk = desk.filter(ImageFilter.GaussianBlur(1.3))
    out = io.BytesIO()
    desk.save(out, "JPEG", quality=50)
    return out.getvalue()


def _perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    """PIL's 8 perspective coefficients mapping output points ``dst`` to input points ``src``."""
    import numpy

    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = numpy.array(rows, dtype=float)
    b = numpy.array([c for point in src for c in point], dtype=float)
    return list(numpy.linalg.solve(a, b))


def cards(limit: int | None = None) -> list[Card]:
    """Every card (52), or the first ``limit`` of them."""
    rng = random.Random(13)
    out: list[Card] = []
    n = 0
    for name, company, title, mobile, e164, email, wechat, office in CHINESE:
        for layout in ("classic", "split") if n % 3 else ("classic", "centered"):
            lines = [
                (company, "wqy", 40, "company"), (name, "wqy", 72, "name"), (title, "wqy", 34, "title"),
                (f"手机：{mobile}", "wqy", 30, "phone"), (f"电话：{office}", "wqy", 30, "office"),
                (f"邮箱：{email}", "wqy", 30, "email"), (f"微信：{wechat}", "wqy", 30, "wechat"),
            ]
            degr = DEGRADATIONS[n % len(DEGRADATIONS)]
            out.append(Card(_photo(_draw_card(lines, layout), degr, rng),
                            {"name": name, "company": company, "title": title, "phone": e164,
                             "email": email, "wechat": wechat}, "zh", layout, "wqy", degr))
            n += 1
            if limit is not None and len(out) >= limit:
                return out
    for i, (name, company, title, mobile, e164, email, wechat, office) in enumerate(ENGLISH):
        for layout in ("left", "centered") if i % 2 else ("left", "split"):
            font = ("sans", "serif", "bold")[n % 3]
            lines = [
                (company, "bold" if font != "serif" else "serif", 40, "company"), (name, font, 64, "name"),
                (title, font, 32, "title"), (f"Mobile: {mobile}", font, 28, "phone"),
                (f"Tel: {office}", font, 28, "office"), (f"Email: {email}", font, 28, "email"),
                (f"WeChat: {wechat}", font, 28, "wechat"),
            ]
            degr = DEGRADATIONS[n % len(DEGRADATIONS)]
            out.append(Card(_photo(_draw_card(lines, layout), degr, rng),
                            {"name": name, "company": company, "title": title, "phone": e164,
                             "email": email, "wechat": wechat}, "en", layout, font, degr))
            n += 1
    for zh_name, en_name, zh_co, en_co, zh_title, en_title, mobile, e164, email, wechat in MIXED:
        for layout in ("classic", "split"):
            lines = [
                (zh_co, "wqy", 38, "company"), (en_co, "sans", 24, "company"), (zh_name, "wqy", 70, "name"),
                (en_name, "sans", 30, "name2"), (f"{zh_title} / {en_title}", "wqy", 28, "title"),
                (f"手机 Mobile: {mobile}", "wqy", 28, "phone"), (f"Email: {email}", "sans", 28, "email"),
                (f"微信 WeChat: {wechat}", "wqy", 28, "wechat"),
            ]
            degr = DEGRADATIONS[n % len(DEGRADATIONS)]
            out.append(Card(_photo(_draw_card(lines, layout), degr, rng),
                            {"name": zh_name, "company": zh_co, "title": f"{zh_title} / {en_title}",
                             "phone": e164, "email": email, "wechat": wechat}, "mixed", layout, "wqy+sans", degr))
            n += 1
    return out
