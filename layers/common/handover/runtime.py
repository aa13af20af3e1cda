"""Everything a function needs, built once per cold start, on first use (never at import).

Collaborators are imported inside the properties that build them, and AWS clients a function
may not need (SES, SQS) are created on their first call, so each function's cold start pays only
for what it uses.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.config import Config

from handover import aws
from handover.settings import Settings

if TYPE_CHECKING:
    from handover.accounts.activity import AccountActivity
    from handover.accounts.business_settings import BusinessSettings
    from handover.accounts.businesses import Accounts
    from handover.accounts.client_accounts import ClientAccounts
    from handover.accounts.history import HistoryReader
    from handover.accounts.impersonation import Impersonation
    from handover.accounts.locks import Locks
    from handover.accounts.onboarding import Onboarding
    from handover.accounts.operators import Operators
    from handover.accounts.roster import Roster
    from handover.accounts.staff import StaffMembers
    from handover.cleanup import Cleanup
    from handover.customers.directory import CustomerDirectory
    from handover.customers.editing import ProfileEditor
    from handover.customers.profiles import Customers
    from handover.customers.self_service import SelfService
    from handover.data.directory import Directory
    from handover.data.dynamo import Dynamo
    from handover.data.history import HistoryStore
    from handover.events.outbox import Outbox
    from handover.events.platform import PlatformEvents
    from handover.events.publisher import Publisher
    from handover.idempotency import Idempotency
    from handover.identity.callers import Authenticator
    from handover.identity.logins import Logins
    from handover.identity.passwords import Passwords
    from handover.identity.refresh import SessionBook
    from handover.identity.sessions import Sessions
    from handover.identity.signer import TokenSigner
    from handover.jobs.import_rows import ImportRows
    from handover.jobs.imports import Imports
    from handover.jobs.invite_rows import InviteRows
    from handover.jobs.invites import Invites
    from handover.jobs.jobs import Jobs
    from handover.links.claiming import Claiming
    from handover.links.mail import LinkMailer
    from handover.links.resets import PasswordResets
    from handover.links.tokens import Links
    from handover.mail.deliverability import Deliverability
    from handover.mail.mailer import Mailer
    from handover.pages.hosted import HostedPages

# Throttling is retried by the SDK (standard mode, with backoff) before it becomes a 503.
_AWS_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 4}, connect_timeout=2, read_timeout=5)
# Pre-signed URLs with SigV4 on the bucket's regional name (path-style on a local endpoint).
_S3_CONFIG = _AWS_CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))
# Creating botocore sessions and clients is not thread-safe (the dev server serves concurrently).
_CLIENT_LOCK = threading.Lock()


@dataclass
class Runtime:
    settings: Settings
    clients: list[Any] = field(default_factory=list)  # every client made, for SnapStart's hooks
    lazy_clients: list[LazyClient] = field(default_factory=list)

    @cached_property
    def session(self) -> botocore.session.Session:
        """One session for every client: they share its loaded service data, which makes a cold
        start cheaper than a session per client."""
        return aws.session()

    def client(self, service: str) -> Any:
        if service not in aws.SERVICES:  # its endpoint data is not in the layer
            raise ValueError(f"no client of {service}: add it to handover.aws.SERVICES, then run `make endpoints`")
        with _CLIENT_LOCK:
            made = self.session.create_client(service, config=_S3_CONFIG if service == "s3" else _AWS_CONFIG)
            self.clients.append(made)
            return made

    @cached_property
    def dynamo(self) -> Dynamo:
        from handover.data.dynamo import Dynamo
        return Dynamo(self.client("dynamodb"))

    @cached_property
    def directory(self) -> Directory:
        from handover.data.directory import Directory
        return Directory.on(self.dynamo, self.settings.directory_table)

    @cached_property
    def outbox(self) -> Outbox:
        from handover.data.outbox import OutboxStore
        from handover.events.outbox import Outbox
        return Outbox(OutboxStore(self.settings.outbox_table))

    @cached_property
    def publisher(self) -> Publisher:
        from handover.events.publisher import Publisher
        if not self.settings.event_bus_name:
            raise RuntimeError("EVENT_BUS_NAME is not set: only the publisher function has it")
        return Publisher(self.client("events"), self.settings.event_bus_name)

    @cached_property
    def history(self) -> HistoryStore:
        from handover.data.history import HistoryStore
        return HistoryStore(self.dynamo, self.settings.history_table)

    @cached_property
    def links(self) -> Links:
        from handover.data.links import LinkStore
        from handover.links.tokens import Links
        return Links(LinkStore(self.dynamo, self.settings.links_table))

    @cached_property
    def signer(self) -> TokenSigner:
        from handover.identity.signer import TokenSigner
        # KMS only where tokens are signed (or the public key did not come with the environment)
        return TokenSigner(LazyClient(self, "kms"), self.settings.token_key_id, self.settings.token_public_key)

    @cached_property
    def sessions(self) -> Sessions:
        from handover.identity.sessions import Sessions
        return Sessions(self.signer, issuer=self.settings.token_issuer, audience=self.settings.token_audience,
                        lifetime=self.settings.access_token_seconds)

    @cached_property
    def session_book(self) -> SessionBook:
        from handover.data.sessions import SessionStore
        from handover.identity.refresh import SessionBook
        return SessionBook(dynamo=self.dynamo,
                           store=SessionStore(self.dynamo, self.settings.sessions_table, self.settings.directory_table),
                           sessions=self.sessions, history=self.history,
                           retention_days=self.settings.history_retention_days)

    @cached_property
    def passwords(self) -> Passwords:
        from handover.identity.passwords import Passwords
        return Passwords()

    @cached_property
    def mailer(self) -> Mailer:
        from handover.mail.mailer import Mailer
        return Mailer(LazyClient(self, "sesv2"), self.settings.sender_address, self.settings.mail_configuration_set)

    @cached_property
    def idempotency(self) -> Idempotency:
        from handover.data.idempotency import IdempotencyStore
        from handover.idempotency import Idempotency
        return Idempotency(IdempotencyStore(self.dynamo, self.settings.idempotency_table))

    @cached_property
    def authenticator(self) -> Authenticator:
        from handover.identity.callers import Authenticator
        return Authenticator(self.sessions, self.directory)

    @cached_property
    def logins(self) -> Logins:
        from handover.identity.logins import Logins
        return Logins(directory=self.directory, passwords=self.passwords, sessions=self.session_book,
                      roster=self.roster)

    @cached_property
    def claiming(self) -> Claiming:
        from handover.links.claiming import Claiming
        return Claiming(dynamo=self.dynamo, directory=self.directory, links=self.links, history=self.history,
                        passwords=self.passwords, sessions=self.session_book, outbox=self.outbox,
                        retention_days=self.settings.history_retention_days)

    @cached_property
    def link_mailer(self) -> LinkMailer:
        from handover.links.mail import LinkMailer
        return LinkMailer(dynamo=self.dynamo, directory=self.directory, links=self.links, mailer=self.mailer,
                          portal_url=self.settings.portal_url)

    @cached_property
    def customers(self) -> Customers:
        from handover.customers.profiles import Customers
        return Customers(dynamo=self.dynamo, directory=self.directory, link_mailer=self.link_mailer,
                         history=self.history, passwords=self.passwords, outbox=self.outbox,
                         retention_days=self.settings.history_retention_days)

    @cached_property
    def customer_directory(self) -> CustomerDirectory:
        from handover.customers.directory import CustomerDirectory
        return CustomerDirectory(directory=self.directory)

    @cached_property
    def profile_editor(self) -> ProfileEditor:
        from handover.customers.editing import ProfileEditor
        return ProfileEditor(dynamo=self.dynamo, directory=self.directory, customers=self.customers)

    @cached_property
    def self_service(self) -> SelfService:
        from handover.customers.self_service import SelfService
        return SelfService(dynamo=self.dynamo, directory=self.directory, passwords=self.passwords,
                           sessions=self.session_book, outbox=self.outbox)

    @cached_property
    def resets(self) -> PasswordResets:
        from handover.data.limits import LimitStore
        from handover.links.resets import PasswordResets
        from handover.queue import WorkQueue
        return PasswordResets(directory=self.directory, link_mailer=self.link_mailer,
                              limits=LimitStore(self.dynamo, self.settings.directory_table),
                              queue=WorkQueue(LazyClient(self, "sqs"), self.settings.reset_queue_url),
                              history=self.history, retention_days=self.settings.history_retention_days)

    @cached_property
    def pages(self) -> HostedPages:
        from handover.pages.hosted import HostedPages
        return HostedPages(self)

    @cached_property
    def locks(self) -> Locks:
        from handover.accounts.locks import Locks
        return Locks(dynamo=self.dynamo, directory=self.directory, customers=self.customers, history=self.history,
                     roster=self.roster, retention_days=self.settings.history_retention_days)

    @cached_property
    def roster(self) -> Roster:
        from handover.accounts.roster import Roster
        return Roster(dynamo=self.dynamo, directory=self.directory)

    @cached_property
    def impersonation(self) -> Impersonation:
        from handover.accounts.impersonation import Impersonation
        return Impersonation(dynamo=self.dynamo, directory=self.directory, sessions=self.sessions,
                             history=self.history, outbox=self.outbox,
                             retention_days=self.settings.history_retention_days)

    @cached_property
    def client_accounts(self) -> ClientAccounts:
        from handover.accounts.client_accounts import ClientAccounts
        return ClientAccounts(dynamo=self.dynamo, directory=self.directory, accounts=self.accounts,
                              roster=self.roster, history=self.history,
                              retention_days=self.settings.history_retention_days)

    @cached_property
    def account_activity(self) -> AccountActivity:
        from handover.accounts.activity import AccountActivity
        return AccountActivity(directory=self.directory, onboarding_steps=self.settings.onboarding_steps)

    @cached_property
    def onboarding(self) -> Onboarding:
        from handover.accounts.onboarding import Onboarding
        return Onboarding(dynamo=self.dynamo, directory=self.directory, history=self.history,
                          retention_days=self.settings.history_retention_days)

    @cached_property
    def operators(self) -> Operators:
        from handover.accounts.operators import Operators
        return Operators(directory=self.directory)

    @cached_property
    def accounts(self) -> Accounts:
        from handover.accounts.businesses import Accounts
        return Accounts(dynamo=self.dynamo, directory=self.directory, outbox=self.outbox, roster=self.roster)

    @cached_property
    def staff_members(self) -> StaffMembers:
        from handover.accounts.staff import StaffMembers
        return StaffMembers(dynamo=self.dynamo, directory=self.directory, accounts=self.accounts,
                            link_mailer=self.link_mailer, history=self.history,
                            retention_days=self.settings.history_retention_days)

    @cached_property
    def business_settings(self) -> BusinessSettings:
        from handover.accounts.business_settings import BusinessSettings
        return BusinessSettings(dynamo=self.dynamo, directory=self.directory, history=self.history,
                                retention_days=self.settings.history_retention_days)

    @cached_property
    def history_reader(self) -> HistoryReader:
        from handover.accounts.history import HistoryReader
        return HistoryReader(directory=self.directory, store=self.history)

    @cached_property
    def platform_events(self) -> PlatformEvents:
        from handover.events.platform import PlatformEvents
        return PlatformEvents(dynamo=self.dynamo, directory=self.directory, roster=self.roster)

    @cached_property
    def deliverability(self) -> Deliverability:
        from handover.mail.deliverability import Deliverability
        return Deliverability(dynamo=self.dynamo, directory=self.directory, links=self.links.store,
                              configuration_set=self.settings.mail_configuration_set)

    @cached_property
    def jobs(self) -> Jobs:
        from handover.data.jobs import JobStore
        from handover.jobs.jobs import Jobs
        return Jobs(dynamo=self.dynamo, store=JobStore(self.dynamo, self.settings.directory_table),
                    outbox=self.outbox)

    @cached_property
    def imports(self) -> Imports:
        from handover.files import UploadBucket
        from handover.jobs.imports import Imports
        from handover.queue import WorkQueue
        if not self.settings.import_queue_url:
            raise RuntimeError("IMPORT_QUEUE_URL is not set")
        bucket = self.settings.import_upload_bucket
        return Imports(jobs=self.jobs, queue=WorkQueue(LazyClient(self, "sqs"), self.settings.import_queue_url),
                       files=UploadBucket(LazyClient(self, "s3"), bucket) if bucket else None)

    @cached_property
    def import_rows(self) -> ImportRows:
        from handover.jobs.import_rows import ImportRows
        return ImportRows(directory=self.directory, customers=self.customers, editor=self.profile_editor,
                          jobs=self.jobs)

    @cached_property
    def invites(self) -> Invites:
        from handover.jobs.invites import Invites
        from handover.queue import WorkQueue
        if not self.settings.invite_queue_url:
            raise RuntimeError("INVITE_QUEUE_URL is not set")
        return Invites(jobs=self.jobs, directory=self.directory,
                       queue=WorkQueue(LazyClient(self, "sqs"), self.settings.invite_queue_url))

    @cached_property
    def invite_rows(self) -> InviteRows:
        from handover.data.limits import LimitStore
        from handover.jobs.invite_rows import InviteRows, SendRate
        rate = SendRate(LimitStore(self.dynamo, self.settings.directory_table), self.settings.email_send_rate)
        return InviteRows(directory=self.directory, customers=self.customers, link_mailer=self.link_mailer,
                          jobs=self.jobs, rate=rate)

    @cached_property
    def cleanup(self) -> Cleanup:
        from handover.cleanup import Cleanup
        from handover.data.sessions import SessionStore
        from handover.data.sweeps import SweepMarks
        return Cleanup(history=self.history, links=self.links.store, roster=self.roster,
                       sessions=SessionStore(self.dynamo, self.settings.sessions_table, self.settings.directory_table),
                       marks=SweepMarks(self.dynamo, self.settings.directory_table))


class LazyClient:
    """Stands for an AWS client and creates it on first use."""

    def __init__(self, runtime: Runtime, service: str) -> None:
        self._runtime = runtime
        self._service = service
        runtime.lazy_clients.append(self)

    def create(self) -> None:
        """Creates the client now rather than on first use (SnapStart's before-snapshot hook)."""
        self._client  # noqa: B018 - a cached property: reading it creates the client

    @cached_property
    def _client(self) -> Any:
        return self._runtime.client(self._service)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@cache
def runtime() -> Runtime:
    return Runtime(Settings.from_env())
