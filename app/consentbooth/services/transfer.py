"""Encrypted transfer bundles (booth laptop → marketing ops) and the merge into a hub vault."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from consentbooth.core.errors import UserFacingError
from consentbooth.core.files import write_atomic
from consentbooth.core.i18n import Message
from consentbooth.core.logging import get_logger
from consentbooth.core.workers import process_pool
from consentbooth.crypto.keys import normalise_public_pem
from consentbooth.exports import bundle as sealed
from consentbooth.services import admission, trust
from consentbooth.services.context import BoothContext
from consentbooth.vault import devices, sharing
from consentbooth.vault.merge import BundleRejected, verify_bundle_ledger

log = get_logger(__name__)

# /2: signers carry their certificate chain, role and digest key; the manifest, the signed
# chain head of the device's ledger (services/admission.py). /1 bundles are refused: made by a
# version without a root of trust, they could not be admitted.
PAYLOAD_SCHEMA = "consentbooth.transfer/2"
Progress = Callable[[int, int], None]


def _encode(value: object) -> object:
    if isinstance(value, bytes | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    return value


def build_payload(ctx: BoothContext, progress: Progress | None = None) -> tuple[bytes, int]:
    """Everything a hub needs from this laptop: leads, ledger, signers, certificates, setup.
    ``progress(done, total)`` counts the leads written into it."""
    buffer = io.BytesIO()
    leads = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=5) as zf:
        for table in sharing.BUNDLE_TABLES:
            names = sharing.column_names(table)
            rows = sharing.dump_table(ctx.vault, table)
            if table == "leads":
                leads = len(rows)
            with zf.open(f"tables/{table}.jsonl", "w") as f:
                for i, row in enumerate(rows, start=1):
                    record = {n: _encode(v) for n, v in zip(names, row, strict=True)}
                    f.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
                    if progress and table == "leads" and (i % 500 == 0 or i == leads):
                        progress(i, leads)
        head = devices.chain_heads(ctx.vault).get(ctx.device_id)
        manifest = {
            "schema": PAYLOAD_SCHEMA,
            "device_id": ctx.device_id,
            "created_at": datetime.now(UTC).isoformat(),
            "leads": leads,
            "chain_head": head.as_dict() if head else None,
        }
        zf.writestr("manifest.json", json.dumps(manifest))
    return buffer.getvalue(), leads


# Everything a damaged or hostile archive can raise while it is read (the contract handles the
# content of each member).
_ARCHIVE_ERRORS = (
    zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, EOFError, RuntimeError,
    NotImplementedError, OSError, zlib.error,
)


def read_payload(payload: bytes) -> tuple[dict, dict[str, list[dict]]]:
    """The manifest and the rows of each table of a decrypted bundle, every row checked by type
    and shape against the input contract (``domain/contract.py``) before anything touches the
    hub: a malformed row is a :class:`BundleRejected` naming its table, line and column."""
    from consentbooth.domain.bundle_rows import parse_manifest, parse_row  # pydantic: on use
    from consentbooth.domain.contract import ContractViolation

    rows: dict[str, list[dict]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as zf:
            manifest = parse_manifest(zf.read("manifest.json"), schema=PAYLOAD_SCHEMA)
            if manifest is None:
                raise BundleRejected("it has an unknown content format.")
            names = set(zf.namelist())
            for table in sharing.BUNDLE_TABLES:
                name = f"tables/{table}.jsonl"
                if name not in names:
                    continue
                table_rows = rows[table] = []
                for number, line in enumerate(zf.read(name).split(b"\n"), start=1):
                    if not line.strip():
                        continue
                    try:
                        table_rows.append(parse_row(table, line))
                    except ContractViolation as exc:
                        raise BundleRejected(
                            "line {line} of {table} is malformed: {problem}",
                            line=number, table=name, problem=exc.as_message(),
                        ) from None
    except ContractViolation as exc:  # the manifest
        raise BundleRejected("its manifest is malformed: {problem}", problem=exc.as_message()) from None
    except _ARCHIVE_ERRORS as exc:
        raise BundleRejected("its content is unreadable ({reason}).", reason=type(exc).__name__) from None
    return manifest.model_dump(by_alias=True), rows


def create_bundle(
    ctx: BoothContext, *, recipient: str, target: Path, operator: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Write this laptop's encrypted, signed bundle for marketing ops; returns the lead count.

    Encrypted to ops' age public key only: this laptop (and any other) cannot read it back.
    ``progress(done, total)`` counts the leads packed.
    """
    payload, leads = build_payload(ctx, progress)
    data = sealed.seal_bundle(payload=payload, identity=ctx.identity, recipients=[recipient])
    write_atomic(Path(target), data)
    with ctx.vault.transaction() as conn:
        sharing.log_sharing(
            conn,
            sharing.SharingEntry(
                at=datetime.now(UTC).isoformat(), kind="bundle", format="age", purposes=(),
                events=tuple(e.id for e in ctx.events()), count=leads,
                recipient=recipient, operator=operator or ctx.operator, file_name=Path(target).name,
            ),
        )
    log.info("bundle written with %d leads", leads)
    stamp_chain_heads(ctx)
    return leads


