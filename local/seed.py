"""The seed data of ../shared/docs/api.md, loaded on every start of the dev server."""

from __future__ import annotations

from dataclasses import dataclass

from handover.accounts.businesses import Person
from handover.accounts.operators import add_operator
from handover.runtime import Runtime


@dataclass(frozen=True)
class SeedLogin:
    realm: str
    account: str | None
    email: str
    password: str
    note: str


OPERATORS = [
    ("operator@example.com", "Operator-Passw0rd!", "Olivia Operator", True),
    ("helpdesk@example.com", "Helpdesk-Passw0rd!", "Harry Helpdesk", False),
]


def load_seed(rt: Runtime) -> list[SeedLogin]:
    hashed = rt.passwords.hash
    logins = []
    for email, password, name, secure in OPERATORS:
        add_operator(rt.dynamo, rt.directory, email=email, name=name, secure=secure, password_hash=hashed(password))
        logins.append(SeedLogin("operator", None, email, password, f"operator, secure: {str(secure).lower()}"))

    accounts = rt.accounts
    demo, _ = accounts.open(name="Demo Studio", nickname="demo", owner=Person("owner@demo.example", "Dana", "Owner"),
                            package="pro", staff_slots=5, owner_password_hash=hashed("Owner-Passw0rd!"))
    logins.append(SeedLogin("staff", "demo", "owner@demo.example", "Owner-Passw0rd!", "owner of Demo Studio"))
    accounts.add_staff(demo, Person("frontdesk@demo.example", "Frank", "Frontdesk"), ["customers:read"],
                       password_hash=hashed("Frontdesk-Passw0rd!"))
    logins.append(SeedLogin("staff", "demo", "frontdesk@demo.example", "Frontdesk-Passw0rd!",
                            "staff of Demo Studio, customers:read only"))
    accounts.open(name="Harbour Clinic", nickname="clinic", owner=Person("owner@clinic.example", "Cleo", "Owner"),
                  secure=True, package="basic", staff_slots=3, owner_password_hash=hashed("Clinic-Passw0rd!"))
    logins.append(SeedLogin("staff", "clinic", "owner@clinic.example", "Clinic-Passw0rd!",
                            "owner of Harbour Clinic (secure)"))
    return logins
