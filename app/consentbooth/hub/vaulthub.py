"""The hub interface over a SQLCipher vault (a hub vault, or a laptop's own vault): every call
delegates to ``vault/``; nothing here changes how a vault behaves."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime

from consentbooth.core.errors import NotFound
from consentbooth.crypto.keys import SigningIdentity
from consentbooth.domain.models import Event, Lead, Organisation, Purpose
from consentbooth.domain.notice import Notice
from consentbooth.domain.requests import RightsRequest
from consentbooth.hub.interface import Change, Progress, Rows
from consentbooth.vault import certstore, devices, ledger, merge, repo, sharing
from consentbooth.vault import requests as rights_requests
from consentbooth.vault.store import Vault

try:
    from consentbooth.vault import search as lead_search
except ImportError:  # until the lead search moves out of vault/repo.py
    lead_search = repo  # type: ignore[assignment]


class VaultHub:
    """A :class:`~consentbooth.hub.interface.Hub` over an open :class:`Vault`."""

    kind = "vault"
    applies_in_scope = False  # apply_bundle commits its own transaction

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    @property
    def location(self) -> str:
        return str(self.vault.path)

    def close(self) -> None:
        self.vault.close()

    # -- meta ---------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> bytes | None:
        return repo.get_meta(self.vault, key)

    def set_meta(self, values: Mapping[str, bytes]) -> None:
        with self.vault.transaction() as conn:
            for key, value in values.items():
                repo.set_meta(conn, key, value)

    # -- the setup ----------------------------------------------------------------------------------
    def organisation(self) -> Organisation | None:
        return repo.get_organisation(self.vault)

    def events(self) -> list[Event]:
        return repo.list_events(self.vault)

    def get_event(self, event_id: str) -> Event | None:
        return repo.get_event(self.vault, event_id)

    def current_event(self) -> Event | None:
        return repo.current_event(self.vault)

    def purposes(self) -> list[Purpose]:
        return repo.list_purposes(self.vault)

    def latest_notice(self) -> Notice | None:
        return repo.latest_notice(self.vault)

    def get_notice(self, version: int) -> Notice | None:
        return repo.get_notice(self.vault, version)

    def staff(self) -> list[repo.StaffMember]:
        return repo.list_staff(self.vault)

    def organisation_as_of(self, at: str | datetime) -> Organisation | None:
        return repo.organisation_as_of(self.vault, at)

    def event_as_of(self, event_id: str, at: str | datetime) -> Event | None:
        return repo.event_as_of(self.vault, event_id, at)

    def event_versions(self, event_id: str) -> list[Event]:
        return repo.event_versions(self.vault, event_id)

    def purposes_as_of(self, at: str | datetime) -> list[Purpose]:
        return repo.purposes_as_of(self.vault, at)

    # -- devices, chains, approvals, checkpoints ------------------------------------------------------
    def signers(self) -> dict[str, devices.Signer]:
        return devices.signers(self.vault)

    def save_signer(self, signer: devices.Signer) -> bool:
        with self.vault.transaction() as conn:
            return devices.save_signer(conn, signer)

    def approved(self) -> set[str]:
        return devices.approved(self.vault)

    def approve(self, fingerprints: Iterable[str], *, operator: str, note: str = "") -> None:
        with self.vault.transaction() as conn:
            devices.approve(conn, fingerprints, operator=operator, note=note)

    def chain_heads(self) -> dict[str, devices.ChainHead]:
        return devices.chain_heads(self.vault)

    def lead_events(self, lead_ids: Iterable[str]) -> dict[str, list[devices.LeadEvent]]:
        return devices.lead_events(self.vault, lead_ids)

    def entry_hash(self, device_id: str, device_seq: int) -> str | None:
        return devices.entry_hash(self.vault, device_id, device_seq)

    def ledger_ids_held(self, ids: Iterable[str]) -> set[str]:
        return devices.ledger_ids_held(self.vault, ids)

    def checkpoints(self) -> list[devices.Checkpoint]:
        return devices.checkpoints(self.vault)

    def save_checkpoints(self, checkpoints: Sequence[devices.Checkpoint]) -> None:
        with self.vault.transaction() as conn:
            for checkpoint in checkpoints:
                devices.save_checkpoint(conn, checkpoint)

    # -- merge ------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def bundle_scope(self, device_ids: Collection[str]) -> Iterator[VaultHub]:
        # One process writes a vault at a time (BEGIN IMMEDIATE in apply_bundle); as before.
        yield self

    def apply_bundle(self, rows: Rows, *, details_from: Collection[str] = frozenset(),
                     progress: Progress | None = None) -> merge.MergeCounts:
        return merge.apply_bundle(self.vault, rows, details_from=details_from, progress=progress)

    # -- people ------------------------------------------------------------------------------------------
    def search(self, query: str = "", *, limit: int = 200, offset: int = 0) -> list[lead_search.LeadSummary]:
        return lead_search.search_leads(self.vault, query, limit=limit, offset=offset)

    def count(self, query: str = "") -> int:
        return lead_search.count_leads(self.vault, query)

    def get_lead(self, lead_id: str) -> Lead | None:
        return repo.get_lead(self.vault, lead_id)

    def lead_digest(self, lead_id: str) -> str | None:
        return repo.lead_digest(self.vault, lead_id)

    def consent_states(self, lead_id: str) -> dict[str, tuple[str, str, str | None]]:
        return repo.consent_states(self.vault, lead_id)

    def ledger_entries(self, *, lead_id: str) -> list[ledger.LedgerEntry]:
        return ledger.entries(self.vault, lead_id=lead_id)

    def ledger_entry(self, entry_id: str) -> ledger.LedgerEntry | None:
        return ledger.get(self.vault, entry_id)

    def leads_captured_before(self, *, event_id: str, cutoff: str) -> list[str]:
        return repo.leads_captured_before(self.vault, event_id=event_id, cutoff=cutoff)

    def append_change(self, change: Change, *, identity: SigningIdentity,
                      recheck: Callable[[Lead, dict[str, tuple[str, str, str | None]]], None]) -> ledger.LedgerEntry:
        event = change.event
        since = event.occurred_at.astimezone(UTC).isoformat()
        with self.vault.transaction() as conn:
            person = repo.get_lead(self.vault, event.lead_id)
            if person is None:
                raise NotFound("No lead with id {lead_id}.", lead_id=event.lead_id)
            recheck(person, repo.consent_states(self.vault, event.lead_id))
            entry = ledger.append(conn, event=event, identity=identity)
            for code, state in change.states.items():
                repo.set_consent_state(
                    conn, lead_id=event.lead_id, purpose=code, state=state, since=since,
                    expires_at=None, ledger_id=entry.id,
                )
            if change.details is not None:
                repo.update_lead_fields(conn, event.lead_id, change.details, event.data_digest)
            if change.erase:
                # Only hashes remain, so the suppression list can still reach the CRM.
                sharing.save_suppression_keys(
                    conn, lead_id=event.lead_id, email_sha256=change.email_sha256,
                    phone_sha256=change.phone_sha256,
                )
                repo.erase_lead(conn, event.lead_id)
                rights_requests.forget_free_text(conn, event.lead_id)
            if change.request is not None:
                rights_requests.save_request(conn, change.request)
        if change.erase:
            self.vault.scrub()  # the erased details' old pages leave the WAL file now, not at lock
        return entry

    # -- rights requests (written only through append_change) -------------------------------------------
    def get_request(self, request_id: str) -> RightsRequest | None:
        return rights_requests.get_request(self.vault, request_id)

    def rights_requests(self, *, lead_id: str | None = None, open_only: bool = False) -> list[RightsRequest]:
        return rights_requests.list_requests(self.vault, lead_id=lead_id, open_only=open_only)

    # -- exports and the sharing log -----------------------------------------------------------------------
    def iter_consenting(self, *, purposes: Sequence[str], event_ids: Sequence[str] | None,
                        now: datetime) -> Iterator[sharing.ConsentingLead]:
        return sharing.iter_consenting(self.vault, purposes=purposes, event_ids=event_ids, now=now)

    def count_consenting(self, *, purposes: Sequence[str], event_ids: Sequence[str] | None,
                         now: datetime) -> int:
        return sharing.count_consenting(self.vault, purposes=purposes, event_ids=event_ids, now=now)

    def iter_suppressed(self, *, now: datetime | None = None) -> Iterator[sharing.Suppressed]:
        return sharing.iter_suppressed(self.vault, now=now)

    def log_sharing(self, entry: sharing.SharingEntry) -> None:
        with self.vault.transaction() as conn:
            sharing.log_sharing(conn, entry)

    def sharing_log(self) -> list[sharing.SharingEntry]:
        return sharing.sharing_log(self.vault)

    # -- certificates ---------------------------------------------------------------------------------------
    def certificate_for_ledger(self, ledger_id: str) -> str | None:
        return certstore.certificate_for_ledger(self.vault, ledger_id)

    def store_certificates(self, certificates: Sequence[certstore.StoredCertificate]) -> None:
        with self.vault.transaction() as conn:
            for c in certificates:
                certstore.store(conn, certificate_id=c.id, lead_id=c.lead_id, ledger_id=c.ledger_id,
                                kind=c.kind, pdf=c.pdf)

    def certificates_for_lead(self, lead_id: str) -> list[certstore.StoredCertificate]:
        return certstore.for_lead(self.vault, lead_id)

    def certifiable_ledger_ids(self, event_id: str) -> list[str]:
        return certstore.certifiable_ledger_ids(self.vault, event_id)

    def iter_certificates_for_event(self, event_id: str) -> Iterator[certstore.StoredCertificate]:
        return certstore.iter_for_event(self.vault, event_id)

    # -- evidence ---------------------------------------------------------------------------------------------
    def device_chains(self) -> Iterator[tuple[str, list[ledger.LedgerEntry]]]:
        return ledger.iter_device_chains(self.vault)

    def details_claims(self) -> Iterator[ledger.DetailsClaim]:
        return ledger.details_claims(self.vault)

    def leads_without_capture(self) -> list[str]:
        return ledger.leads_without_capture(self.vault)

    def dangling_references(self) -> list[tuple[str, str]]:
        return ledger.dangling_references(self.vault)
