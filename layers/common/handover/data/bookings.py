"""Bookings, and which customer each belongs to: the one holding its email in the business when
it arrives, or, when nobody did, the next customer to take that email.

    ACCT#<acct>#BOOKING#<id>                  BOOKING              the booking's receipt: where it is filed,
                                                                   whether it was cancelled (maybe before it came)
    ACCT#<acct>                               LEDGER#<email>       the email's ledger: holder, generation,
                                                                   pending, version
    ACCT#<acct>#CUSTOMER#<id>#BOOKINGS        <created_at>#<id>    a booking that came while the customer held
                                                                   its email
    ACCT#<acct>#UNHELD#<email>#<generation>   <created_at>#<id>    a booking that came while nobody held its email

A booking is filed once, where the ledger said when it came, and never moves. Taking an email
(a customer created with it, or changed to it) attaches its unheld bookings as a whole: the
customer records that shelf and its count (`attached_bookings`), adds the count to its
`booking_count`, and the email starts a new generation, so the shelf is closed for good.
Releasing an email (an email change) leaves the bookings with the customer. Each of these is a
condition on the ledger: a booking coming meanwhile fails the other's condition, and whichever
lost reads again. A customer's bookings are their own shelf and the shelves they attached, read
newest first and merged, each skipped when its count says it is empty.
"""

from __future__ import annotations

import heapq

from handover.data.dynamo import Dynamo, FailureFactory, Write, check, put, update
from handover.data.keys import customer_key
from handover.data.principals import AttachedBookings, CustomerRecord, fields
from handover.data.wire import Item
from handover.errors import AlreadyRecorded, ChangedMeanwhile, EmailTaken, HandoverError
from handover.models import Model


class BookingRecord(Model):
    id: str
    account_id: str
    email: str
    created_at: str  # ISO 8601, UTC: `YYYY-MM-DDTHH:MM:SSZ`
    reference: str | None = None
    starts_at: str | None = None
    service: str | None = None
    cancelled: bool = False


class BookingReceipt(Model):
    """What Handover knows of a booking id: where it is filed (once `booking.created` came) and
    whether `booking.cancelled` came (which may be first)."""

    id: str
    filed_pk: str | None = None
    filed_sk: str | None = None
    cancelled: bool = False


class EmailLedger(Model):
    """Who holds an email in a business, and the bookings made with it while nobody did."""

    account_id: str
    email: str
    holder: str | None = None
    generation: int = 0  # which shelf unheld bookings go to; a new one each time the email is taken
    pending: int = 0  # bookings on that shelf: nobody holds them yet
    version: int = 0  # 0: no ledger yet

    def unattached(self) -> list[AttachedBookings]:
        """What a customer taking the email attaches: the shelf of its unheld bookings, if any."""
        if not self.pending:
            return []
        return [AttachedBookings(pk=unheld_shelf(self.account_id, self.email, self.generation), count=self.pending)]


def ledger_key(account_id: str, email: str) -> Item:
    return {"pk": f"ACCT#{account_id}", "sk": f"LEDGER#{email}"}


def receipt_key(account_id: str, booking_id: str) -> Item:
    return {"pk": f"ACCT#{account_id}#BOOKING#{booking_id}", "sk": "BOOKING"}


def own_shelf(account_id: str, customer_id: str) -> str:
    return f"ACCT#{account_id}#CUSTOMER#{customer_id}#BOOKINGS"


def unheld_shelf(account_id: str, email: str, generation: int) -> str:
    return f"ACCT#{account_id}#UNHELD#{email}#{generation}"


def ledger_of(account_id: str, email: str, item: Item | None) -> EmailLedger:
    if not item:
        return EmailLedger(account_id=account_id, email=email)
    return EmailLedger(account_id=account_id, email=email, holder=item.get("holder"),
                       generation=int(item.get("generation", 0)), pending=int(item.get("pending", 0)),
                       version=int(item.get("version", 0)))


def _changed(_old: Item | None) -> HandoverError:
    return ChangedMeanwhile()


