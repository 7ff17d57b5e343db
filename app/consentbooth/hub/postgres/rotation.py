"""Rotating the hub data key: every sealed value re-sealed and every blind index re-made with a
new key, wrapped to every slot; the old key dropped. Runs inside ``rotate_data_key``'s
transaction (the rotation lock held alone): it commits whole or not at all."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from consentbooth.crypto import envelope
from consentbooth.hub.postgres import keyring as keys
from consentbooth.hub.postgres.base import aad

if TYPE_CHECKING:
    from consentbooth.hub.postgres.hub import PostgresHub

BATCH = 2000



def rotate(hub: PostgresHub) -> int:
    conn = hub.conn
    ring = hub.keyring
    old_versions = [int(r[0]) for r in conn.execute("SELECT version FROM data_keys").fetchall()]
    for v in old_versions:
        ring.key(v, conn)  # unwrap every old key before the new one becomes active
    new = keys.rotate(conn, ring)

    def reseal(blob: bytes | None, where: bytes) -> bytes | None:
        if blob is None:
            return None
        return new.seal(ring.open(bytes(blob), where, conn), where)

    for key, value in conn.execute("SELECT key, value FROM meta WHERE sealed").fetchall():
        conn.execute("UPDATE meta SET value = %s WHERE key = %s", (reseal(value, aad("meta", key)), key))
    for device, secret in conn.execute(
        "SELECT device_id, digest_secret_enc FROM signers WHERE digest_secret_enc IS NOT NULL"
    ).fetchall():
        conn.execute("UPDATE signers SET digest_secret_enc = %s WHERE device_id = %s",
                     (reseal(secret, aad("signer", device, "digest_secret")), device))
    for lead_id, email, phone in conn.execute("SELECT lead_id, email_enc, phone_enc FROM suppression_keys").fetchall():
        conn.execute("UPDATE suppression_keys SET email_enc = %s, phone_enc = %s WHERE lead_id = %s",
                     (reseal(email, aad("suppression", lead_id, "email")),
                      reseal(phone, aad("suppression", lead_id, "phone")), lead_id))
    _certificates(hub, reseal)
    _leads(hub, new, reseal)
    conn.execute("DELETE FROM data_keys WHERE version <> %s", (new.version,))
    for v in old_versions:
        ring.keys.pop(v, None)
    return new.version


def _certificates(hub: PostgresHub, reseal) -> None:
    conn = hub.conn
    ids = [r[0] for r in conn.execute("SELECT id FROM certificates").fetchall()]
    for start in range(0, len(ids), BATCH):
        rows = conn.execute("SELECT id, pdf_enc FROM certificates WHERE id = ANY(%s)",
                            (ids[start : start + BATCH],)).fetchall()
        with conn.cursor() as cur:
            cur.executemany("UPDATE certificates SET pdf_enc = %s WHERE id = %s",
                            [(reseal(pdf, aad("certificate", cid)), cid) for cid, pdf in rows])


def _leads(hub: PostgresHub, new: envelope.DataKey, reseal) -> None:
    conn = hub.conn
    index_key = new.index_key()
    last = -1
    while True:
        rows = conn.execute(
            "SELECT no, id, fields_enc, signature_enc, guardian_enc, erased_at FROM leads WHERE no > %s "
            "ORDER BY no LIMIT %s", (last, BATCH),
        ).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        updates = []
        for no, lead_id, fields, signature, guardian, erased in rows:
            if fields is None and signature is None and guardian is None:
                continue
            plain = hub.keyring.open(bytes(fields), aad("lead", lead_id, "fields"), conn) if fields else None
            updates.append((
                new.seal(plain, aad("lead", lead_id, "fields")) if plain is not None else None,
                reseal(signature, aad("lead", lead_id, "signature")),
                reseal(guardian, aad("lead", lead_id, "guardian")),
                hub.blind_terms(json.loads(plain), index_key) if plain and erased is None else None, no,
            ))
        with conn.cursor() as cur:
            cur.executemany(
                "UPDATE leads SET fields_enc = %s, signature_enc = %s, guardian_enc = %s, terms = %s WHERE no = %s",
                updates,
            )
