"""Platform operators: the people who manage client businesses; adding one (the seed, the admin
command) and listing them all for other operators (GET /v1/operator/operators), from the roster
written with each (handover.data.operators)."""

from __future__ import annotations

import time
from collections.abc import Callable

from handover.data.directory import Directory
from handover.data.dynamo import Dynamo
from handover.data.operators import ROSTER, RosterEntry
from handover.data.principals import OperatorRecord
from handover.errors import CursorInvalid
from handover.identity.callers import Caller, require_operator
from handover.ids import new_id
from handover.mail.addresses import normalise_email
from handover.paging import decode_cursor, encode_cursor


def add_operator(dynamo: Dynamo, directory: Directory, *, email: str, name: str, secure: bool,
                 password_hash: str, clock: Callable[[], float] = time.time) -> OperatorRecord:
    """An operator who can sign in at once (the password was chosen by whoever runs this)."""
    operator = OperatorRecord(id=new_id(clock()), email=normalise_email(email), name=name, secure=secure,
                              password_hash=password_hash, email_verified=True)
    dynamo.transact([*directory.principals.add(operator), directory.operators.add(operator)])
    return operator


class Operators:
    def __init__(self, *, directory: Directory) -> None:
        self._directory = directory

    def page(self, caller: Caller, limit: int, cursor: str | None) -> tuple[list[RosterEntry], str | None]:
        """Every operator (secure or not: any operator may be assigned), in the order they were added."""
        require_operator(caller)
        after = decode_cursor(cursor)
        if after is not None and after.get("pk") != ROSTER:
            raise CursorInvalid()
        entries, last = self._directory.operators.page(limit, after)
        return entries, encode_cursor(last)
