"""What a hub admits from a bundle: only enrolled devices, each speaking only about its own leads.

Checked after the bundle is decrypted and its signature and ledger chains verified, before
anything touches the hub; a refusal names the reason, and the hub stays as it was:

1. **The device**: the bundle's signer must be the key of the device it comes from, certified by
   the hub's root (enrolment), or approved by ops by its fingerprint. Otherwise the bundle is
   refused with that fingerprint and how to approve it.
2. **Its history**: the signed chain head in the bundle's manifest must be the last event of the
   device's chain in the bundle, and every chain must extend what the hub already holds for that
   device: a chain shorter than the hub's (cut at the tail, or simply older) or diverging from it
   is refused.
3. **Its authority**: a device's consent events may concern only leads that device captured;
   withdrawals, corrections, erasures and expiries may come from that device or from a hub.
4. **Its details**: each lead's details in the bundle must match the digest that its last capture
   or correction event recorded (recomputed with that device's digest key); an edit behind the
   ledger's back is refused, naming the lead. Details older than a later correction the hub
   already holds are left aside, not merged over it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from consentbooth.crypto.canonical import details_digest
from consentbooth.crypto.pki import format_fingerprint
from consentbooth.hub.interface import Hub
from consentbooth.services import trust
from consentbooth.vault import devices
from consentbooth.vault.merge import BundleRejected

Rows = Mapping[str, Sequence[Mapping[str, object]]]
HUB_ACTIONS_ON_ANY_LEAD = ("withdrawal", "correction", "erasure", "expiry", "request_opened", "request_closed")
# A ledger row's signed event, parsed once here and kept on the row for the hub that applies it.
PARSED = "_event"


class UnknownDevice(BundleRejected):
    def __init__(self, fingerprint: str, device_id: str) -> None:
        super().__init__(
            "it comes from a device this hub does not trust (device {device}, key fingerprint "
            "{fingerprint}). If this laptop is yours, approve it: consentbooth merge "
            "--approve-device {fingerprint_hex} …, or “Approve device” in the merge results.",
            device=device_id, fingerprint=format_fingerprint(fingerprint), fingerprint_hex=fingerprint,
        )
        self.fingerprint = fingerprint


class ChainBehind(BundleRejected):
    pass


class NotItsLead(BundleRejected):
    pass


class DetailsAltered(BundleRejected):
    pass


@dataclass(frozen=True)
class Admission:
    device_id: str
    fingerprint: str
    how: str  # "root" or "approved"
    details_from_bundle: frozenset[str]  # leads whose details the hub takes from this bundle


def _signers(rows: Rows) -> dict[str, devices.Signer]:
    return {str(r["device_id"]): devices.signer_from_row(r) for r in rows.get("signers", ())}


def admit(hub: Hub, *, manifest: Mapping[str, object], rows: Rows, signer_public_key_pem: bytes) -> Admission:
    """Decide whether ``rows`` (a verified bundle's tables) may be merged into ``hub`` (as the
    bundle's scope sees it: ``Hub.bundle_scope``)."""
    device_id = str(manifest.get("device_id", ""))
    signers = _signers(rows)
    approved = hub.approved()
    roots = trust.trusted_roots(hub)
    own = signers.get(device_id)
    if own is None or own.public_key_pem != signer_public_key_pem:
        raise BundleRejected("its signer is not the key of the laptop it comes from.")
    trust_of = {}
    for signer in signers.values():  # a hub's bundle carries the chains of several devices
        verdict = trust.device_trust(
            hub, cert_pem=signer.cert_pem, chain_pem=signer.chain_pem,
            public_key_pem=signer.public_key_pem, approved=approved, roots=roots,
        )
        if not verdict.trusted:
            raise UnknownDevice(verdict.fingerprint, signer.device_id)
        trust_of[signer.device_id] = verdict
    events = _events(rows)
    _check_heads(hub, manifest, device_id, events)
    _check_certificates(hub, rows, events)
    roles = {d: t.role for d, t in trust_of.items()}
    held = hub.lead_events(
        {e["lead_id"] for e in events if e["lead_id"]} | {str(r["id"]) for r in rows.get("leads", ())}
    )
    by_lead = _by_lead(events, held)
    _check_authority(by_lead, roles)
    details = _check_details(hub, rows, by_lead, signers)
    return Admission(device_id, trust_of[device_id].fingerprint, trust_of[device_id].how, details)


def _events(rows: Rows) -> list[dict]:
    """The bundle's ledger events, each with what admission needs from its signed body."""
    found = []
    for r in rows.get("ledger", ()):
        # read_payload parsed it already (domain/bundle_rows.SignedBody); rows from elsewhere are parsed here
        event = getattr(r["body"], "record_event", None) or json.loads(bytes(r["body"]))["event"]  # type: ignore[arg-type]
        r[PARSED] = event  # type: ignore[index]  # the hub applying the bundle reads it again
        found.append({
            "id": str(r["id"]), "device_id": str(r["device_id"]), "device_seq": int(r["device_seq"]),  # type: ignore[call-overload]
            "hash": str(r["hash"]), "lead_id": str(r["lead_id"] or ""), "action": str(r["action"]),
            "occurred_at": str(r["occurred_at"]), "data_digest": str(event.get("data_digest", "")),
        })
    return found


def _check_heads(hub: Hub, manifest: Mapping[str, object], device_id: str, events: list[dict]) -> None:
    bundle_heads: dict[str, dict] = {}
    for e in events:
        if e["device_seq"] > bundle_heads.get(e["device_id"], {"device_seq": 0})["device_seq"]:
            bundle_heads[e["device_id"]] = e
    declared = manifest.get("chain_head")
    mine = bundle_heads.get(device_id)
    if not isinstance(declared, Mapping) or mine is None or (
        declared.get("device_id"), declared.get("device_seq"), declared.get("hash")
    ) != (device_id, mine["device_seq"], mine["hash"]):
        raise ChainBehind("its signed chain head does not match the ledger it carries.")
    hub_heads = hub.chain_heads()
    for device, head in hub_heads.items():
        theirs = bundle_heads.get(device)
        if theirs is None:
            continue
        if theirs["device_seq"] < head.device_seq:
            raise ChainBehind(
                "its ledger for device {device} ends at event {theirs}, but this hub already holds "
                "events up to {ours} from it: the bundle is older than one already merged, or its "
                "history was cut short.",
                device=device, theirs=theirs["device_seq"], ours=head.device_seq,
            )
        same = next((e for e in events if e["device_id"] == device and e["device_seq"] == head.device_seq), None)
        if same is None or same["hash"] != head.hash:
            raise ChainBehind(
                "its ledger for device {device} differs from the history this hub already holds "
                "(event {seq}): it was rewritten.",
                device=device, seq=head.device_seq,
            )


def _check_certificates(hub: Hub, rows: Rows, events: list[dict]) -> None:
    """A certificate names the ledger event it certifies: a bundle whose certificate names an
    event its ledger (and the hub's) does not hold had its history cut after it was issued."""
    carried = {e["id"] for e in events}
    named = {str(r["ledger_id"]) for r in rows.get("certificates", ())} - carried
    missing = named - hub.ledger_ids_held(named)
    if missing:
        raise ChainBehind(
            "it carries a certificate of ledger event {id}, which its ledger no longer holds: its "
            "history was cut after the certificate was issued.",
            id=sorted(missing)[0],
        )


def _by_lead(events: list[dict], held: Mapping[str, list[devices.LeadEvent]]) -> dict[str, list[dict]]:
    """Every event about each lead, the hub's first (in ledger order), then the bundle's new ones."""
    by_lead: dict[str, list[dict]] = {}
    held_ids = set()
    for lead_id, evs in held.items():
        for e in evs:
            held_ids.add(e.id)
            by_lead.setdefault(lead_id, []).append({
                "id": e.id, "device_id": e.device_id, "lead_id": lead_id, "action": e.action,
                "occurred_at": e.occurred_at, "data_digest": e.data_digest, "held": True,
            })
    for e in events:
        if e["lead_id"] and e["id"] not in held_ids:
            by_lead.setdefault(e["lead_id"], []).append({**e, "held": False})
    return by_lead


def _check_authority(by_lead: Mapping[str, list[dict]], roles: Mapping[str, str]) -> None:
    for lead_id, lead_events in by_lead.items():
        captures = {e["device_id"] for e in lead_events if e["action"] == "consent"}
        for e in lead_events:
            if e["held"]:
                continue
            if e["action"] == "consent":
                if captures != {e["device_id"]}:
                    raise NotItsLead(
                        "device {device} records a consent for lead {lead}, which another device captured.",
                        device=e["device_id"], lead=lead_id,
                    )
            elif not (roles.get(e["device_id"]) == "hub" and e["action"] in HUB_ACTIONS_ON_ANY_LEAD) and (
                captures != {e["device_id"]}
            ):
                raise NotItsLead(
                    "device {device} records a {action} for lead {lead}, which it did not capture.",
                    device=e["device_id"], action=e["action"], lead=lead_id,
                )


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _check_details(hub: Hub, rows: Rows, by_lead: Mapping[str, list[dict]],
                   signers: Mapping[str, devices.Signer]) -> frozenset[str]:
    secrets = {d: s.digest_secret for d, s in hub.signers().items() if s.digest_secret}
    secrets.update({d: s.digest_secret for d, s in signers.items() if s.digest_secret})
    take = set()
    for r in rows.get("leads", ()):
        lead_id = str(r["id"])
        if r.get("erased_at") is not None or not r.get("fields"):
            continue
        claims = [
            (_when(e["occurred_at"]), order, e["device_id"], e["data_digest"])
            for order, e in enumerate(by_lead.get(lead_id, ())) if e["action"] in ("consent", "correction")
        ]
        if not claims:
            raise NotItsLead("lead {lead} has details but no capture in any ledger.", lead=lead_id)
        _at, _order, device, digest = max(claims)  # the last capture or correction
        secret = secrets.get(device)
        signature = bytes(r["signature_png"]) if r.get("signature_png") is not None else None  # type: ignore[arg-type]
        fields = getattr(r["fields"], "parsed", None) or json.loads(str(r["fields"]))  # bundle_rows.FieldsText
        if secret is not None and details_digest(secret, fields, signature) == digest:
            take.add(lead_id)
        elif str(r.get("device_id")) == device or secret is None:
            raise DetailsAltered(
                "the details of lead {lead} differ from its last capture or correction: they were "
                "changed outside ConsentBooth.",
                lead=lead_id,
            )
        # else: the hub holds a later correction by another device; these details are older
    return frozenset(take)
