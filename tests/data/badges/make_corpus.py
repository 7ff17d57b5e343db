"""Write tests/data/badges/corpus.jsonl: badge payloads shaped like real ones, each with the fields
a person reading it would write on the form (``expected``).

The expectations come from the people below, never from running the parser: a phone printed as
"138 0013 8000", "+86-138-0013-8000" or "tel:+86-138-0013-8000" is the same mobile +8613800138000.
Payloads that are raw bytes (a vCard in GB18030 as an old Chinese phone writes it) are stored as
base64 in ``payload_b64``. Run ``python -m tests.data.badges.make_corpus`` to rewrite the file
(deterministic: same output every time).
"""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent

# (family, given, latin?, company, title, mobile E.164, national forms, email, wechat)
PEOPLE = [
    ("张", "伟", False, "上海示例科技有限公司", "采购经理", "+8613800138000", "138 0013 8000", "zhang.wei@example.cn", "zhangwei_88"),
    ("李", "娜", False, "杭州样例有限公司", "销售总监", "+8613900139000", "139-0013-9000", "lina@example.cn", "lina2024"),
    ("王", "芳", False, "北京演示集团", "市场部主任", "+8613700137000", "13700137000", "wang.fang@demo.cn", "wf_beijing"),
    ("欧阳", "晓明", False, "深圳演示电子有限公司", "研发工程师", "+8618612345678", "186 1234 5678", "ouyang@sz-demo.cn", "oyxm-sz"),
    ("陈", "静", False, "广州测试贸易有限公司", "总经理", "+8615012345678", "150 1234 5678", "chenjing@gz-test.cn", "chenjing_gz"),
    ("刘", "洋", False, "成都样本软件股份有限公司", "产品经理", "+8613512345678", "135 1234 5678", "liu.yang@cd-sample.cn", "liuyang"),
    ("赵", "磊", False, "南京范例医疗器械有限公司", "技术支持", "+8617712345678", "177 1234 5678", "zhaolei@nj-fanli.cn", "zl_nanjing"),
    ("孙", "丽华", False, "苏州示范精密机械有限公司", "采购专员", "+8618812345678", "188 1234 5678", "sunlihua@sz-jm.cn", "slh_suzhou"),
    ("Schmidt", "Emma", True, "Example GmbH", "Head of Procurement", "+4915112345678", "+49 151 12345678", "emma@example.de", "emma_schmidt"),
    ("Smith", "John", True, "Acme Corporation", "Sales Director", "+447911123456", "+44 7911 123456", "john.smith@acme.example", "jsmith_uk"),
    ("Garcia", "Mateo", True, "Globex S.L.", "CTO", "+34612345678", "+34 612 34 56 78", "mateo@globex.example", "mateo_g"),
    ("Tanaka", "Yuki", True, "Initech KK", "Engineer", "+819012345678", "+81 90-1234-5678", "yuki.tanaka@initech.example", "yukitanaka"),
    ("Kowalski", "Anna", True, "Umbrella Sp. z o.o.", "Marketing Manager", "+48512345678", "+48 512 345 678", "anna.k@umbrella.example", "anna_kow"),
    ("Müller", "Jürgen", True, "Bäckerei Müller KG", "Geschäftsführer", "+4917012345678", "+49 170 12345678", "juergen@mueller.example", "jmueller"),
    ("O'Brien", "Siobhan", True, "Contoso Ltd", "VP Partnerships", "+353871234567", "+353 87 123 4567", "siobhan@contoso.example", "siobhan_ob"),
    ("Nguyen", "Linh", True, "Fabrikam Vietnam", "Buyer", "+84912345678", "+84 91 234 56 78", "linh.nguyen@fabrikam.example", "linhng"),
    ("Wong", "Kelvin", True, "香港示例有限公司", "Regional Manager", "+85291234567", "+852 9123 4567", "kelvin.wong@hk-demo.example", "kelvinwong"),
    ("黄", "嘉怡", False, "Tailspin Toys (China) Co., Ltd.", "Business Development", "+8613612345678", "136 1234 5678", "jiayi.huang@tailspin.example", "hjy_tailspin"),
    ("Lee", "Min-jun", True, "Wide World Importers", "Logistics Lead", "+821012345678", "+82 10-1234-5678", "minjun@wwi.example", "minjun_lee"),
    ("周", "杰", False, "Northwind Traders 上海代表处", "首席代表", "+8613312345678", "133 1234 5678", "zhoujie@northwind.example", "zhoujie_nw"),
]
CJK = {i for i, p in enumerate(PEOPLE) if not p[2]}


