"""The directory table's keys, in one place (every tenant key starts with the business id):

    ACCT#<acct>        ACCOUNT                 a business (and its settings)   lookup NICK#<nickname>
    ACCT#<acct>        FIELDS                  its customers' custom field definitions (kept apart:
                                               the business item is read on every staff request)
    NICK#<nickname>    NICK                    claims a nickname
    ACCT#<acct>        STAFF#<id>              a staff member   lookup LOGIN#staff#<acct>#<email>
    ACCT#<acct>        CUSTOMER#<id>           a customer       lookup LOGIN#customer#<acct>#<email>
    ACCT#<acct>        EMAIL#<realm>#<email>   claims an email within the business   lookup ADDRESS#<email>
    ACCT#<acct>        LEDGER#<email>          who holds a customer email, for its bookings: holder,
                                               generation, pending (nobody's yet), version
    ACCT#<acct>#BOOKING#<id>                BOOKING            a booking's receipt: where it is filed,
                                                               cancelled (perhaps before it came)
    ACCT#<acct>#CUSTOMER#<id>#BOOKINGS      <created_at>#<id>  a booking that came while the customer
                                                               held its email
    ACCT#<acct>#UNHELD#<email>#<generation> <created_at>#<id>  a booking that came while nobody held its
                                                               email (a customer taking it attaches them all)
    ACCT#<acct>#ACTIVITY  MONTH#<YYYY-MM>      counters: bookings, payments, payments_amount, amount_<currency>
    ACCT#<acct>#ACTIVITY  PAYMENT#<id>         a payment
    ACCT#<acct>#ACTIVITY  SITE#<origin>        a site the booking widget was seen on
    ACCT#<acct>#ACTIVITY  STEP#<step>          an onboarding step completed
    ACCOUNTS           COUNTS                  the businesses' counts by status (data/roster.py)
    ACCOUNTS#DUE       <when>#<acct>           a business whose status time alone changes then
    ACCOUNTS#Q#<prefix> / ACCOUNTS#TAG#<tag>#Q# / ACCOUNTS#OPERATOR#<id>#Q#   the operators' roll
                                               (search items, data/search.py)
    OPERATOR#<id>      OPERATOR                an operator      lookup LOGIN#operator#<email>
    OPERATOR_EMAIL#<email>  EMAIL              claims an operator email
    OPERATORS          OPERATOR#<id>           an operator's entry in the roster (to list them all)
    ATTEMPTS#<lookup>  W#<window>              failed logins in one window, lookup as the principal's
    LIMIT#<name>#<subject>  W#<window>         a rate counter in one window

`lookup` feeds the `by_lookup` index, so a login (the principal and its failed attempts, known
email or not) or a nickname is one Query, and so is everyone who uses an address, in every
business (the claims of staff and customers on it: what a bounce or a complaint marks
undeliverable). Items that should vanish carry `expires_ttl`. Bookings are explained in
`handover.data.bookings`, the activity in `handover.data.activity`, the roster in
`handover.data.operators`.
"""

from __future__ import annotations

from typing import Literal

from handover.data.wire import Item

Realm = Literal["operator", "staff", "customer"]

LOOKUP_INDEX = "by_lookup"


def account_key(account_id: str) -> Item:
    return {"pk": f"ACCT#{account_id}", "sk": "ACCOUNT"}


def fields_key(account_id: str) -> Item:
    return {"pk": f"ACCT#{account_id}", "sk": "FIELDS"}


def nickname_key(nickname: str) -> Item:
    return {"pk": f"NICK#{nickname}", "sk": "NICK"}


def customer_key(account_id: str, customer_id: str) -> Item:
    return {"pk": f"ACCT#{account_id}", "sk": f"CUSTOMER#{customer_id}"}


def staff_key(account_id: str, staff_id: str) -> Item:
    return {"pk": f"ACCT#{account_id}", "sk": f"STAFF#{staff_id}"}


def operator_key(operator_id: str) -> Item:
    return {"pk": f"OPERATOR#{operator_id}", "sk": "OPERATOR"}


def principal_key(realm: Realm, account_id: str | None, principal_id: str) -> Item:
    if realm == "operator":
        return operator_key(principal_id)
    assert account_id is not None
    return staff_key(account_id, principal_id) if realm == "staff" else customer_key(account_id, principal_id)


def email_claim_key(realm: Realm, account_id: str | None, email: str) -> Item:
    if realm == "operator":
        return {"pk": f"OPERATOR_EMAIL#{email}", "sk": "EMAIL"}
    return {"pk": f"ACCT#{account_id}", "sk": f"EMAIL#{realm}#{email}"}


def login_lookup(realm: Realm, account_id: str | None, email: str) -> str:
    return f"LOGIN#{realm}#{email}" if realm == "operator" else f"LOGIN#{realm}#{account_id}#{email}"


def address_lookup(email: str) -> str:
    """Shared by every claim on `email` (staff and customers, whatever the business)."""
    return f"ADDRESS#{email}"


def attempts_key(realm: Realm, account_id: str | None, email: str, window: int) -> Item:
    return {"pk": f"ATTEMPTS#{login_lookup(realm, account_id, email)}", "sk": f"W#{window}"}
