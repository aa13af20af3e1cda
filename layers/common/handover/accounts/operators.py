"""Platform operators: the people who manage client businesses."""

from __future__ import annotations

import time
from collections.abc import Callable

from handover.data.directory import Directory
from handover.data.dynamo import Dynamo
from handover.data.principals import OperatorRecord
from handover.ids import new_id
from handover.mail.addresses import normalise_email


def add_operator(dynamo: Dynamo, directory: Directory, *, email: str, name: str, secure: bool,
                 password_hash: str, clock: Callable[[], float] = time.time) -> OperatorRecord:
    """An operator who can sign in at once (the password was chosen by whoever runs this)."""
    operator = OperatorRecord(id=new_id(clock()), email=normalise_email(email), name=name, secure=secure,
                              password_hash=password_hash, email_verified=True)
    dynamo.transact(directory.principals.add(operator))
    return operator
