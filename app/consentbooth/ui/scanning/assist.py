"""Scan to consent on a capture screen: one object the attendee flow owns.

:class:`ScanAssist` listens for wedge scans anywhere in the flow, reads a code through the session
(``operations.read_badge``: parsing and the attendee-list lookup run on the vault's worker),
opens the camera view or the card photo and review on request (their modules load then), and
holds the resulting :class:`~consentbooth.services.scans.ScanDraft` in memory. The flow decides
when the draft is shown: on the details step, after the notice (``fill``). What the capture then
records comes from :meth:`capture_extras` (where the details came from, which list, which fields
were drafted and left as they were). :meth:`wipe` forgets everything (decline, the attendee
timeout, the next attendee, pause, lock) and releases the camera; a result that arrives after a
wipe is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from consentbooth.core.i18n import _
from consentbooth.ui import operations
from consentbooth.ui.scanning.wedge import WedgeFilter
from consentbooth.ui.widgets.screen import fit_when_shown

if TYPE_CHECKING:
    from consentbooth.ui.session import Session


class ScanAssist(QObject):
    """``draft_ready()``: a draft is held; ``refused(exc)``: a code or photo could not be used
    (its one sentence, to show beside the form); ``busy(bool)``: a card is being read."""

    draft_ready = Signal()
    refused = Signal(object)
    busy = Signal(bool)

    def __init__(self, session: Session, root: QWidget) -> None:
        super().__init__(root)
        self.session = session
        self.root = root
        self.wedge = WedgeFilter(root)
        self.wedge.scanned.connect(self.read_badge)
        self.draft: Any = None  # a ScanDraft, in memory only
        self._filled: dict[str, str] = {}
        self._pending = False  # a draft not yet put into the form
        self._generation = 0
        self._camera_dialog: QDialog | None = None
        self._camera: Any = None
        self._review_dialog: QDialog | None = None
        self._review: Any = None
        self._photo: bytes | None = None

    # -- badges --------------------------------------------------------------------------------------

    def read_badge(self, payload: str | bytes) -> None:
        """Read a badge's code (a wedge scan or a camera frame's bytes)."""
        generation = self._generation
        self.session.run(operations.read_badge(payload),
                         lambda draft: self._got(draft, generation),
                         lambda exc: self._refused(exc, generation))

    def _got(self, draft: Any, generation: int) -> None:
        if generation != self._generation:
            return  # wiped meanwhile: the next attendee must not get it
        self.draft = draft
        self._filled = {}
        self._pending = True
        self.draft_ready.emit()

    def _refused(self, exc: BaseException, generation: int) -> None:
        if generation == self._generation:
            self.refused.emit(exc)

    # -- the form --------------------------------------------------------------------------------------

    def fill(self, edits: Mapping[str, Any]) -> list[str]:
        """Put a new draft into ``edits`` (field key -> QLineEdit), once: coming back to the form
        later never overwrites what was corrected. Returns the keys filled. Text set this way has
        no undo history to recover."""
        if self.draft is None or not self._pending:
            return []
        self._pending = False
        filled = []
        for key, value in self.draft.fields.items():
            edit = edits.get(key)
            if edit is not None:
                edit.setText(value)
                self._filled[key] = value
                filled.append(key)
        return filled

    def capture_extras(self, values: Mapping[str, str]) -> dict[str, Any]:
        """``source``, ``attendee_list`` and ``drafted`` for the ``CaptureRequest``: drafted are
        the fields still holding the scanned value (kept only if a ticked purpose needs them)."""
        if self.draft is None:
            return {}
        drafted = frozenset(k for k, v in self._filled.items() if (values.get(k) or "").strip() == v.strip())
        return {"source": self.draft.source, "attendee_list": self.draft.attendee_list, "drafted": drafted}

    # -- the camera and business cards ---------------------------------------------------------------

    def open_camera(self, parent: QWidget | None = None, *, mode: str = "badge") -> Any:
        """The camera view in a dialog (``mode`` "badge" or "card"); Qt Multimedia loads now.
        A card without the reader add-on, or a badge without the camera add-on: its one sentence
        instead. A card without the camera add-on: a photo from a file, read at once."""
        from consentbooth.core.errors import UserFacingError
        from consentbooth.services.scans import require_card_reader
        from consentbooth.ui.scanning import CameraMissing, camera_installed

        self.close_camera()
        try:
            if mode == "card":
                require_card_reader()
            if not camera_installed():
                if mode != "card":
                    raise CameraMissing()
                from consentbooth.ui.scanning.photofile import choose_photo_file

                photo = choose_photo_file(parent or self.root.window())
                if photo is not None:
                    self.read_card(photo)
                return None
        except UserFacingError as exc:
            self._refused(exc, self._generation)
            return None
        from consentbooth.ui.scanning.camera import CameraScanView

        dialog = QDialog(parent or self.root.window())
        dialog.setObjectName("cameraDialog")
        dialog.setWindowTitle(_("Scan a badge") if mode == "badge" else _("Photograph a business card"))
        view = CameraScanView(dialog, mode=mode)
        layout = QVBoxLayout(dialog)
        layout.addWidget(view)
        view.scanned.connect(self._camera_code)
        view.photo_taken.connect(self.read_card)
        view.closed.connect(self.close_camera)
        dialog.rejected.connect(self.close_camera)
        dialog.resize(900, 620)
        fit_when_shown(dialog)
        self._camera_dialog, self._camera = dialog, view
        dialog.open()
        return view

    def _camera_code(self, code: Any) -> None:
        self.close_camera()
        self.read_badge(code.raw or code.text)

    def close_camera(self) -> None:
        """Close the camera view and release the camera (its light goes off)."""
        view, dialog = self._camera, self._camera_dialog
        self._camera = self._camera_dialog = None
        if view is not None:
            view.release()
            view.scanner.stop()
        if dialog is not None:
            dialog.hide()
            dialog.deleteLater()

    def release_camera(self) -> None:
        """Pause and lock: the camera goes off at once (the view closes with the rest)."""
        self.close_camera()

    @property
    def camera_view(self) -> Any:
        return self._camera

    def read_card(self, photo: bytes) -> None:
        """Read a card photo (bytes in memory) on the second worker, then open the review."""
        self.close_camera()
        generation = self._generation
        self._photo = photo
        self.busy.emit(True)

        def done(draft: Any) -> None:
            self.busy.emit(False)
            if generation == self._generation:
                self._open_review(photo, draft)

        def failed(exc: BaseException) -> None:
            self.busy.emit(False)
            self._photo = None
            self._refused(exc, generation)

        if not self.session.run(operations.read_business_card(photo), done, failed):
            self.busy.emit(False)  # paused or locked: nothing was read
            self._photo = None

    def _open_review(self, photo: bytes, draft: Any) -> None:
        from consentbooth.ui.scanning.review import CardReview

        self.close_review()
        dialog = QDialog(self.root.window())
        dialog.setObjectName("cardReviewDialog")
        dialog.setWindowTitle(_("Check the business card"))
        review = CardReview(dialog)
        QVBoxLayout(dialog).addWidget(review)
        review.show_card(photo, draft.fields, draft.alternatives)
        self._photo = None  # the review's pixmap is the only copy now, wiped with it
        review.confirmed.connect(lambda fields: self._card_confirmed(fields, draft))
        review.cancelled.connect(self.close_review)
        dialog.rejected.connect(self.close_review)
        fit_when_shown(dialog)
        self._review_dialog, self._review = dialog, review
        dialog.open()

    def _card_confirmed(self, fields: dict, draft: Any) -> None:
        from dataclasses import replace

        self.close_review()
        self.draft = replace(draft, fields=fields, alternatives={})
        self._filled = {}
        self._pending = True
        self.draft_ready.emit()

    def close_review(self) -> None:
        review, dialog = self._review, self._review_dialog
        self._review = self._review_dialog = None
        if review is not None:
            review.wipe()
        if dialog is not None:
            dialog.hide()
            dialog.deleteLater()

    @property
    def review(self) -> Any:
        return self._review

    # -- forgetting --------------------------------------------------------------------------------------

    def wipe(self) -> None:
        """Forget the draft, the photo and any code half-typed by a scanner; close the camera and
        the review. Results still on their way are dropped when they arrive."""
        self._generation += 1
        self.draft = None
        self._filled = {}
        self._pending = False
        self._photo = None
        self.wedge.reset()
        self.close_camera()
        self.close_review()
