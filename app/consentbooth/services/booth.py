"""The booth: one unlocked vault and every use case over it, as one object for the GUI and the CLI.

:class:`Booth` is a thin facade. Each use case lives in the module of its concept and takes the
:class:`~consentbooth.services.context.BoothContext`; a method here only hands the call over with
this booth's context:

- ``capture``: capture, capture_batch, required_fields, record_minor_refusal
- ``rights``: withdraw, correct, erase, purge_expired
- ``configuration``: every setup write, staff PINs, the certificates' signing identity
- ``records``: search, count, record, dashboard_stats, anonymous_counts, verify_ledger
- ``certificates``, ``exports``, ``transfer``, ``maintenance``: loaded on first use (they pull
  in the PDF, spreadsheet and age libraries, which start-up does not need)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consentbooth.core.logging import get_logger
from consentbooth.crypto.keys import SigningIdentity
from consentbooth.domain.models import DeviceId
from consentbooth.domain.validation import clean_text
from consentbooth.services import capture as capturing
from consentbooth.services import configuration, records, rights, staffing
from consentbooth.services import setup as examples
from consentbooth.services.capture import CaptureRequest, CaptureResult
from consentbooth.services.context import SYSTEM_OPERATOR, BoothContext
from consentbooth.services.records import DashboardStats, PersonRecord, PurposeState
from consentbooth.vault import repo
from consentbooth.vault.store import Vault, create_vault, open_vault

if TYPE_CHECKING:
    from consentbooth.crypto.enrolment import Enrolment
    from consentbooth.hub.interface import Hub

log = get_logger(__name__)

__all__ = [
    "SYSTEM_OPERATOR", "Booth", "CaptureRequest", "CaptureResult", "DashboardStats",
    "PersonRecord", "PurposeState",
]


def _hand_off(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A method calling ``fn(self.ctx, ...)``."""

    @functools.wraps(fn)
    def method(self: Booth, *args: Any, **kwargs: Any) -> Any:
        return fn(self.ctx, *args, **kwargs)

    return method


