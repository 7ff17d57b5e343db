"""Export presets: TOML mapping files (:mod:`.mapping`) shipped in ``resources/presets``, or a
copy ops edited, turned into the layout an export writes (:mod:`.layout`).

Shipped lead presets: ``generic`` (our field names), ``salesforce`` (the Data Import Wizard's
lead labels), ``salesforce-dataloader`` (Data Loader / API field names) and ``hubspot`` (contact
import properties, with the legal basis, marketing contact status, subscription and lifecycle
stage filled from the consent evidence). Shipped suppression presets (opt-out files in a CRM's
own shape): ``salesforce-optout``, ``salesforce-dataloader-optout``, ``hubspot-optout``.

:func:`get_preset` takes a shipped name, the path of a preset file, or a layout already bound.
Cells are produced raw (not neutralised); the CSV writer neutralises them (:mod:`.sanitize`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from consentbooth.core.errors import UserFacingError
from consentbooth.core.paths import resource_path
from consentbooth.exports.layout import Layout, Reject, bind, split_name
from consentbooth.exports.mapping import PresetFileError, PresetSpec, parse_preset
from consentbooth.exports.rows import ExportRow, SuppressionRow

__all__ = [
    "PRESETS",
    "SUPPRESSION_PRESETS",
    "ExportRow",
    "Layout",
    "Preset",
    "PresetFileError",
    "Reject",
    "SuppressionRow",
    "get_preset",
    "load_preset",
    "shipped_presets",
    "split_name",
]

Preset = Layout  # what the writers take (the name the writers' API always used)
PRESET_SUFFIX = ".toml"
MAX_PRESET_BYTES = 256 * 1024

# Lead presets in the order the CLI and the console offer them; then the opt-out shapes.
PRESETS = ("generic", "salesforce", "salesforce-dataloader", "hubspot")
SUPPRESSION_PRESETS = ("salesforce-optout", "salesforce-dataloader-optout", "hubspot-optout")


class UnknownPreset(UserFacingError):
    def __init__(self, name: str, choices: str) -> None:
        super().__init__(
            "There is no export preset “{name}”; choose one of: {choices}, or give the path of a "
            "preset file (.toml).", name=name, choices=choices)


@cache
def _shipped(name: str) -> PresetSpec:
    path = resource_path("presets", name + PRESET_SUFFIX)
    return parse_preset(path.read_text(encoding="utf-8"), file=name + PRESET_SUFFIX)


def shipped_presets() -> list[PresetSpec]:
    """Every preset that comes with the app (leads first, then the opt-out shapes)."""
    return [_shipped(name) for name in (*PRESETS, *SUPPRESSION_PRESETS)]


def _read_file(path: Path) -> PresetSpec:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_PRESET_BYTES + 1)
    except OSError as exc:
        raise UserFacingError("Cannot read the preset file {path}: {reason}", path=str(path),
                              reason=exc.strerror or type(exc).__name__) from None
    if len(data) > MAX_PRESET_BYTES:
        raise UserFacingError("The preset file {path} is larger than 256 KB; a preset is a short "
                              "text file.", path=str(path))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserFacingError("The preset file {path} is not UTF-8 text; save it as UTF-8.",
                              path=str(path)) from None
    return parse_preset(text, file=path.name)


def load_preset(preset: str | Path, *, kind: str | None = None) -> PresetSpec:
    """The checked preset ``preset`` names: a shipped name, or the path of a ``.toml`` file.

    ``kind`` ("leads" or "suppression"), when given, must be the preset's kind.
    """
    if isinstance(preset, Path) or str(preset).endswith(PRESET_SUFFIX) or "/" in str(preset) or "\\" in str(preset):
        spec = _read_file(Path(preset).expanduser())
    elif preset in (*PRESETS, *SUPPRESSION_PRESETS):
        spec = _shipped(str(preset))
    else:
        names = PRESETS if kind != "suppression" else SUPPRESSION_PRESETS
        raise UnknownPreset(str(preset), ", ".join(names))
    if kind is not None and spec.kind != kind:
        if kind == "leads":
            raise UserFacingError("{name} describes a suppression file, not a leads export; use it "
                                  "for a suppression list.", name=spec.file)
        raise UserFacingError("{name} describes a leads export, not a suppression file.", name=spec.file)
    return spec


def get_preset(preset: str | Path | PresetSpec | Layout, *, extra_fields: Sequence[str] = (),
               purposes: Sequence[str] | None = None, kind: str | None = "leads") -> Layout:
    """The layout of ``preset`` for one export (``preset`` itself when it already is one).

    ``extra_fields`` are further attendee field keys (an event's qualifying questions), placed
    where the preset's ``questions`` column stands; keys of the standard fields are ignored there
    (they have their own columns). ``purposes``: the purpose codes ``consent.<code>`` may name.
    """
    if isinstance(preset, Layout):
        return preset
    spec = preset if isinstance(preset, PresetSpec) else load_preset(preset, kind=kind)
    return bind(spec, extra_fields=extra_fields, purposes=purposes)
