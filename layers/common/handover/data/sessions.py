"""The sessions table, and what sessions write on the principal item.

    pk REFRESH#<SHA-256 of a refresh token>   the session as of that token: whose it is, the
                                              versions it was signed in under, when it was signed
                                              in and when it expires; `spent_at` once refreshed.
                                              A spent item stays until the session's absolute end,
                                              so presenting it again is known for a reuse.
    pk ENDED#<session id>                     the session was ended (logout, reuse): none of its
                                              refresh tokens works again

The token itself is never stored. Items carry `expires_ttl` for DynamoDB TTL and `expiry_day` +
`expires_at` for the cleanup's index, as links do.

On the principal item (read on every authenticated request anyway), `ended_sessions` maps each
session ended one by one to the time its last access token expires: that is how an ended
session's access tokens are refused at once, at no extra round trip. Entries past that time are
dropped as new ones are written.
"""

from __future__ import annotations

from handover.data.accounts import AccountRecord
from handover.data.dynamo import Dynamo, FailureFactory, Write, check, put, update
from handover.data.expiry import EXPIRY_INDEX, expiry_day
from handover.data.keys import Realm, account_key, principal_key
from handover.data.principals import RECORDS, PrincipalRecord, key_of
from handover.data.wire import Item
from handover.models import Model


def refresh_key(token_hash: str) -> Item:
    return {"pk": f"REFRESH#{token_hash}"}


def ended_key(session_id: str) -> Item:
    return {"pk": f"ENDED#{session_id}"}


class RefreshRecord(Model):
    token_hash: str
    session_id: str
    realm: Realm
    account_id: str | None = None
    principal_id: str
    ver: int  # the principal's token version at sign-in: a bump ends the session
    acct_ver: int | None = None  # staff: the business's token version at sign-in
    signed_in_at: int
    ends_at: int  # the absolute end
    expires_at: int  # the sliding end: last use + 30 days, never past `ends_at`
    spent_at: int | None = None

    def item(self) -> Item:
        return {**refresh_key(self.token_hash), **self.model_dump(exclude_none=True),
                **_expiry(self.expires_at, self.token_hash)}


def _expiry(at: int, key: str) -> Item:
    return {"expires_at": at, "expiry_day": expiry_day(at, key), "expires_ttl": at}


class SessionStore:
    def __init__(self, dynamo: Dynamo, table: str, directory_table: str) -> None:
        self._dynamo = dynamo
        self.table = table
        self._directory_table = directory_table

    def with_holder(self, token_hash: str, realm: Realm, account_id: str | None, principal_id: str,
                    ) -> tuple[RefreshRecord | None, PrincipalRecord | None, AccountRecord | None]:
        """The refresh token's item, its principal and (staff) their business, in one round trip."""
        people = [principal_key(realm, account_id, principal_id)]
        if realm == "staff" and account_id:
            people.append(account_key(account_id))
        found = self._dynamo.get_across({self.table: [refresh_key(token_hash)], self._directory_table: people})
        record = RefreshRecord.model_validate(found[self.table][0]) if found[self.table] else None
        principal, account = None, None
        for item in found[self._directory_table]:
            if item["sk"] == "ACCOUNT":
                account = AccountRecord.model_validate(item)
            else:
                principal = RECORDS[realm].model_validate(item)
        return record, principal, account

    # -- writes, as transaction operations -----------------------------------------------------

    def add(self, record: RefreshRecord) -> Write:
        return put(self.table, record.item(), "attribute_not_exists(pk)")

    def spend(self, record: RefreshRecord, now: int, on_failure: FailureFactory) -> Write:
        """Single use, decided by the condition: unspent and unexpired at the moment of writing. The
        spent item is kept until the session's absolute end."""
        kept = _expiry(record.ends_at, record.token_hash)
        return update(self.table, refresh_key(record.token_hash),
                      "SET spent_at = :now, expires_at = :at, expiry_day = :day, expires_ttl = :at",
                      "attribute_exists(pk) AND attribute_not_exists(spent_at) AND expires_at > :now",
                      values={":now": now, ":at": kept["expires_at"], ":day": kept["expiry_day"]},
                      on_condition_failure=on_failure)

    def not_ended(self, session_id: str, on_failure: FailureFactory) -> Write:
        return check(self.table, ended_key(session_id), "attribute_not_exists(pk)", on_condition_failure=on_failure)

    def end(self, session_id: str, until: int, now: int, on_ended: FailureFactory) -> Write:
        """Mark the session ended, until its refresh tokens have expired; the condition fails when it
        already was."""
        return put(self.table, {**ended_key(session_id), "session_id": session_id, "ended_at": now,
                                **_expiry(until, session_id)},
                   "attribute_not_exists(pk)", on_condition_failure=on_ended)

    def end_on_principal(self, principal: PrincipalRecord, session_id: str, until: int, now: int,
                         on_failure: FailureFactory) -> Write:
        """Refuse the session's access tokens from now on: add it to the principal's
        `ended_sessions`, dropping entries whose tokens have all expired. The condition (the map
        exists, or not yet) fails when a concurrent write changed that: read again and retry."""
        if principal.ended_sessions is None:
            return update(self._directory_table, key_of(principal), "SET ended_sessions = :ended",
                          "attribute_exists(pk) AND attribute_not_exists(ended_sessions)",
                          values={":ended": {session_id: until}}, on_condition_failure=on_failure)
        gone = [ended for ended, expires in principal.ended_sessions.items() if expires <= now][:50]
        names = {"#new": session_id, **{f"#g{number}": ended for number, ended in enumerate(gone)}}
        removes = ", ".join(f"ended_sessions.#g{number}" for number in range(len(gone)))
        return update(self._directory_table, key_of(principal),
                      "SET ended_sessions.#new = :until" + (f" REMOVE {removes}" if removes else ""),
                      "attribute_exists(pk) AND attribute_exists(ended_sessions)", names=names,
                      values={":until": until}, on_condition_failure=on_failure)

    def end_every_session(self, principal: PrincipalRecord, on_failure: FailureFactory) -> Write:
        """Bump the principal's token version (and so, as every bump does, its link version): every
        access and refresh token issued before dies; the ended ones need no list any more."""
        return update(self._directory_table, key_of(principal),
                      "ADD token_version :one, link_version :one REMOVE ended_sessions", "attribute_exists(pk)",
                      values={":one": 1}, on_condition_failure=on_failure)

    def expired_keys(self, day: str, now: int, limit: int,
                     after: Item | None = None) -> tuple[list[Item], Item | None]:
        """Keys of session items that expired on `day` before `now` (found by the expiry-day index)."""
        return self._dynamo.keys_expired(self.table, EXPIRY_INDEX, day, now, limit, ("pk",), after)

    def remove(self, keys: list[Item]) -> None:
        self._dynamo.delete_many(self.table, keys)

