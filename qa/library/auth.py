"""Who may change the library: an admin token, required unless the server only listens on loopback.

Reading (listing, the reader, questions) is open.  Upload and delete need the
token when one is configured (`--admin-token` / QA_ADMIN_TOKEN); without one
they are allowed only when the server listens on 127.0.0.1/localhost/::1, and
refused on any other address (the message says how to configure a token).
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True, slots=True)
class AdminPolicy:
    token: str = ""
    host: str = "127.0.0.1"

    @property
    def open(self) -> bool:
        """True when changes need no credential (no token, loopback only)."""
        return not self.token and self.host in LOOPBACK

    @property
    def needs_token(self) -> bool:
        return bool(self.token)

    def check(self, given: str | None) -> str:
        """"" when a change is allowed with credential `given`; otherwise why not."""
        if self.open:
            return ""
        if not self.token:
            return ("changing the library is disabled: the server listens on a non-loopback address and no "
                    "admin token is set (start it with --admin-token or QA_ADMIN_TOKEN)")
        if not given or not hmac.compare_digest(str(given).encode("utf-8", "replace"), self.token.encode()):
            return "a valid admin token is required to change the library (header Authorization: Bearer …)"
        return ""
