"""The services a handler or a job may use, built once per process from one database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.settings import Settings
from bot.users import UserService
from storage.db import Database
from storage.users import UserRepository


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    users: UserService


def build_services(settings: Settings, db: Database, clock: Clock | None = None) -> Services:
    clock = clock or Clock()
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        users=UserService(UserRepository(db), clock),
    )
