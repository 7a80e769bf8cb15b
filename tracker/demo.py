"""Demonstration data: invented people only, loaded once (running it again changes nothing)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tracker.auth import services
from tracker.auth.models import Office, OfficeKind, Role, User
from tracker.extensions import db


@dataclass(frozen=True)
class DemoOffice:
    code: str
    name: str
    kind: OfficeKind
    time_zone: str = "Asia/Karachi"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: Role
    office: str
    password: str


DEMO_OFFICES = (
    DemoOffice("ISB", "Royal Norwegian Embassy, Islamabad", OfficeKind.EMBASSY),
    DemoOffice("KHI", "Honorary Consulate of Norway, Karachi", OfficeKind.HONORARY_CONSULATE),
    DemoOffice("LHE", "Honorary Consulate of Norway, Lahore", OfficeKind.HONORARY_CONSULATE),
)

# Invented names; passwords are for the demo only and meet the password rules.
DEMO_ACCOUNTS = (
    DemoAccount("consular@tracker.example", "Kari Nordmann", Role.CONSULAR_OFFICER, "ISB",
                "demo consular officer"),
    DemoAccount("consular.lahore@tracker.example", "Imran Qadeer", Role.CONSULAR_OFFICER, "LHE",
                "demo lahore consular"),
    DemoAccount("police@tracker.example", "Ola Nordmann", Role.POLICE_LIAISON_OFFICER, "ISB",
                "demo police liaison"),
    DemoAccount("manager@tracker.example", "Ingrid Fjellvang", Role.MANAGER, "ISB",
                "demo head of mission"),
    DemoAccount("admin@tracker.example", "Sindre Aasmul", Role.ADMINISTRATOR, "ISB",
                "demo system administrator"),
)


def load_demo() -> int:
    """Create whatever demo offices and accounts are missing; returns how many were made."""
    created = 0
    offices = {}
    for spec in DEMO_OFFICES:
        office = db.session.scalar(select(Office).where(Office.code == spec.code))
        if office is None:
            office = services.create_office(code=spec.code, name=spec.name, kind=spec.kind,
                                            time_zone=spec.time_zone)
            created += 1
        offices[spec.code] = office
    for spec in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == spec.email)) is None:
            services.create_user(email=spec.email, display_name=spec.display_name,
                                 role=spec.role, office=offices[spec.office],
                                 password=spec.password)
            created += 1
    return created