def _hand_off_later(module: str, name: str) -> Callable[..., Any]:
    """A method calling ``consentbooth.services.<module>.<name>(self.ctx, ...)``, imported on
    first call (tests/unit/test_services.py resolves every one)."""

    def method(self: Booth, *args: Any, **kwargs: Any) -> Any:
        return getattr(import_module(f"consentbooth.services.{module}"), name)(self.ctx, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"Hands over to :func:`consentbooth.services.{module}.{name}`."
    method.deferred = (module, name)  # type: ignore[attr-defined]
    return method


class Booth:
    """An unlocked vault and its use cases. Create with ``Booth.create`` or ``Booth.unlock``."""

    def __init__(self, vault: Vault) -> None:
        self.ctx = BoothContext.open(vault)

    @classmethod
    def create(
        cls, path: Path, passphrase: str, *, organisation_name: str | None = None,
        demo: bool = False, role: str = "booth", enrolment: Enrolment | None = None,
    ) -> Booth:
        """A new vault: the organisation's own (a new root, named ``organisation_name``,
        certifies its key), or, with an ``enrolment`` (``trust.read_enrolment_file``), a laptop
        that joins the organisation. ``demo`` fills the example setup."""
        from consentbooth.services import trust

        name = organisation_name or (examples.DEMO_ORGANISATION.name if demo else None)
        device = (
            trust.joining(enrolment) if enrolment is not None
            else trust.new_organisation(organisation_name=name, role=role)
        )
        vault = create_vault(Path(path), passphrase)
        try:
            trust.write_device(vault, device)
        except BaseException:
            vault.close()
            raise
        booth = cls.adopt(vault)
        if demo:
            booth.configure(**examples.demo_setup())
        log.info("vault created (role %s%s)", device.role, ", enrolled" if enrolment else "")
        return booth

    @classmethod
    def unlock(cls, path: Path, passphrase: str) -> Booth:
        """Open the vault (key derivation; every page's HMAC checked inside the unlock, or for a large
        vault right after it in the background: vault/integrity.py) and its use cases."""
        return cls.adopt(open_vault(Path(path), passphrase))

    @classmethod
    def from_context(cls, ctx: BoothContext) -> Booth:
        """The use cases around a context already open (a PostgreSQL hub: services/hubs.py)."""
        booth = cls.__new__(cls)
        booth.ctx = ctx
        return booth

    @classmethod
    def adopt(cls, vault: Vault) -> Booth:
        """The use cases around a vault just opened; a failure closes the vault again."""
        try:
            if not repo.get_meta(vault, "root_cert_pem"):  # made before the root of trust
                from consentbooth.services import trust

                trust.ensure_root(vault)
            booth = cls(vault)
            # attendee lists past their keep period go at the first open from that day on (the
            # module that deletes them loads only when this vault holds a list)
            from consentbooth.vault import attendees as attendee_rows

            if attendee_rows.has_lists(vault):
                from consentbooth.services import attendees

                attendees.delete_expired_attendee_lists(booth.ctx)
            return booth
        except BaseException:
            vault.close()
            raise

    def lock(self) -> None:
        self.ctx.close()

    @property
    def is_open(self) -> bool:
        return self.ctx.vault.is_open if self.ctx.vault is not None else self.ctx.hub.is_open  # type: ignore[attr-defined]

    @property
    def vault(self) -> Vault:
        return self.ctx.vault

    @property
    def hub(self) -> Hub:
        """What the ops use cases read and write: this vault, or a PostgreSQL hub."""
        return self.ctx.hub

    @property
    def device_id(self) -> DeviceId:
        return self.ctx.device_id

    @property
    def role(self) -> str:
        return self.ctx.role

    @property
    def identity(self) -> SigningIdentity:
        return self.ctx.identity

    @property
    def certificate_identity(self) -> SigningIdentity:
        return self.ctx.certificate_identity

    def set_operator(self, operator: str) -> None:
        self.ctx.operator = clean_text("operator", operator) or SYSTEM_OPERATOR

    # the setup as it is (cached reads)
    organisation = _hand_off(BoothContext.organisation)
    current_event = _hand_off(BoothContext.current_event)
    events = _hand_off(BoothContext.events)
    purposes = _hand_off(BoothContext.purposes)
    offered_purposes = _hand_off(BoothContext.offered_purposes)
    notice = _hand_off(BoothContext.notice)
    staff = _hand_off(BoothContext.staff)
    is_configured = _hand_off(BoothContext.is_configured)
    forget_setup = _hand_off(BoothContext.forget_setup)

    # configuration: every setup write
    configure = _hand_off(configuration.configure)
    setup_state = _hand_off(configuration.setup_state)
    update_organisation = _hand_off(configuration.update_organisation)
    save_event = _hand_off(configuration.save_event)
    set_current_event = _hand_off(configuration.set_current_event)
    editable_purposes = _hand_off(configuration.editable_purposes)
    update_purposes = _hand_off(configuration.update_purposes)
    notice_draft = _hand_off(configuration.notice_draft)
    publish_notice = _hand_off(configuration.publish_notice)
    add_staff = _hand_off(configuration.add_staff)
    set_staff_active = _hand_off(configuration.set_staff_active)
    check_staff_pin = _hand_off(configuration.check_staff_pin)
    change_staff_pin = _hand_off(configuration.change_staff_pin)
    try_staff_pin = _hand_off(staffing.try_staff_pin)  # the staff PIN behind a lockout
    pin_status = _hand_off(staffing.pin_status)
    on_duty = _hand_off(staffing.on_duty)
    import_certificate_identity = _hand_off(configuration.import_certificate_identity)

    # capture
    capture = _hand_off(capturing.capture)
    capture_batch = _hand_off(capturing.capture_batch)
    capture_documents = _hand_off(capturing.capture_documents)
    required_fields = _hand_off(capturing.required_fields)
    record_minor_refusal = _hand_off(capturing.record_minor_refusal)

    # a person's rights
    withdraw = _hand_off(rights.withdraw)
    correct = _hand_off(rights.correct)
    erase = _hand_off(rights.erase)
    purge_expired = _hand_off(rights.purge_expired)

    # reading
    search = _hand_off(records.search)
    count = _hand_off(records.count)
    record = _hand_off(records.record)
    dashboard_stats = _hand_off(records.dashboard_stats)
    anonymous_counts = _hand_off(records.anonymous_counts)
    verify_ledger = _hand_off(records.verify_ledger)

    # loaded on first use
    issue_certificate = _hand_off_later("certificates", "issue_certificate")
    export_certificate = _hand_off_later("certificates", "export_certificate")
    export_event_certificates = _hand_off_later("certificates", "export_event_certificates")
    verify_certificate = _hand_off_later("certificates", "verify_certificate")
    export_leads = _hand_off_later("exports", "export_leads")
    export_suppression = _hand_off_later("exports", "export_suppression")
    sharing_log = _hand_off_later("exports", "sharing_log")
    create_bundle = _hand_off_later("transfer", "create_bundle")
    merge_files = _hand_off_later("transfer", "merge_files")
    set_tsa_url = _hand_off(configuration.set_tsa_url)
    timestamp_chain_heads = _hand_off_later("evidence", "timestamp_chain_heads")
    tsa_url = _hand_off_later("evidence", "tsa_url")
    root_info = _hand_off_later("trust", "root_info")
    enrol_device = _hand_off_later("trust", "enrol_device")
    save_enrolment = _hand_off_later("trust", "save_enrolment")
    export_root = _hand_off_later("trust", "export_root")
    approve_devices = _hand_off_later("trust", "approve_devices")
    known_devices = _hand_off_later("trust", "known_devices")
    change_passphrase = _hand_off_later("maintenance", "change_passphrase")
    backup = _hand_off_later("maintenance", "backup")

    # impact assessments (issue #16, PIPL Arts. 55-56)
    record_assessment = _hand_off_later("assessments", "record_assessment")
    list_assessments = _hand_off_later("assessments", "list_assessments")
    assessment_ids = _hand_off_later("assessments", "assessment_ids")
    verify_assessments = _hand_off_later("assessments", "verify_assessments")

    # leads from third parties (issue #16, the article's §3.2)
    import_third_party_list = _hand_off_later("thirdparty", "import_third_party_list")
    third_party_imports = _hand_off_later("thirdparty", "third_party_imports")
    third_party_notice_email = _hand_off_later("thirdparty", "third_party_notice_email")
    third_party_notice_pdf = _hand_off_later("thirdparty", "third_party_notice_pdf")
    third_party_notice_sent = _hand_off_later("thirdparty", "third_party_notice_sent")
    third_party_notices = _hand_off_later("thirdparty", "third_party_notices")
    third_party_people = _hand_off_later("thirdparty", "third_party_people")

    # scan to consent (issue #13): badges, cards, the organiser's attendee lists
    read_badge = _hand_off_later("scans", "read_badge")
    read_business_card = _hand_off_later("scans", "read_business_card")
    import_attendee_list = _hand_off_later("attendees", "import_attendee_list")
    preview_attendee_file = _hand_off_later("attendees", "preview_attendee_file")
    attendee_lists = _hand_off_later("attendees", "attendee_lists")
    delete_attendee_list = _hand_off_later("attendees", "delete_attendee_list")
    delete_expired_attendee_lists = _hand_off_later("attendees", "delete_expired_attendee_lists")
    attendee_list_log = _hand_off_later("attendees", "attendee_list_log")
    lookup_attendee = _hand_off_later("attendees", "lookup_attendee")
    badge_field_names = _hand_off_later("attendees", "badge_field_names")
    set_badge_field_names = _hand_off_later("attendees", "set_badge_field_names")

