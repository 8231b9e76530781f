"""The store's errors, whichever backend raised them: every caller catches them from here."""


class StoreUnavailable(Exception):
    """The external store did not answer (down, unreachable, too slow, or failing)."""


class BaseMismatch(ValueError):
    """The store holds sikg content published under another base than this process's SIKG_BASE."""