def person(i: int) -> dict[str, str]:
    family, given, latin, company, title, mobile, printed, email, wechat = PEOPLE[i % len(PEOPLE)]
    name = f"{given} {family}" if latin else family + given
    return {"family": family, "given": given, "name": name, "company": company, "title": title,
            "phone": mobile, "printed": printed, "email": email, "wechat": wechat}


def _qp(text: str, charset: str) -> str:
    """QUOTED-PRINTABLE of ``text`` in ``charset``, every byte encoded, soft breaks at 70."""
    encoded = "".join(f"={b:02X}" for b in text.encode(charset))
    out, line = [], ""
    for i in range(0, len(encoded), 3):
        if len(line) + 3 > 70:
            out.append(line + "=")
            line = ""
        line += encoded[i:i + 3]
    return "\r\n".join([*out, line])


def _fold(line: str, width: int = 75) -> str:
    """RFC 6350 folding: CRLF + one space every ``width`` characters."""
    parts = [line[i:i + width] for i in range(0, len(line), width)]
    return "\r\n ".join(parts)


def expect(p: dict[str, str], *keys: str, **extra: object) -> dict[str, object]:
    out: dict[str, object] = {k: p[k] for k in keys}
    out.update(extra)
    return out


def vcards(rng: random.Random) -> list[dict]:
    rows = []
    for i in range(len(PEOPLE)):
        p = person(i)
        # 2.1, UTF-8 quoted-printable (soft line breaks in long values), CELL before WORK
        lines = ["BEGIN:VCARD", "VERSION:2.1",
                 f"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{_qp(p['family'], 'utf-8')};{_qp(p['given'], 'utf-8')};;;",
                 f"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{_qp(p['name'], 'utf-8')}",
                 f"ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{_qp(p['company'], 'utf-8')}",
                 f"TITLE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{_qp(p['title'], 'utf-8')}",
                 "TEL;WORK;VOICE:+86 21 5555 0100", f"TEL;CELL:{p['printed']}",
                 f"EMAIL;INTERNET:{p['email']}", "END:VCARD"]
        rows.append({"kind": "vcard", "note": "2.1 UTF-8 QP", "payload": "\r\n".join(lines) + "\r\n",
                     "expected": expect(p, "name", "company", "title", "phone", "email",
                                        alternatives={"phone": ["+862155550100"]})})
        # 2.1, GB18030 quoted-printable (a Chinese feature phone's export)
        lines = ["BEGIN:VCARD", "VERSION:2.1",
                 f"N;CHARSET=GB18030;ENCODING=QUOTED-PRINTABLE:{_qp(p['family'], 'gb18030')};{_qp(p['given'], 'gb18030')}",
                 f"ORG;CHARSET=GB18030;ENCODING=QUOTED-PRINTABLE:{_qp(p['company'], 'gb18030')}",
                 f"TEL;CELL;PREF:{p['phone']}", f"EMAIL;PREF;INTERNET:{p['email']}", "END:VCARD"]
        rows.append({"kind": "vcard", "note": "2.1 GB18030 QP", "payload": "\r\n".join(lines),
                     "expected": expect(p, "name", "company", "phone", "email")})
        # 2.1, raw 8-bit GB18030 bytes with CHARSET=GB18030 (no QP): the decoder hands bytes over
        text = "\r\n".join(["BEGIN:VCARD", "VERSION:2.1", f"N;CHARSET=GB18030:{p['family']};{p['given']}",
                            f"TITLE;CHARSET=GB18030:{p['title']}", f"TEL;CELL:{p['printed']}", "END:VCARD"])
        rows.append({"kind": "vcard", "note": "2.1 raw GB18030 bytes",
                     "payload_b64": base64.b64encode(text.encode("gb18030")).decode(),
                     "expected": expect(p, "name", "title", "phone")})
        # 3.0: folded long lines, several TEL and EMAIL, X-WECHAT, ORG with a unit
        org = f"ORG:{p['company']};{'International Sales and Key Account Management Department' if i % 2 else '国际销售与大客户管理部'}"
        lines = ["BEGIN:VCARD", "VERSION:3.0", f"N:{p['family']};{p['given']};;;", f"FN:{p['name']}",
                 _fold(org), _fold(f"TITLE:{p['title']}", 20), "TEL;TYPE=WORK,VOICE:+86 10 5555 0199",
                 f"TEL;TYPE=CELL:{p['printed']}", f"EMAIL;TYPE=INTERNET,WORK:{p['email']}",
                 "EMAIL;TYPE=INTERNET,HOME:private@home.example", f"X-WECHAT:{p['wechat']}", "END:VCARD"]
        rows.append({"kind": "vcard", "note": "3.0 folded, several TEL/EMAIL", "payload": "\r\n".join(lines),
                     "expected": expect(p, "name", "company", "title", "phone", "email", "wechat",
                                        alternatives={"phone": ["+861055550199"], "email": ["private@home.example"]})})
        # 3.0 with FN written the Western way for a Chinese name: N decides
        if i in CJK:
            lines = ["BEGIN:VCARD", "VERSION:3.0", f"N:{p['family']};{p['given']};;;",
                     f"FN:{p['given']} {p['family']}", f"ORG:{p['company']}", f"TEL;TYPE=cell:{p['phone']}",
                     "END:VCARD"]
            rows.append({"kind": "vcard", "note": "3.0 N wins over a Western-ordered FN", "payload": "\n".join(lines),
                         "expected": expect(p, "name", "company", "phone")})
        else:
            lines = ["BEGIN:VCARD", "VERSION:3.0", f"N:{p['family']};{p['given']};;Dr.;", f"FN:Dr. {p['name']}",
                     f"ORG:{p['company']}", f"TEL;TYPE=cell:{p['phone']}", "END:VCARD"]
            rows.append({"kind": "vcard", "note": "3.0 FN as the person writes it", "payload": "\n".join(lines),
                         "expected": expect(p, "company", "phone", name=f"Dr. {p['name']}")})
        # 4.0: tel URI, quoted TYPE list, PREF, IMPP weixin, FN only
        national = p["printed"].replace(" ", "-")
        lines = ["BEGIN:VCARD", "VERSION:4.0", f"FN:{p['name']}", f"ORG:{p['company']}", f"TITLE:{p['title']}",
                 'TEL;TYPE="voice,work";VALUE=uri:tel:+86-21-5555-0123',
                 f'TEL;TYPE="cell,voice";PREF=1;VALUE=uri:tel:{national if national.startswith("+") else p["phone"]}',
                 f"EMAIL;TYPE=work;PREF=1:{p['email']}", f"IMPP:weixin:{p['wechat']}", "END:VCARD"]
        rows.append({"kind": "vcard", "note": "4.0 tel URI, PREF, IMPP", "payload": "\r\n".join(lines),
                     "expected": expect(p, "name", "company", "title", "phone", "email", "wechat",
                                        alternatives={"phone": ["+862155550123"]})})
    return rows


