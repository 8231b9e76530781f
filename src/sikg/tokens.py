"""Who holds a token, and in what role."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Holder:
    """A token's holder: `name` (as the provenance records it) and `role`, "contributor" or "curator"."""
    name: str
    role: str

    @property
    def is_curator(self) -> bool:
        return self.role == "curator"
