"""The one exception family tfsigns raises for bad input.

The CLI turns any `TfsignsError` into a single `error: <message>` line on
stderr and a non-zero exit code; library callers can catch it by type.
Messages name the argument or file and what was wrong with it.
"""


class TfsignsError(Exception):
    """Base class: bad input or environment that the user can fix."""


class DataError(TfsignsError):
    """A data file is missing, unreadable, or not in the SIGNS schema."""


class FetchError(TfsignsError):
    """No mirror delivered a file that verified against its fingerprint."""


class ParametersError(TfsignsError):
    """A saved parameters file is missing, corrupt or of the wrong shapes."""


class ImageError(TfsignsError):
    """An image file cannot be read or decoded."""