# Why a bundle was not merged, as a stable code (MergeResult.code; in the CLI's JSON too).
UNREADABLE = "unreadable"  # the file cannot be read from disk
DAMAGED = "damaged"  # not decryptable with this key, or not a well-formed bundle
SIGNATURE_INVALID = "signature_invalid"  # its content does not match its signature
SIGNER_NOT_ALLOWED = "signer_not_allowed"
UNKNOWN_DEVICE = "unknown_device"  # not enrolled by this hub's root nor approved: see fingerprint
CHAIN_BEHIND = "chain_behind"  # its history is shorter than, or diverges from, the hub's
NOT_ITS_LEAD = "not_its_lead"  # a device speaks about a lead another device captured
DETAILS_ALTERED = "details_altered"  # details changed behind the ledger's back
REJECTED = "rejected"  # opened and verified, but its ledger or origin is refused
ERROR = "error"  # any other problem (ops key, newer format, disk full…)

_CODES: tuple[tuple[type[UserFacingError], str], ...] = (
    (sealed.BundleDamaged, DAMAGED),
    (sealed.BundleSignatureInvalid, SIGNATURE_INVALID),
    (sealed.SignerNotAllowed, SIGNER_NOT_ALLOWED),
    (admission.UnknownDevice, UNKNOWN_DEVICE),
    (admission.ChainBehind, CHAIN_BEHIND),
    (admission.NotItsLead, NOT_ITS_LEAD),
    (admission.DetailsAltered, DETAILS_ALTERED),
    (BundleRejected, REJECTED),
)


@dataclass(frozen=True)
class MergeResult:
    bundle: str
    ok: bool
    new: int = 0
    updated: int = 0
    withdrawn: int = 0
    ledger_events: int = 0
    # A Message: the English sentence as a string (CLI, JSON), ``_(reason)`` in the UI language.
    reason: str = ""
    code: str = ""  # empty when merged; otherwise one of the codes above
    device_id: str = ""  # the laptop it came from, once known
    fingerprint: str = ""  # its key's SHA-256 (what ``--approve-device`` takes), once known


def _rejection(name: str, exc: UserFacingError, device_id: str = "") -> MergeResult:
    code = next((c for kind, c in _CODES if isinstance(exc, kind)), ERROR)
    fingerprint = exc.fingerprint if isinstance(exc, admission.UnknownDevice) else ""
    return MergeResult(bundle=name, ok=False, reason=exc.as_message(), code=code,
                       device_id=device_id, fingerprint=fingerprint)


def _chains(rows: Mapping[str, Sequence[Mapping[str, object]]], device: str) -> set[str]:
    """Every device chain a bundle's merge reads or changes: its signers, its ledger, and the
    devices that captured its people (whose consent states it may fold again)."""
    found = {device}
    found.update(str(r["device_id"]) for r in rows.get("signers", ()))
    found.update(str(r["device_id"]) for r in rows.get("leads", ()))
    found.update(str(r["device_id"]) for r in rows.get("ledger", ()))
    return found


# A bundle at least this large, merged into a hub that applies it inside the bundle's transaction
# (PostgreSQL), has its ledger chains verified on the other core while it is admitted and applied;
# the transaction commits only once they verified (a refusal rolls it all back).
VERIFY_ALONGSIDE = 5000


# What the ledger check reads of each row (the rows go to the worker as they were read and
# checked by ``read_payload``: it does not decompress and parse the payload a second time).
_LEDGER_CHECKED = ("id", "device_id", "device_seq", "lead_id", "action", "occurred_at", "body", "hash", "signature")


def _ledger_rows(rows: Mapping[str, Sequence[Mapping[str, object]]]) -> dict[str, list[dict]]:
    """The part of a bundle's rows its ledger check reads, as plain values for a worker process."""
    return {
        "signers": [{"device_id": r["device_id"], "public_key_pem": bytes(r["public_key_pem"])}  # type: ignore[arg-type]
                    for r in rows.get("signers", ())],
        "ledger": [{k: bytes(r[k]) if k == "body" else r[k] for k in _LEDGER_CHECKED}  # type: ignore[arg-type]
                   for r in rows.get("ledger", ())],
    }


def _verify_payload(rows: Mapping[str, Sequence[Mapping[str, object]]], device: str,
                    signer_key: bytes) -> tuple[str, dict] | None:
    """The ledger check of a bundle, in a worker process: None, or why it was refused."""
    try:
        verify_bundle_ledger(rows, signer_device=device, signer_public_key=signer_key)
    except UserFacingError as exc:
        return exc.message, {k: str(v) for k, v in exc.params.items()}
    return None


