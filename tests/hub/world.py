"""Booth laptops enrolled by a hub, with captures, withdrawals, corrections, erasures and
certificates, and their bundles; snapshots of what a hub holds, comparable across hub kinds."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from consentbooth.exports.bundle import generate_ops_identity
from consentbooth.services.booth import Booth, CaptureRequest
from consentbooth.services.trust import read_enrolment_file as read_enrolment

PASS = "Correct-Horse-42!"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
LATIN_FIRST = ["Emma", "Liam", "Olivia", "Noah", "Sophie", "Lukas", "Mia", "Jonas"]
LATIN_LAST = ["Schmidt", "Müller", "Garcia", "Smith", "Rossi", "Dubois", "Tanaka", "Silva"]
PURPOSES = [["sales_contact"], ["sales_contact", "newsletter"], ["product_info", "newsletter"]]


@dataclass
class Laptop:
    path: Path
    device_id: str
    fingerprint: str
    leads: list[str] = field(default_factory=list)
    bundles: list[Path] = field(default_factory=list)


@dataclass
class World:
    root: Path
    ops_secret: str
    ops_public: str
    laptops: list[Laptop]

    def bundles(self) -> list[Path]:
        return [b for laptop in self.laptops for b in laptop.bundles]


def person(rnd: random.Random, n: int, i: int) -> dict[str, str]:
    if rnd.random() < 0.7:
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))
    else:
        name = f"{rnd.choice(LATIN_FIRST)} {rnd.choice(LATIN_LAST)}"
    return {"name": name, "company": rnd.choice(["上海示例科技", "Acme GmbH", "北京样本"]),
            "phone": f"13{n % 10}{i:08d}", "email": f"l{n}.p{i}@example.cn"}


def build(root: Path, enroller: Booth, *, laptops: int = 6, leads: int = 400, seed: int = 7,
          certificates: int = 1, second_bundle: bool = True) -> World:
    """``laptops`` laptops enrolled by ``enroller`` (a hub), each with ``leads`` captures: every
    7th withdraws its newsletter, every 29th is erased, every 31st corrected, then a bundle; the
    first laptop then withdraws more and writes a second, later bundle."""
    rnd = random.Random(seed)
    secret, public = generate_ops_identity()
    made = []
    for n in range(laptops):
        enrolment = enroller.enrol_device()
        path = root / f"laptop{n}.cbvault"
        booth = Booth.create(path, PASS, demo=True, enrolment=read_enrolment(enrolment.data, enrolment.code))
        try:
            laptop = Laptop(path, booth.device_id, booth.root_info().device_fingerprint)
            requests = [CaptureRequest(fields=person(rnd, n, i), purposes=rnd.choice(PURPOSES)) for i in range(leads)]
            results = booth.capture_batch(requests)
            laptop.leads = [r.lead_id for r in results]
            for i, result in enumerate(results):
                if i % 7 == 3 and "newsletter" in result.granted:
                    booth.withdraw(lead_id=result.lead_id, purposes=["newsletter"], channel="email")
                if i % 31 == 5:
                    booth.correct(lead_id=result.lead_id, fields={"company": "Corrected Ltd"})
                if i % 29 == 11:
                    booth.erase(lead_id=result.lead_id)
            for result in results[:certificates]:
                booth.issue_certificate(result.ledger_id)
            target = root / f"laptop{n}-1.age"
            booth.create_bundle(recipient=public, target=target)
            laptop.bundles.append(target)
            if second_bundle and n == 0:
                for i, result in enumerate(results):
                    if i % 5 == 1 and "sales_contact" in booth.record(result.lead_id).granted():
                        booth.withdraw(lead_id=result.lead_id, purposes=["sales_contact"], channel="phone")
                target = root / f"laptop{n}-2.age"
                booth.create_bundle(recipient=public, target=target)
                laptop.bundles.append(target)
            made.append(laptop)
        finally:
            booth.lock()
    return World(root, secret, public, made)


def snapshot(hub: Booth, *, devices: set[str] | None = None) -> dict[str, object]:
    """What a hub holds about the laptops' people, in a form both hub kinds give alike: every
    person (details decrypted), every consent state, every ledger event, every certificate id."""
    h = hub.hub
    if h.kind == "vault":
        leads = hub.vault.read("SELECT id, device_id, fields, erased_at IS NOT NULL FROM leads")
        people = {r[0]: (r[1], json.loads(r[2]) if r[2] else {}, bool(r[3])) for r in leads}
        states = hub.vault.read("SELECT lead_id, purpose, state, since, expires_at, ledger_id FROM consent_state")
        ledger = hub.vault.read("SELECT id, device_id, device_seq, hash FROM ledger")
        certs = hub.vault.read("SELECT id, lead_id FROM certificates")
        terms = None
    else:
        conn = h.conn
        leads = conn.execute("SELECT id, device_id, fields_enc, erased_at IS NOT NULL FROM leads").fetchall()
        people = {r[0]: (r[1], h._fields(r[0], r[2]), bool(r[3])) for r in leads}
        states = conn.execute(
            "SELECT lead_id, purpose, state, since, expires_at, ledger_id FROM consent_state"
        ).fetchall()
        ledger = conn.execute("SELECT id, device_id, device_seq, hash FROM ledger").fetchall()
        certs = conn.execute("SELECT id, lead_id FROM certificates").fetchall()
        terms = conn.execute("SELECT count(*) FROM leads WHERE terms IS NOT NULL").fetchone()[0]
    keep = (lambda device: device in devices) if devices is not None else (lambda device: True)
    people = {k: v for k, v in people.items() if keep(v[0])}
    return {
        "people": people,
        "states": sorted(tuple(s) for s in states if s[0] in people),
        "ledger": sorted(tuple(e) for e in ledger if keep(e[1])),
        "certificates": sorted(tuple(c) for c in certs if c[1] in people),
        "terms": terms,
    }
