"""One error hierarchy. A ``UserFacingError`` carries a sentence a booth worker understands."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from consentbooth.core.i18n import Message


class AppError(Exception):
    """Base of every error the application raises on purpose."""


class UserFacingError(AppError):
    """An error whose message is shown to the user as is (translated through i18n).

    ``message`` is the English source sentence; ``params`` fill its ``{placeholders}``.
    """

    def __init__(self, message: str, /, **params: object) -> None:
        # Positional-only: a template may use any placeholder name ({field}, {reason}, {message}).
        self.message = message
        self.params = params
        super().__init__(message.format(**params) if params else message)

    def localized(self, language: str | None = None) -> str:
        from consentbooth.core.i18n import localize

        # Field labels and other known words among the parameters are translated too.
        return localize(self.message, self.params, language)

    def as_message(self) -> Message:
        """The error's sentence as a :class:`~consentbooth.core.i18n.Message` (template + params)."""
        from consentbooth.core.i18n import Message

        return Message(self.message, **self.params)


class WrongPassphrase(UserFacingError):
    def __init__(self) -> None:
        super().__init__("The passphrase is not correct. Nothing was changed; please try again.")


class WeakPassphrase(UserFacingError):
    pass


class VaultDamaged(UserFacingError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "The vault file is damaged or tampered with ({detail}). It was not opened and "
            "nothing was repaired; restore it from a backup.",
            detail=detail or "integrity check failed",
        )


class VaultNotFound(UserFacingError):
    def __init__(self, path: object) -> None:
        super().__init__("No vault was found at {path}.", path=str(path))


class VaultExists(UserFacingError):
    def __init__(self, path: object) -> None:
        super().__init__(
            "A vault already exists at {path}; it was left untouched.", path=str(path)
        )


class VaultLocked(UserFacingError):
    def __init__(self) -> None:
        super().__init__("The vault is locked. Unlock it with the passphrase first.")


class UnsafeVault(UserFacingError):
    """The SQLCipher build or the file does not meet the fail-closed checks."""


class ValidationError(UserFacingError):
    """A value a person typed is not acceptable; ``field`` names the input."""

    def __init__(self, field: str, message: str, /, **params: object) -> None:
        self.field = field
        super().__init__(message, **params)


class NotFound(UserFacingError):
    pass


class StorageError(UserFacingError):
    """Disk full, no permission and the like; nothing was written."""


class VaultInUse(UserFacingError):
    """Maintenance (passphrase change, restore, upgrade) needs the vault to itself."""

    def __init__(self, path: object) -> None:
        super().__init__(
            "Close ConsentBooth on this laptop first: another window or command has {path} "
            "open, so it was not changed. Nothing was lost; try again once it is closed.",
            path=str(path),
        )


class VaultBusy(UserFacingError):
    """Another process is changing the vault file (passphrase, restore, upgrade) right now."""

    def __init__(self, path: object) -> None:
        super().__init__(
            "{path} is being changed right now (a new passphrase, a restore or an upgrade); "
            "try again in a moment.",
            path=str(path),
        )


def explain_os_error(exc: OSError, path: object) -> StorageError:
    """An OSError from writing ``path`` as a sentence (disk full, no permission, other)."""
    import errno

    if exc.errno == errno.ENOSPC:
        return StorageError("The disk is full; {path} was not written.", path=str(path))
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(
            "No permission to write {path}; nothing was written.", path=str(path)
        )
    return StorageError("Could not write {path}: {reason}", path=str(path), reason=exc.strerror)