def mecards() -> list[dict]:
    rows = []
    for i in range(len(PEOPLE)):
        p = person(i)
        company = p["company"].replace(";", r"\;").replace(",", r"\,").replace(":", r"\:")
        rows.append({"kind": "mecard", "note": "MECARD with ORG and TITLE",
                     "payload": f"MECARD:N:{p['family']},{p['given']};TEL:{p['printed']};EMAIL:{p['email']};"
                                f"ORG:{company};TITLE:{p['title']};;",
                     "expected": expect(p, "name", "company", "title", "phone", "email")})
        rows.append({"kind": "mecard", "note": "MECARD minimal, escaped colon in NOTE",
                     "payload": f"MECARD:N:{p['family']},{p['given']};TEL:{p['phone']};NOTE:Booth A\\:12\\; hall 3;;",
                     "expected": expect(p, "name", "phone")})
    return rows


def bizcards() -> list[dict]:
    rows = []
    for i in range(len(PEOPLE)):
        p = person(i)
        company = p["company"].replace(";", r"\;").replace(",", r"\,")
        rows.append({"kind": "bizcard", "note": "BIZCARD mobile and office",
                     "payload": f"BIZCARD:N:{p['given']};X:{p['family']};T:{p['title']};C:{company};"
                                f"A:1 Example Road;B:+862155550100;M:{p['printed']};E:{p['email']};;",
                     "expected": expect(p, "name", "company", "title", "phone", "email",
                                        alternatives={"phone": ["+862155550100"]})})
    return rows


