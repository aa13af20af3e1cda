"""What an email carries, said in its SES message tags: the link (its token's SHA-256), the
business, the kind of link and whom it was issued to. SES returns the tags on every delivery,
bounce and complaint event of the email (`detail.mail.tags`), so an event leads straight to the
items it concerns: no table from message ids to links, no read when sending.

Tag names and values may hold only ASCII letters, digits, `_` and `-`; hex digests, ULIDs, kinds
and realms do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from handover.data.links import LinkKind, LinkRecord

_SAFE = re.compile(r"[A-Za-z0-9_-]{1,256}")
LINK, BUSINESS, KIND, REALM, SUBJECT = "link", "business", "kind", "realm", "subject"
Subject = Literal["customer", "staff"]


@dataclass(frozen=True)
class MailTags:
    token_hash: str
    account_id: str
    kind: LinkKind
    realm: Subject
    subject_id: str

    @classmethod
    def of(cls, link: LinkRecord) -> MailTags:
        return cls(token_hash=link.token_hash, account_id=link.account_id, kind=link.kind,
                   realm=link.subject_realm, subject_id=link.subject_id)

    def as_tags(self) -> dict[str, str]:
        return {LINK: self.token_hash, BUSINESS: self.account_id, KIND: self.kind, REALM: self.realm,
                SUBJECT: self.subject_id}

    @classmethod
    def found_in(cls, tags: Mapping[str, Sequence[str]]) -> MailTags | None:
        """The tags of an SES event (each name with a list of values), or None when the email was
        not one of Handover's links (a tag missing, or not a value Handover writes)."""
        values = {name: (tags.get(name) or [""])[0] for name in (LINK, BUSINESS, KIND, REALM, SUBJECT)}
        if not all(_SAFE.fullmatch(value) for value in values.values()):
            return None
        kind, realm = values[KIND], values[REALM]
        if kind not in get_args(LinkKind) or realm not in get_args(Subject):
            return None
        return cls(token_hash=values[LINK], account_id=values[BUSINESS], kind=kind,  # type: ignore[arg-type]
                   realm=realm, subject_id=values[SUBJECT])  # type: ignore[arg-type]
