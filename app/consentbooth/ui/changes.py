"""The kinds of data a write may change: what ``Session.changed(kind)`` carries.

Declared by each named operation (:mod:`consentbooth.ui.operations`); a screen refreshes when a kind
it shows has changed. A module of its own so the session, loaded at start-up, needs nothing more.
"""

LEADS = "leads"  # people: their details, consents, withdrawals, erasures
SETUP = "setup"  # organisation, events, purposes, notice, staff (the session's snapshot)
SHARING = "sharing"  # the sharing log: files that left the vault
CERTIFICATES = "certificates"  # certificates issued and stored
ATTENDEE_LISTS = "attendee_lists"  # organiser attendee lists imported or deleted (issue #13)
KINDS = (LEADS, SETUP, SHARING, CERTIFICATES, ATTENDEE_LISTS)
