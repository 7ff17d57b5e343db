"""Labels every screen shares: a lead field's label, a purpose's title, a recipient's facts.

The words themselves come from :mod:`consentbooth.domain.vocabulary` (the same the CLI and the
certificate use); these helpers only pick the current language and the setup's own titles.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from consentbooth.core.i18n import _, current_language
from consentbooth.domain.models import Question, Recipient, localized
from consentbooth.domain.vocabulary import field_label as _field_label

if TYPE_CHECKING:
    from consentbooth.ui.session import Snapshot


def field_label(key: str, questions: Sequence[Question] = ()) -> str:
    """A lead field's label in the current language (a qualifying question's own label)."""
    return _field_label(key, questions)


def purpose_title(snapshot: Snapshot | None, code: str) -> str:
    """A purpose's title in the current language; its code if the setup no longer knows it."""
    purpose = snapshot.purpose(code) if snapshot is not None else None
    return localized(purpose.title, current_language()) if purpose is not None else code


def recipient_html(recipient: Recipient) -> str:
    """Who would receive a person's information under a separate consent (PIPL Art. 23/39)."""
    return (
        "<b>{name}</b><br>{contact_l}: {contact}<br>{purpose_l}: {purpose}<br>"
        "{method_l}: {method}<br>{cats_l}: {cats}<br>{country_l}: {country}".format(
            name=html.escape(recipient.name),
            contact_l=html.escape(_("Contact")), contact=html.escape(recipient.contact),
            purpose_l=html.escape(_("Their purpose")), purpose=html.escape(recipient.purpose),
            method_l=html.escape(_("Method")), method=html.escape(recipient.method),
            cats_l=html.escape(_("Information given")),
            cats=html.escape(", ".join(field_label(c) for c in recipient.categories)),
            country_l=html.escape(_("Country or region")), country=html.escape(recipient.country),
        )
    )