def _refused(result: tuple[str, dict] | None) -> None:
    if result is not None:  # the worker's refusal, its sentence as it made it
        message, params = result
        refusal = BundleRejected.__new__(BundleRejected)
        UserFacingError.__init__(refusal, message, **params)
        raise refusal


def merge_bundle(ctx: BoothContext, *, data: bytes, identity_text: str, name: str = "",
                 progress: Progress | None = None, verifier: Executor | None = None) -> MergeResult:
    """Verify one bundle (decryption, signature, ledger chains), admit it (services/admission.py)
    and merge it; never partially. ``verifier``: a worker process that checks a large bundle's
    chains while the hub applies it (see VERIFY_ALONGSIDE)."""
    device = ""
    try:
        opened = sealed.open_bundle(data=data, identity_text=identity_text)
        manifest, rows = read_payload(opened.payload)
        device = str(manifest.get("device_id", ""))
        if device == ctx.device_id:
            raise BundleRejected("it comes from this very vault.")
        signer_key = normalise_public_pem(opened.signer_public_key_pem)
        pending = None
        if verifier is not None and getattr(ctx.hub, "applies_in_scope", False) and (
                len(rows.get("ledger", ())) >= VERIFY_ALONGSIDE):
            pending = verifier.submit(_verify_payload, _ledger_rows(rows), device, signer_key)
        else:
            verify_bundle_ledger(rows, signer_device=device, signer_public_key=signer_key)
        # Admitted and applied with no other merge or change writing these chains meanwhile (a
        # PostgreSQL hub serves several ops at once): the same as one bundle after another.
        with ctx.hub.bundle_scope(_chains(rows, device)) as hub:
            admitted = admission.admit(hub, manifest=manifest, rows=rows, signer_public_key_pem=signer_key)
            counts = hub.apply_bundle(rows, details_from=admitted.details_from_bundle, progress=progress)
            if pending is not None:  # inside the scope: a refused chain commits nothing
                try:
                    _refused(pending.result())
                except BrokenExecutor:  # the worker could not run: check here instead
                    verify_bundle_ledger(rows, signer_device=device, signer_public_key=signer_key)
    except UserFacingError as exc:
        return _rejection(name, exc, device)
    ctx.forget_setup()
    return MergeResult(
        bundle=name, ok=True, new=counts.new, updated=counts.updated,
        withdrawn=counts.withdrawn, ledger_events=counts.ledger_events,
        device_id=device, fingerprint=admitted.fingerprint,
    )


def create_ops_keys(path: Path) -> str:
    """Write marketing ops' new age identity to ``path`` (0600, never overwritten); return the
    public key that booth laptops encrypt their bundles to."""
    secret, public = sealed.generate_ops_identity()
    sealed.write_identity_file(path=Path(path), secret=secret)
    return public


def read_ops_identity(path: Path) -> str:
    """Marketing ops' age identity (key file written by ``keygen-ops``)."""
    return sealed.read_identity_file(Path(path))


def merge_files(
    ctx: BoothContext, *, paths: Sequence[Path], identity_text: str, progress: Progress | None = None,
    approve_devices: Sequence[str] = (), operator: str | None = None,
) -> list[MergeResult]:
    """Merge each bundle on its own: one refused bundle never stops the others. Devices named in
    ``approve_devices`` (key fingerprints, as a refusal reports them) are approved first."""
    if approve_devices:
        trust.approve_devices(ctx, approve_devices, operator=operator)
    results = []
    with contextlib.ExitStack() as stack:
        verifier = None
        if getattr(ctx.hub, "applies_in_scope", False):
            verifier = stack.enter_context(process_pool(1))  # started on first use
        for path in paths:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                reason = Message("cannot be read ({reason})", reason=exc.strerror or type(exc).__name__)
                results.append(MergeResult(bundle=str(path), ok=False, reason=reason, code=UNREADABLE))
                continue
            results.append(merge_bundle(ctx, data=data, identity_text=identity_text, name=str(path),
                                        progress=progress, verifier=verifier))
    if any(r.ok for r in results):
        stamp_chain_heads(ctx)
    return results


def stamp_chain_heads(ctx: BoothContext) -> None:
    """With a time-stamping authority configured, timestamp the chain heads now (after a merge,
    after a bundle: the moments a machine is online). Best effort: a TSA that is down leaves the
    evidence as it was and is logged; ``consentbooth checkpoint`` tries again."""
    from consentbooth.services import evidence

    if not evidence.tsa_url(ctx):
        return
    try:
        evidence.timestamp_chain_heads(ctx)
    except UserFacingError:
        log.warning("time-stamping authority unavailable: chain heads not timestamped this time")


