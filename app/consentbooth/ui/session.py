"""The unlocked booth as the GUI sees it: one Booth owned by the worker, a snapshot of the setup.

Every vault call goes through ``Session.call`` (the worker); a named use case through
``Session.run`` (:mod:`consentbooth.ui.operations`), after which ``changed(kind)`` tells every screen
showing that kind to refresh. Results that arrive after a lock are dropped, so nothing personal can
reappear in a widget once the vault is closed.

Staff inactivity *pauses* the session instead of closing the vault (``pause``): every screen
wipes what it showed, no call runs, and only the staff PIN resumes it (``resume``), the way a
password manager's PIN unlock works. The key stays in memory only while paused; a PIN that is
wrong too often closes the vault (``lock("pin")``) and the passphrase is needed again.

Nobody is on duty until staff say who is (``put_on_duty``): captures are never stamped with a
staff member picked silently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from consentbooth.core import i18n
from consentbooth.core.config import LAST_VAULT, UI_LANGUAGE, Config
from consentbooth.ui.changes import SETUP
from consentbooth.ui.errors import show_exception
from consentbooth.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the use cases load while the vault opens (see ``Session.unlock``)
    from consentbooth.domain.models import Event, Organisation, Purpose
    from consentbooth.domain.notice import Notice
    from consentbooth.services import Booth
    from consentbooth.services.staffing import PinCheck
    from consentbooth.ui.operations import Job, Operation

T = TypeVar("T")


@dataclass(frozen=True)
class TeamHub:
    """A PostgreSQL hub the console opens instead of a vault file (docs/hub.md): its URL, the
    database password when PGPASSWORD or ~/.pgpass does not give it, and a key file's text when
    the hub's data key is unlocked with one instead of a passphrase. Kept in memory only."""

    url: str
    db_password: str = ""
    key_file_text: str = ""

    def __repr__(self) -> str:  # never the password in a log or a traceback
        return f"TeamHub(url={self.url.split('?')[0]!r})"


@dataclass(frozen=True, kw_only=True)
class StaffMember:
    name: str
    initials: str

    def label(self) -> str:
        return f"{self.name} ({self.initials})" if self.initials else self.name


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """The (non-personal) setup read once after unlock: what every screen needs to draw."""

    organisation: Organisation | None
    event: Event | None
    purposes: tuple[Purpose, ...]
    offered: tuple[Purpose, ...]
    notice: Notice | None
    staff: tuple[StaffMember, ...]
    configured: bool
    _by_code: dict[str, Purpose] = field(default_factory=dict, repr=False)

    def purpose(self, code: str) -> Purpose | None:
        return self._by_code.get(code)

    def required_fields(self, codes: Sequence[str]) -> tuple[str, ...]:
        needed: list[str] = []
        for code in codes:
            purpose = self._by_code.get(code)
            for f in purpose.required_fields if purpose else ():
                if f not in needed:
                    needed.append(f)
        return tuple(needed)


def load_snapshot(booth: Booth) -> Snapshot:
    """Runs on the worker."""
    purposes = tuple(booth.purposes())
    return Snapshot(
        organisation=booth.organisation(),
        event=booth.current_event(),
        purposes=purposes,
        offered=tuple(p for p in purposes if p.can_be_offered()),
        notice=booth.notice(),
        staff=tuple(StaffMember(name=s.name, initials=s.initials) for s in booth.staff() if s.active),
        configured=booth.is_configured(),
        _by_code={p.code: p for p in purposes},
    )