class BookingStore:
    def __init__(self, dynamo: Dynamo, table: str) -> None:
        self._dynamo = dynamo
        self.table = table

    def arrival(self, account_id: str, booking_id: str, email: str) -> tuple[BookingReceipt | None, EmailLedger]:
        """What filing a booking depends on, in one round trip: its receipt and its email's ledger."""
        keys = receipt_key(account_id, booking_id), ledger_key(account_id, email)
        found = {item["sk"]: item for item in self._dynamo.get_many(self.table, list(keys))}
        receipt, ledger = (found.get(key["sk"]) for key in keys)
        return (BookingReceipt.model_validate(receipt) if receipt else None), ledger_of(account_id, email, ledger)

    def ledger(self, account_id: str, email: str) -> EmailLedger:
        return ledger_of(account_id, email, self._dynamo.get(self.table, ledger_key(account_id, email)))

    def receipt(self, account_id: str, booking_id: str) -> BookingReceipt | None:
        item = self._dynamo.get(self.table, receipt_key(account_id, booking_id))
        return BookingReceipt.model_validate(item) if item else None

    def newest(self, customer: CustomerRecord, limit: int,
               before: str | None = None) -> tuple[list[BookingRecord], str | None]:
        """A page of the customer's bookings, newest first, and the position the next page starts
        before (None on the last page): one Query per shelf that has bookings."""
        shelves = [(batch.pk, batch.count) for batch in customer.attached_bookings]
        shelves.append((own_shelf(customer.account_id, customer.id),
                        customer.booking_count - sum(count for _, count in shelves)))
        condition = "pk = :pk" + (" AND sk < :before" if before else "")
        after = {":before": before} if before else {}
        found: list[Item] = []
        for shelf, count in shelves:
            if count > 0:
                found += self._dynamo.query(self.table, condition, {":pk": shelf, **after}, newest_first=True,
                                            limit=limit + 1)[0]
        merged = heapq.nlargest(limit + 1, found, key=lambda item: str(item["sk"]))
        page = merged[:limit]
        return [BookingRecord.model_validate(item) for item in page], page[-1]["sk"] if len(merged) > limit else None

    # -- writes, as transaction operations -----------------------------------------------------

    def file(self, booking: BookingRecord, seen: BookingReceipt | None, ledger: EmailLedger) -> list[Write]:
        """The booking on the shelf the ledger says (its holder's, else the email's unheld one),
        cancelled if its cancellation came first; counted for the holder or as pending. Only if the
        booking was never filed (else `AlreadyRecorded`) and the receipt and ledger are as read."""
        account_id, cancelled = booking.account_id, bool(seen and seen.cancelled)
        shelf = own_shelf(account_id, ledger.holder) if ledger.holder else \
            unheld_shelf(account_id, booking.email, ledger.generation)
        sort_key = f"{booking.created_at}#{booking.id}"
        filed = fields(booking.model_copy(update={"cancelled": cancelled}))
        writes = [
            update(self.table, receipt_key(account_id, booking.id),
                   "SET id = :id, filed_pk = :pk, filed_sk = :sk",
                   "attribute_not_exists(filed_pk) AND " + ("cancelled = :true" if cancelled
                                                            else "attribute_not_exists(cancelled)"),
                   values={":id": booking.id, ":pk": shelf, ":sk": sort_key, **({":true": True} if cancelled else {})},
                   on_condition_failure=_filed_already),
            put(self.table, {"pk": shelf, "sk": sort_key, **filed}, "attribute_not_exists(pk)",
                on_condition_failure=_filed_already),
        ]
        if ledger.holder:
            return [*writes,
                    check(self.table, ledger_key(account_id, booking.email), "holder = :holder",
                          values={":holder": ledger.holder}, on_condition_failure=_changed),
                    update(self.table, customer_key(account_id, ledger.holder), "ADD booking_count :one",
                           "attribute_exists(pk)", values={":one": 1}, on_condition_failure=_changed)]
        return [*writes, update(
            self.table, ledger_key(account_id, booking.email),
            "SET generation = if_not_exists(generation, :generation) ADD pending :one, version :one",
            "attribute_not_exists(holder) AND (attribute_not_exists(generation) OR generation = :generation)",
            values={":generation": ledger.generation, ":one": 1}, on_condition_failure=_changed)]

    def cancel(self, account_id: str, booking_id: str, seen: BookingReceipt | None) -> list[Write]:
        """Mark the booking cancelled: on its receipt (created if the booking has not come yet, so
        it comes cancelled) and, once filed, where it is filed. Only once (else `AlreadyRecorded`)."""
        filed = seen.filed_pk if seen else None
        receipt = update(self.table, receipt_key(account_id, booking_id), "SET id = :id, cancelled = :true",
                         "attribute_not_exists(cancelled) AND " + ("filed_pk = :pk" if filed
                                                                   else "attribute_not_exists(filed_pk)"),
                         values={":id": booking_id, ":true": True, **({":pk": filed} if filed else {})},
                         on_condition_failure=_cancelled_already)
        if not seen or not seen.filed_pk or not seen.filed_sk:
            return [receipt]
        return [receipt, update(self.table, {"pk": seen.filed_pk, "sk": seen.filed_sk}, "SET cancelled = :true",
                                "attribute_exists(pk)", values={":true": True}, on_condition_failure=_changed)]

    def take(self, ledger: EmailLedger, customer_id: str, on_changed: FailureFactory = _changed) -> Write:
        """The customer holds the email from now on, and has its unheld bookings (`ledger.pending`,
        see `EmailLedger.unattached`); only if no booking came since the ledger was read."""
        condition = ("attribute_not_exists(pk)" if ledger.version == 0
                     else "version = :version AND attribute_not_exists(holder)")
        return update(self.table, ledger_key(ledger.account_id, ledger.email),
                      "SET holder = :holder, generation = :next, pending = :zero ADD version :one", condition,
                      values={":holder": customer_id, ":next": ledger.generation + 1, ":zero": 0, ":one": 1,
                              **({":version": ledger.version} if ledger.version else {})},
                      on_condition_failure=lambda old: EmailTaken() if old and old.get("holder") else on_changed(old))

    def release(self, customer: CustomerRecord) -> Write:
        """The customer no longer holds their email: its bookings from now on are nobody's until
        someone takes it; those it brought stay theirs."""
        # A customer from before ledgers holds none: releasing is then just a new version.
        return update(self.table, ledger_key(customer.account_id, customer.email), "REMOVE holder ADD version :one",
                      "holder = :holder OR attribute_not_exists(holder)", values={":holder": customer.id, ":one": 1},
                      on_condition_failure=_changed)

    def move(self, customer: CustomerRecord, new: EmailLedger, on_changed: FailureFactory = _changed) -> list[Write]:
        """An email change: release the old email, take the new one."""
        return [self.release(customer), self.take(new, customer.id, on_changed)]


def _filed_already(old: Item | None) -> HandoverError:
    return AlreadyRecorded("This booking was recorded already") if old and old.get("filed_pk") else ChangedMeanwhile()


def _cancelled_already(old: Item | None) -> HandoverError:
    return AlreadyRecorded("This cancellation was recorded already") if old and old.get("cancelled") \
        else ChangedMeanwhile()

