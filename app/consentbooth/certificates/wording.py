"""The words of a certificate, in the attendee's language with English beside or below it.

A certificate is read by the person who consented (in the language they read the notice in) and
by anyone who checks it (in English): every label is an English msgid of the one catalogue
(:mod:`consentbooth.core.i18n`), said in the *primary* language, with the English source next to
it. The primary language is the notice's, except for an English notice: the handler is in China,
so that certificate reads Chinese and English, as every certificate did before other languages.

    w = Wording("ja")
    w.pair(L["Your details"])      # ("お客様の情報", "Your details")
    w.both(L["Certificate No."])    # "証明書番号 Certificate No."
    w.pair(FIELDS["phone"])         # a vocabulary word (no context): ("携帯電話番号", "Mobile phone")
"""

from __future__ import annotations

from consentbooth.core.i18n import ATTENDEE_LANGUAGES, pmessage, translate

ENGLISH = "en"
# Scripts written without spaces between words (and sentences): Chinese and Japanese.
_UNSPACED = frozenset({"zh-CN", "zh-Hant", "ja"})

# Every label of the certificate page: an English msgid in the "certificate" context (a word on a
# certificate may read differently from the same English word on a screen: "Method" here is how
# the details were collected), said in the record's primary language with English beside it.
_LABELS = (
    pmessage("certificate", "Consent certificate"),
    pmessage("certificate", "Withdrawal certificate"),
    pmessage("certificate", "Scan to verify"),
    pmessage("certificate", "Certificate No."),
    pmessage("certificate", "Issued"),
    pmessage("certificate", "Organisation root fingerprint"),
    pmessage("certificate", "The table shows every purpose as it stands after the withdrawal."),
    pmessage("certificate", "Guardian"),
    pmessage("certificate", "Details"),
    pmessage("certificate", "erased"),
    pmessage("certificate", "Event"),
    pmessage("certificate", "Dates"),
    pmessage("certificate", "Place"),
    pmessage("certificate", "Method"),
    pmessage("certificate", "Operator / device"),
    pmessage("certificate", "Notice"),
    pmessage("certificate", "About this consent"),
    pmessage("certificate", "About this withdrawal"),
    pmessage("certificate", "Requested"),
    pmessage("certificate", "Channel"),
    pmessage("certificate", "Withdrawn"),
    # Translators: what separates items in a list on the certificate ("；" in Chinese)
    pmessage("certificate", "; "),
    pmessage("certificate", "Note"),
    pmessage("certificate", "Your details"),
    pmessage("certificate", "Purpose"),
    pmessage("certificate", "Your choice"),
    pmessage("certificate", "Separate consent"),
    pmessage("certificate", "DPV category"),
    pmessage("certificate", "Kept until"),
    pmessage("certificate", "Yes"),
    pmessage("certificate", "No"),
    pmessage("certificate", "{n} days"),
    pmessage("certificate", "Recipients named in separate consents"),
    pmessage("certificate", "Impact assessment"),
    pmessage("certificate", "Categories"),
    pmessage("certificate", "How to withdraw"),
    pmessage("certificate", "Contact"),
    pmessage("certificate", "Handwritten signature"),
    pmessage("certificate", "No handwritten signature"),
    pmessage("certificate", "Certificate ID"),
    pmessage("certificate", "Jurisdiction"),
    pmessage("certificate", "Record digest"),
    pmessage("certificate", "Consent event"),
    pmessage("certificate", "Ledger hash"),
    pmessage("certificate", "Ledger chain head"),
    pmessage("certificate", "Purposes and your choices"),
)
L = {str(label): label for label in _LABELS}
TITLES = {
    "consent": L["Consent certificate"],
    "withdrawal": L["Withdrawal certificate"],
}
# How a recipient receives the data (a separate consent's recipient), not how it was collected.
RECIPIENT_METHOD = pmessage("certificate recipient", "Method")
CONSENT_LINE = pmessage(
    "certificate",
    "This certificate records the choice you made for each purpose below on {when}, under China's PIPL.",
)
WITHDRAWAL_LINE = pmessage(
    "certificate",
    "This certificate records that on {when} you withdrew your consent to the purposes marked as withdrawn "
    "below; we no longer process your information for them.",
)
SIGNED_LINE = pmessage(
    "certificate", "Digitally signed (PAdES) by the organisation above; machine-readable record attached."
)
ROOT_CHECK = pmessage(
    "certificate",
    "To check the root fingerprint at the top: it must match, group by group, the one the "
    "organisation publishes; a PDF reader that trusts that root, or consentbooth verify --trust, "
    "confirms the signature is the organisation's."
)


def primary_language(language: str) -> str:
    """The language a certificate is written in first: the notice's, or Chinese for English."""
    return language if language in ATTENDEE_LANGUAGES and language != ENGLISH else "zh-CN"


class Wording:
    """The catalogue in a certificate's primary language, with the English source kept."""

    def __init__(self, language: str) -> None:
        self.language = language  # the notice's language (the record's)
        self.primary = primary_language(language)

    def text(self, label: str, **params: object) -> str:
        """``label`` (a label of ``L``, or a vocabulary word) in the primary language."""
        localized = getattr(label, "localized", None)  # a Message: its context goes with it
        text = localized(self.primary) if callable(localized) else translate(label, self.primary)
        return text.format(**params) if params else text

    def english(self, label: str, **params: object) -> str:
        text = str(getattr(label, "template", label))
        return text.format(**params) if params else text

    def pair(self, label: str, **params: object) -> tuple[str, str]:
        """(primary, English): English empty when the catalogue has no other wording."""
        first, second = self.text(label, **params), self.english(label, **params)
        return first, ("" if first == second else second)

    def both(self, label: str, sep: str = " ", **params: object) -> str:
        """'证明编号 Certificate No.' (one text when there is no translation)."""
        first, second = self.pair(label, **params)
        return f"{first}{sep}{second}" if second else first

    @property
    def sentence_gap(self) -> str:
        """What comes between two sentences in the primary language's script."""
        return "" if self.primary in _UNSPACED else " "

    def sentences(self, *labels: str, **params: object) -> str:
        """Sentences in the primary language, joined as its script joins them."""
        return self.sentence_gap.join(self.text(m, **params) for m in labels)

    def english_sentences(self, *labels: str, **params: object) -> str:
        return " ".join(self.english(m, **params) for m in labels)
