"""aiogram Routers, one module per feature. Each module has ``create_router()``.

Routers are built per Dispatcher (a Router can belong to one parent only), and the order here
decides who sees an update first: the fallback router must stay last.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiogram import Router


def get_routers() -> list[Router]:
    # Imported here, not at the top: the delivery worker needs handlers.keyboards alone, and
    # the routers import the worker's payload rendering (previews look like the real thing).
    from handlers import (
        admin,
        announce,
        cards,
        corrections,
        documents,
        errors,
        fallback,
        invites,
        my,
        privacy,
        profile,
        progress,
        settings,
        start,
        tasks,
    )

    return [
        errors.create_router(),
        # Before everything else: no consent, no processing (it also answers /start then).
        privacy.create_router(),
        start.create_router(),
        # Early: its dialog states must see a coordinator's text before any catch-all.
        announce.create_router(),
        cards.create_reply_router(),
        profile.create_router(),
        cards.create_router(),
        admin.create_router(),
        documents.create_router(),
        corrections.create_router(),
        invites.create_router(),
        progress.create_router(),
        tasks.create_router(),
        settings.create_router(),
        my.create_router(),
        my.create_question_router(),
        fallback.create_router(),
    ]