class Session(QObject):
    unlocked = Signal()
    locked = Signal(str)  # reason: "manual", "quit", "pin", "pause_limit", "suspend", "screen_lock"
    paused = Signal(str)  # reason: "idle"; the vault stays open, every screen wipes itself
    resumed = Signal()  # the staff PIN ended a pause
    snapshot_changed = Signal()
    changed = Signal(str)  # a write succeeded; the kind of data it changed (ui.changes.KINDS)
    operator_changed = Signal(str)
    language_changed = Signal(str)
    damaged = Signal(str, int)  # the page check after the unlock found damage: which pages, the epoch

    def __init__(self, *, vault_path: Path, config: Config, tasks: TaskRunner,
                 slow_tasks: TaskRunner | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.vault_path = Path(vault_path)
        self.config = config
        self.tasks = tasks
        # Certificates (PDF rendering and signing, ~0.2 s each, seconds for the first one while
        # the CJK font loads) run in their own lane so a capture or a search never queues
        # behind a PDF. The vault serialises the two lanes' statements with its lock.
        self.slow_tasks = slow_tasks or tasks
        self.booth: Booth | None = None
        self.snapshot: Snapshot | None = None
        self.operator = ""
        self.staff_language = config.get(UI_LANGUAGE)
        self._epoch = 0
        self._paused = False
        self.hub: TeamHub | None = None  # a PostgreSQL hub to open instead of ``vault_path``
        self.changed.connect(self._changed)
        self._watching_damage = False

    # -- state -------------------------------------------------------------------------------

    @property
    def is_unlocked(self) -> bool:
        return self.booth is not None

    @property
    def is_paused(self) -> bool:
        return self._paused

    def vault_exists(self) -> bool:
        return self.hub is not None or self.vault_path.exists()

    @property
    def location(self) -> str:
        """What the unlock screen names: the vault file, or the hub's URL (without its query)."""
        return self.hub.url.split("?")[0] if self.hub is not None else str(self.vault_path)

    @property
    def is_team_hub(self) -> bool:
        """A PostgreSQL hub is open: the console is in ops mode (no kiosk, capture or setup)."""
        return self.booth is not None and self.booth.hub.kind == "postgresql"

    def call(
        self,
        fn: Callable[[Booth], T],
        on_done: Callable[[T], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        *,
        slow: bool = False,
    ) -> bool:
        """Run ``fn(booth)`` on the worker; callbacks run on the GUI thread unless locked since.

        ``slow=True``: the certificate lane, for work nobody waits for. Nothing runs while paused."""
        booth = self.booth
        if booth is None or self._paused:
            return False
        epoch = self._epoch

        def current() -> bool:
            return self._epoch == epoch and self.booth is booth

        def done(value: T) -> None:
            if current() and on_done is not None:
                on_done(value)

        def failed(exc: BaseException) -> None:
            if not current():
                return
            if on_error is not None:
                on_error(exc)
            else:
                show_exception(exc)

        runner = self.slow_tasks if slow else self.tasks
        runner.submit(lambda: fn(booth), on_done=done, on_error=failed)
        return True

    def run(
        self,
        op: Operation[T],
        on_done: Callable[[T], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        *,
        job: Job | None = None,
    ) -> bool:
        """Run a named operation on the worker; then ``on_done(result)`` (or ``on_error``) and,
        after a success, ``changed(kind)`` once per kind it declares, even if whoever asked is
        gone meanwhile (a dialog closed while its save ran): the write happened all the same."""

        def done(value: T) -> None:
            try:
                if on_done is not None:
                    on_done(value)
            finally:
                for kind in sorted(op.changes):
                    self.changed.emit(kind)

        return self.call(lambda booth: op(booth, job), done, on_error, slow=op.slow)

    def _changed(self, kind: str) -> None:
        if kind == SETUP:  # every screen draws the setup from the snapshot
            self.refresh_snapshot()

    # -- lifecycle ---------------------------------------------------------------------------

    def unlock(self, passphrase: str, *, on_error: Callable[[BaseException], Any]) -> None:
        """Open the vault on the worker. Only the vault layer is imported first, so the key
        derivation starts at once; the rest of the use cases load meanwhile (``Shell``'s
        warm-up on this thread, or ``open_booth`` itself once the vault is open)."""
        from consentbooth.services.startup import open_booth

        path, hub = self.vault_path, self.hub

        def work() -> tuple[Booth, Snapshot]:
            if hub is not None:
                from consentbooth.services.hubs import HubKey, open_ops_hub

                key = HubKey(passphrase=None if hub.key_file_text else passphrase,
                             key_file_text=hub.key_file_text or None)
                ask = (lambda: hub.db_password) if hub.db_password else None
                booth = open_ops_hub(hub.url, key=key, ask_password=ask)
            else:
                booth = open_booth(path, passphrase)
            return booth, load_snapshot(booth)

        self.tasks.submit(work, on_done=lambda r: self.adopt(*r), on_error=on_error)

    def adopt(self, booth: Booth, snapshot: Snapshot) -> None:
        self.booth = booth
        self.snapshot = snapshot
        self._paused = False
        self.operator = ""  # whoever unlocked says who is on duty
        if self.hub is None and self.config.get(LAST_VAULT) != str(self.vault_path):  # a durable write: only on change
            try:
                self.config.set(LAST_VAULT, str(self.vault_path))
            except OSError:
                pass
        self.unlocked.emit()
        from consentbooth.services.startup import watch_integrity

        # a large vault's pages are checked right after the unlock (on their own thread): damage
        # found closes it with the sentence (queued to this thread, after the console is shown)
        epoch = self._epoch
        if not self._watching_damage:  # queued even when the check calls back at once, on this thread
            from PySide6.QtCore import Qt  # not at import: see ui/__init__.py

            self.damaged.connect(self._damaged, Qt.ConnectionType.QueuedConnection)
            self._watching_damage = True
        watch_integrity(booth, lambda error: self.damaged.emit(str(error.params.get("detail", "")), epoch))

    def refresh_snapshot(self, then: Callable[[], Any] | None = None) -> None:
        def done(snapshot: Snapshot) -> None:
            self.snapshot = snapshot
            if self.operator and not any(s.initials == self.operator for s in snapshot.staff):
                self.set_operator("")  # deactivated: nobody is on duty until staff say who is
            self.snapshot_changed.emit()
            if then:
                then()

        self.call(load_snapshot, done)

    def _damaged(self, detail: str, epoch: int) -> None:
        """On the GUI thread: the vault closes at once and a sentence says why."""
        from consentbooth.core.errors import VaultDamaged

        if self.booth is None or epoch != self._epoch:  # locked (or another vault opened) since
            return
        self.lock("damaged")
        show_exception(VaultDamaged(detail))

    def lock(self, reason: str = "manual") -> None:
        """Close the vault now; every window clears its personal data on ``locked``."""
        booth = self.booth
        if booth is None:
            return
        self._epoch += 1
        self.booth = None
        self.snapshot = None
        self._paused = False
        self.operator = ""
        try:
            booth.lock()
        finally:
            self.locked.emit(reason)

    def pause(self, reason: str = "idle") -> None:
        """Hide everything behind the paused screen; the vault stays open for the staff PIN.
        Results still on their way are dropped, as after a lock."""
        if self.booth is None or self._paused:
            return
        self._epoch += 1
        self._paused = True
        self.paused.emit(reason)

    def resume(self, pin: str, on_done: Callable[[PinCheck], Any],
               on_error: Callable[[BaseException], Any] | None = None) -> None:
        """Try the staff PIN on the worker; right: the session resumes. Wrong too often
        (``PinCheck.exhausted``): the vault closes, after ``on_done`` has seen the outcome."""
        booth = self.booth
        if booth is None or not self._paused:
            return
        epoch = self._epoch

        def done(check: PinCheck) -> None:
            if self.booth is not booth or self._epoch != epoch:
                return
            if check.ok:
                self._paused = False
            on_done(check)
            if check.ok:
                self.resumed.emit()
            elif check.exhausted and check.checked:
                self.lock("pin")

        def failed(exc: BaseException) -> None:
            if self.booth is booth and self._epoch == epoch:
                (on_error or show_exception)(exc)

        self.tasks.submit(lambda: booth.try_staff_pin(pin), on_done=done, on_error=failed)

    def set_operator(self, initials: str) -> None:
        self.operator = initials
        self.operator_changed.emit(initials)

    def put_on_duty(self, initials: str, on_done: Callable[[], Any] | None = None,
                    on_error: Callable[[BaseException], Any] | None = None) -> bool:
        """``initials`` handle the captures from now on (checked by the service: active staff)."""
        from consentbooth.ui import operations

        def done(_member: object) -> None:
            self.set_operator(initials)
            if on_done is not None:
                on_done()

        return self.run(operations.on_duty(initials), done, on_error)

    def set_language(self, language: str, *, remember: bool = False) -> None:
        if remember:
            self.staff_language = language
            try:
                self.config.set(UI_LANGUAGE, language)
            except OSError:
                pass
        if language != i18n.current_language():
            i18n.set_language(language)
            self.language_changed.emit(language)
