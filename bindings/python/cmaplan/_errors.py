# SPDX-License-Identifier: LGPL-2.1-or-later
"""Errors: every failure of the library is an :class:`Error`, a subclass of :class:`OSError`.

``errno`` is the library's errno (the C function returned ``-errno``), ``strerror`` its message
(``cmaplan_get_error()``: the file and line for malformed content), ``filename`` the path the
call was about when there is one. Each errno of the library's vocabulary has its own subclass,
which also derives from the matching built-in exception where there is one, so both
``except cmaplan.NotFoundError`` and ``except FileNotFoundError`` work.
"""

from __future__ import annotations

import errno as _errno
import os
from typing import Dict, Optional, Type

__all__ = [
    "Error",
    "InvalidError",
    "NotFoundError",
    "ExistsError",
    "AccessError",
    "NoSuchNodeError",
    "OutOfRangeError",
    "StaleError",
    "InfeasibleError",
    "BusyError",
    "NotSupportedError",
    "error_from_errno",
]


class Error(OSError):
    """A failure reported by libcmaplan (base class of all the errors below)."""

    def __str__(self) -> str:
        # the library's messages usually name the path already: say it once
        if self.errno is not None and self.filename is not None and str(self.filename) in (self.strerror or ""):
            return f"[Errno {self.errno}] {self.strerror}"
        return super().__str__()


class InvalidError(Error, ValueError):
    """EINVAL: a bad argument, or malformed file content (the message names the file and line)."""


class NotFoundError(Error, FileNotFoundError):
    """ENOENT: a missing root directory, file, attribute or page size."""


class ExistsError(Error, FileExistsError):
    """EEXIST: e.g. capturing into a directory that already holds a capture."""


class AccessError(Error, PermissionError):
    """EACCES or EPERM: the host refused a read or a write."""


class NoSuchNodeError(Error, LookupError):
    """ENODEV: no NUMA node with this id in the snapshot."""


class OutOfRangeError(Error, IndexError):
    """ERANGE: an index out of range."""


class StaleError(Error):
    """ESTALE: the host changed since the snapshot was taken."""


class InfeasibleError(Error):
    """ENOSPC: the request cannot be met on this host (plans)."""


class BusyError(Error):
    """EBUSY: another transition holds the lock."""


class NotSupportedError(Error):
    """EOPNOTSUPP: the feature is absent on this kernel."""


_BY_ERRNO: Dict[int, Type[Error]] = {
    _errno.EINVAL: InvalidError,
    _errno.ENOENT: NotFoundError,
    _errno.EEXIST: ExistsError,
    _errno.EACCES: AccessError,
    _errno.EPERM: AccessError,
    _errno.ENODEV: NoSuchNodeError,
    _errno.ERANGE: OutOfRangeError,
    _errno.ESTALE: StaleError,
    _errno.ENOSPC: InfeasibleError,
    _errno.EBUSY: BusyError,
    _errno.EOPNOTSUPP: NotSupportedError,
}


def error_from_errno(err: int, message: Optional[str] = None, filename: Optional[str] = None) -> Error:
    """The :class:`Error` subclass instance for a (positive) errno.

    ``message`` defaults to ``os.strerror(err)``. A negative value (a C return code) is accepted.
    """
    err = abs(err)
    cls = _BY_ERRNO.get(err, Error)
    msg = message if message else os.strerror(err)
    if filename is None:
        return cls(err, msg)
    return cls(err, msg, filename)


def _from_oserror(exc: OSError, filename: Optional[str] = None) -> Error:
    """Translate an OSError raised by the raw module (errno + the library's message)."""
    if isinstance(exc, Error):
        return exc
    return error_from_errno(exc.errno or _errno.EIO, exc.strerror, filename)
