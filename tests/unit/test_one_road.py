"""One road per write: the first run (wizard, ``init --demo``) and the later setup edits refuse the
same input with the same sentence, and the Booth facade only hands calls over."""

from __future__ import annotations

import inspect
from dataclasses import replace
from importlib import import_module
from pathlib import Path

import pytest

from consentbooth.core.errors import ValidationError
from consentbooth.services.booth import Booth
from consentbooth.services.setup import (
    DEMO_ORGANISATION,
    demo_assessment,
    demo_event,
    demo_purposes,
    fill_notice,
)

PASS = "Correct-Horse-42!"


def _first_run(booth: Booth, **overrides):
    """What the wizard's "Publish and start" sends, with ``overrides``."""
    event, purposes = demo_event(), demo_purposes()
    values = {
        "organisation": DEMO_ORGANISATION,
        "event": event,
        "purposes": purposes,
        "notice_sections": fill_notice(organisation=DEMO_ORGANISATION, event=event, purposes=purposes),
        "staff": (("Wang Fang 王芳", "WF"),),
        "staff_pin": "2468",
        "assessments": (demo_assessment(),),  # the demo offers sharing: PIPL Art. 55
    }
    values.update(overrides)
    return booth.configure(**values)


def _refusal(call) -> tuple[str, str]:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.field, info.value.localized("en")


@pytest.fixture
def fresh(tmp_path: Path):
    booth = Booth.create(tmp_path / "new.cbvault", PASS)
    yield booth
    booth.lock()


def test_first_run_refuses_duplicate_initials_as_the_setup_dialog_does(fresh: Booth, booth: Booth) -> None:
    wizard = _refusal(lambda: _first_run(fresh, staff=(("Wang Fang 王芳", "WF"), ("Wei Feng", "wf"))))
    dialog = _refusal(lambda: booth.add_staff(name="Wei Feng", initials="wf"))  # the demo has WF
    assert wizard == dialog
    assert wizard[0] == "initials" and "“wf” already belong to Wang Fang" in wizard[1]
    assert not fresh.is_configured() and fresh.staff() == []  # nothing of the setup was stored


def test_first_run_refuses_an_invalid_contact_email_as_the_setup_dialog_does(fresh: Booth, booth: Booth) -> None:
    bad = replace(DEMO_ORGANISATION, contact_email="not-an-email")
    wizard = _refusal(lambda: _first_run(fresh, organisation=bad))
    dialog = _refusal(lambda: booth.update_organisation(bad))
    assert wizard == dialog
    assert wizard[0] == "org_email"
    assert fresh.organisation() is None and fresh.notice() is None
    assert booth.organisation() == DEMO_ORGANISATION


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"staff_pin": "12"}, "pin"),
        ({"event": replace(demo_event(), retention_days=0)}, "retention_days"),
        ({"notice_sections": {"zh-CN": {}, "en": {}}}, "notice"),
    ],
)
def test_first_run_applies_every_rule_before_writing(fresh: Booth, overrides: dict, field: str) -> None:
    assert _refusal(lambda: _first_run(fresh, **overrides))[0] == field
    assert not fresh.is_configured() and fresh.staff() == [] and not fresh.check_staff_pin("2468")


def test_first_run_then_a_later_edit_go_through_the_same_checks(fresh: Booth) -> None:
    notice = _first_run(fresh)
    assert notice is not None and fresh.is_configured()
    assert fresh.check_staff_pin("2468")
    assert [(s.name, s.initials) for s in fresh.staff()] == [("Wang Fang 王芳", "WF")]
    with pytest.raises(ValidationError):
        fresh.add_staff(name="Wendy Fu", initials="WF")


def test_every_hand_off_of_the_facade_reaches_a_use_case() -> None:
    """A renamed use case fails here, not silently in the GUI."""
    for name, member in vars(Booth).items():
        deferred = getattr(member, "deferred", None)
        if deferred is not None:
            module, function = deferred
            target = getattr(import_module(f"consentbooth.services.{module}"), function)
            first = next(iter(inspect.signature(target).parameters))
            assert first == "ctx", f"{module}.{function} must take the context first"
            assert name == function
