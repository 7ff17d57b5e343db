"""Translation tooling: extract the msgids, keep the .po files in line, compile, check.

    python -m tools.i18n extract      # write resources/translations/consentbooth.pot from the sources
    python -m tools.i18n update       # merge the template into every <locale>/LC_MESSAGES/consentbooth.po
    python -m tools.i18n compile      # .po -> .mo (committed next to the .po; the app reads the .mo)
    python -m tools.i18n check        # fail on a missing translation or a mismatched placeholder
    python -m tools.i18n all          # extract + update + compile (`make i18n`)

Developer tooling (needs the ``babel`` package of the test extra); the app itself reads the
``.mo`` files with the standard library's :mod:`gettext` only. See docs/translations.md.
"""
