"""Entry point: no sub-command starts the GUI, otherwise the CLI."""

from __future__ import annotations

import sys


def version() -> str:
    """The version in pyproject.toml, as installed (the frozen build carries the metadata too)."""
    from importlib import metadata

    try:
        return metadata.version("consentbooth")
    except metadata.PackageNotFoundError:
        from consentbooth import __version__

        return __version__


def self_check() -> int:
    """Import every module the app uses and find every resource it reads; exit 1 naming what is
    missing. For a frozen build (``consentbooth --self-check``): a module PyInstaller left out
    fails here, loudly, not in front of an attendee at the first capture."""
    import importlib
    import json
    import pkgutil

    from consentbooth.core.errors import UserFacingError
    from consentbooth.core.paths import build_info, resource_path
    from consentbooth.services.scans import require_card_reader

    info = build_info()
    missing: list[str] = []
    try:
        require_card_reader()
        card_reader = True
    except UserFacingError:
        card_reader = False  # an installed app without the business-card reader add-on
    from consentbooth.ui.scanning import camera_installed

    camera = camera_installed()  # an installed app without the badge camera add-on: False
    if info is not None:
        names = list(info.get("imports", [])) + (list(info.get("addon_imports", [])) if card_reader else [])
        names += list(info.get("camera_imports", [])) if camera else []
    else:  # a source checkout: every module of the package
        import consentbooth

        names = [m.name for m in pkgutil.walk_packages(
            consentbooth.__path__, "consentbooth.", onerror=lambda name: missing.append(f"{name}: cannot import"))]
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # report every failure, whatever it is
            missing.append(f"{name}: {type(exc).__name__}: {exc}")
    resources = [("fonts", "wqy-microhei.ttc"), ("notices", "template.json"),
                 ("translations", "zh_CN", "LC_MESSAGES", "consentbooth.mo"), ("icons", "consentbooth.svg")]
    missing += [f"resource {'/'.join(r)}" for r in resources if not resource_path(*r).is_file()]
    from consentbooth.ui import platform_plugins

    plugins = platform_plugins()
    if not any(plugins.glob("*qoffscreen*")):
        missing.append(f"Qt platform plugins in {plugins}")
    if camera:
        from consentbooth.ui.scanning.camera import media_backend_loaded

        if not media_backend_loaded():
            missing.append("Qt Multimedia's backend (plugins/multimedia)")
    report = {"version": version(), "modules": len(names), "card_reader": card_reader, "camera": camera,
              "missing": missing,
              "commit": (info or {}).get("commit")}
    sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    return 1 if missing else 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] in (["--version"], ["-V"]):
        sys.stdout.write(f"consentbooth {version()}\n")
        return 0
    if args[:1] == ["--self-check"]:
        return self_check()
    if not args or args[0] in {"--gui"} or (args[0] == "--vault" and len(args) == 2):
        from consentbooth.ui import prepare_gui_process

        prepare_gui_process()
        from consentbooth.ui.app import run_gui

        vault = args[1] if args and args[0] == "--vault" else None
        return run_gui(vault=vault)
    from consentbooth.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