JSON_STYLES = [
    lambda p, rid: {"id": rid, "name": p["name"], "company": p["company"], "title": p["title"],
                    "mobile": p["printed"], "email": p["email"]},
    lambda p, rid: {"registrationId": rid, "firstName": p["given"], "lastName": p["family"],
                    "organization": p["company"], "jobTitle": p["title"], "phone": p["phone"]},
    lambda p, rid: {"badge": {"badge_no": rid}, "attendee": {"full_name": p["name"], "company_name": p["company"],
                    "contact": {"cell": p["printed"], "email_address": p["email"], "wechat_id": p["wechat"]}}},
    lambda p, rid: {"注册号": rid, "姓名": p["name"], "公司": p["company"], "职位": p["title"],
                    "手机": p["printed"], "邮箱": p["email"], "微信": p["wechat"]},
    lambda p, rid: {"uid": rid, "type": "visitor", "valid": True, "days": [1, 2, 3]},
]
JSON_EXPECT = [
    ("name", "company", "title", "phone", "email"),
    ("name", "company", "title", "phone"),
    ("name", "company", "phone", "email", "wechat"),
    ("name", "company", "title", "phone", "email", "wechat"),
    (),
]


def jsons() -> list[dict]:
    rows = []
    for i in range(len(PEOPLE)):
        p = person(i)
        for style, (make, keys) in enumerate(zip(JSON_STYLES, JSON_EXPECT, strict=True)):
            if (i + style) % 2 and style != 4:
                continue
            rid = f"CP25-{i:03d}{style}"
            name_expected = p["name"]
            payload = json.dumps(make(p, rid), ensure_ascii=(style == 1))
            exp = expect(p, *keys, registration_id=rid)
            if "name" in keys:
                exp["name"] = name_expected
            rows.append({"kind": "json", "note": f"JSON style {style}", "payload": payload, "expected": exp})
    return rows


def urls() -> list[dict]:
    rows = []
    for i in range(len(PEOPLE)):
        p = person(i)
        rid = f"E{2025000 + i}"
        query = urlencode({"id": rid, "name": p["name"], "company": p["company"], "email": p["email"],
                           "utm_source": "badge"})
        rows.append({"kind": "url", "note": "URL, details in the query", "payload": f"https://reg.example.com/v?{query}",
                     "expected": expect(p, "name", "company", "email", registration_id=rid)})
        rows.append({"kind": "url", "note": "URL, id as the last path segment",
                     "payload": f"https://expo.example.cn/badge/{quote(rid)}/", "expected": {"registration_id": rid}})
        rows.append({"kind": "url", "note": "URL, first/last name and mobile",
                     "payload": f"http://lead.example.org/scan?regid={rid}&first_name={quote(p['given'])}"
                                f"&last_name={quote(p['family'])}&mobile={quote(p['printed'])}",
                     "expected": expect(p, "name", "phone", registration_id=rid)})
    return rows


def plain_ids() -> list[dict]:
    ids = ["CP2025-000123", "A1B2C3D4", "100234567", "CHINAPLAS-88172", "V-2025-77", "EXPO25.004411",
           "0000012345", "HX_2025_9981", "SH25A00017", "B2B-0042-X", "9781234", "REG20250001"]
    return [{"kind": "registration_id", "note": "a bare registration id", "payload": rid,
             "expected": {"registration_id": rid}} for rid in ids]


def main() -> None:
    rng = random.Random(13)
    rows = vcards(rng) + mecards() + bizcards() + jsons() + urls() + plain_ids()
    target = HERE / "corpus.jsonl"
    with target.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {len(rows)} payloads to {target}")


if __name__ == "__main__":
    main()
