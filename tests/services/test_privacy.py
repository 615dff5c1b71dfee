"""Personal data: what /mydata exports, what /forget erases and keeps, retention, consent."""

import datetime as dt
import sqlite3

import pytest

from bot.errors import PermissionDenied
from bot.jobs import RETENTION_JOB, create_scheduler, purge_expired
from bot.users import TelegramIdentity
from bot.views import render_card
from storage.delivery import DeliveryRepository, Outcome
from tests.conftest import ADMIN_ID
from tests.dbscan import mentions
from tests.texts import expect, matches

OFFICIAL, MEMBER, OTHER_MEMBER, COORD = 7700771, 7700772, 7700773, 7700774
OFFICIAL_ID = TelegramIdentity(OFFICIAL, "Евлампий", "Громов", "evlampiy_g", "ru")


@pytest.fixture
async def world(services, seeded):
    for identity in (
        OFFICIAL_ID,
        TelegramIdentity(MEMBER, "Снежана"),
        TelegramIdentity(OTHER_MEMBER, "Аглая"),
        TelegramIdentity(COORD, "Ольга"),
    ):
        await services.privacy.give_consent(identity)
    await services.access.appoint_coordinator(ADMIN_ID, COORD, "Амурская область")
    amur = seeded["002"]
    government = next(
        a
        for a in await services.documents.addressees(amur.document_id)
        if a.canonical == "Правительство области"
    )
    rec_id = next(
        r
        for r, a in (
            await services.documents.addressee_ids_by_recommendation(amur.document_id)
        ).items()
        if a == [government.id]
    )
    invite = await services.invites.create(COORD, government.id)
    await services.invites.accept(OFFICIAL, invite.token)
    # What handlers/invites.py queues for the coordinator: it names the official.
    await services.outbox.enqueue(
        COORD, "notice", f"joined:{invite.id}:1", "Евлампий присоединился"
    )
    return {"rec_id": rec_id, "invite": invite}


async def official_reports(services, world):
    rec_id = world["rec_id"]
    await services.profiles.set_region(OFFICIAL, "Амурская область")
    await services.reporting.follow(OFFICIAL, rec_id, True)
    await services.reporting.report_status(
        OFFICIAL, rec_id, "in_progress", "Создана рабочая группа"
    )
    await services.outbox.enqueue(OFFICIAL, "nudge", "test:pending", "Напоминание")
    await services.reporting.remember_message(OFFICIAL, 555, [rec_id])
    await services.fsm.set_state(f"42:{OFFICIAL}:{OFFICIAL}:0:default", "Form:x")


async def test_mydata_exports_everything_about_the_person(services, world):
    await official_reports(services, world)
    await services.reporting.assess(MEMBER, world["rec_id"], "agree", "Видим работу")

    data = await services.privacy.export(OFFICIAL)
    assert data["user"]["first_name"] == "Евлампий" and data["user"]["username"] == "evlampiy_g"
    assert data["user"]["region"] == "Амурская область"
    assert data["user"]["digest_frequency"] == "weekly"  # settings
    assert data["consent"]["decision"] == "given" and data["consent"]["version"] == "1"
    assert data["consent"]["decided_at"] == services.clock.iso()
    assert [o["addressee"] for o in data["official_of"]] == ["Правительство области"]
    assert [s["region"] for s in data["subscriptions"]] == ["Амурская область"]
    assert [f["recommendation_id"] for f in data["follows"]] == [world["rec_id"]]
    assert [r["comment"] for r in data["reports"]] == ["Создана рабочая группа"]
    assert data["assessments"] == []
    assert {o["status"] for o in data["outbox"]} == {"pending"}
    assert data["outbox"][0]["payload"]["text"] == "Напоминание"
    assert data["message_refs"] == [{"message_id": 555, "recommendation_id": world["rec_id"]}]
    assert [d["state"] for d in data["dialogs"]] == ["Form:x"]

    member = await services.privacy.export(MEMBER)
    assert [a["verdict"] for a in member["assessments"]] == ["agree"]
    assert member["reports"] == [] and member["official_of"] == []
    coordinator = await services.privacy.export(COORD)
    assert [c["region"] for c in coordinator["coordinator_regions"]] == ["Амурская область"]
    assert [i["id"] for i in coordinator["invites_created"]] == [world["invite"].id]


async def test_forget_keeps_the_report_as_the_organizations_and_nothing_personal(services, world):
    await official_reports(services, world)
    assert await mentions(services.db, OFFICIAL, "Евлампий", "Громов", "evlampiy")

    counts = await services.privacy.forget(OFFICIAL)
    assert counts["users"] == 1 and counts["history_anonymised"] == 1

    assert await mentions(services.db, OFFICIAL, "Евлампий", "Громов", "evlampiy") == []
    # The report is still the organization's: in the history and on the card.
    history = await services.reporting.history(world["rec_id"])
    report = next(e for e in history if e.event == "status")
    assert report.actor_id is None and report.actor_org == "Правительство области"
    assert report.comment == "Создана рабочая группа" and report.new_status == "in_progress"
    card = render_card(services.texts, await services.reporting.card(MEMBER, world["rec_id"]))
    who = expect("history.official_of", org="Правительства области")
    status = expect("history.status_first", new=expect("status.in_progress"))  # the first report
    assert matches("history.line", role=who, what=status).within(card)
    # Others keep what is theirs.
    assert (await services.users.get(COORD)) is not None
    assert (await services.privacy.consent(COORD)).given
    # The person is gone: no roles, no consent; coming back starts from the beginning.
    assert not (await services.access.roles(OFFICIAL)).is_official
    assert (await services.privacy.consent(OFFICIAL)).record is None


async def test_forgotten_assessments_still_count_once_per_person(services, world):
    await official_reports(services, world)
    rec_id = world["rec_id"]
    await services.reporting.assess(MEMBER, rec_id, "disagree", "Не видим работы")
    await services.reporting.assess(MEMBER, rec_id, "agree")
    await services.reporting.assess(OTHER_MEMBER, rec_id, "agree")
    await services.privacy.forget(MEMBER)
    await services.privacy.forget(OTHER_MEMBER)
    card = await services.reporting.card(COORD, rec_id)
    assert card.assessments == (2, 0)
    assert await mentions(services.db, MEMBER, "Снежана") == []


async def test_history_stays_append_only_apart_from_forgetting(services, world):
    await official_reports(services, world)
    db = services.db
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.execute("UPDATE history SET comment = 'подделка'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.execute("UPDATE history SET actor_id = NULL, actor_alias = 1, comment = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.execute("DELETE FROM history")


async def test_only_ones_own_data(services, world):
    for actor in (MEMBER, ADMIN_ID, COORD):
        with pytest.raises(PermissionDenied) as denied:
            await services.privacy.export(actor, OFFICIAL)
        assert denied.value.key == "access.own_data_only"
        with pytest.raises(PermissionDenied):
            await services.privacy.forget(actor, OFFICIAL)
    assert (await services.users.get(OFFICIAL)) is not None


async def test_refusal_erases_a_known_person_and_keeps_only_the_refusal(services, world):
    await official_reports(services, world)
    await services.privacy.refuse_consent(OFFICIAL)
    left = await mentions(services.db, OFFICIAL, "Евлампий", "Громов")
    assert {(table, column) for table, column, _ in left} == {("consents", "user_id")}
    state = await services.privacy.consent(OFFICIAL)
    assert state.refused and not state.given and state.record.version == "1"


async def test_retention_purges_old_payloads_drafts_and_dialogs(services, clock):
    db = services.db
    delivery = DeliveryRepository(db)

    async def deliver(dedup_key: str, message_id: int) -> None:
        """As the delivery worker does: claim the row, then record it sent."""
        outbox_id = await db.fetchint("SELECT id FROM outbox WHERE dedup_key = ?", (dedup_key,))
        assert await delivery.claim([outbox_id]) == {outbox_id}
        outcome = Outcome(outbox_id, MEMBER, "sent", message_id=message_id)
        await delivery.record([outcome], clock.iso())

    await services.privacy.give_consent(TelegramIdentity(MEMBER, "Снежана"))
    await services.outbox.enqueue(MEMBER, "digest", "old-sent", "старая сводка")
    await services.outbox.enqueue(MEMBER, "digest", "old-pending", "ждёт отправки")
    old_draft_at = clock.iso()
    await db.execute(
        "INSERT INTO document_drafts (uploader_id, source, content_hash, parsed, created_at)"
        " VALUES (?, 'a.txt', 'h', '{}', ?)",
        (COORD, old_draft_at),
    )
    await db.execute(
        "INSERT INTO announcements (author_id, region, content, created_at)"
        " VALUES (?, 'Амурская область', '{}', ?)",
        (COORD, old_draft_at),
    )
    fsm = services.fsm  # the process's one owner of the dialogs (it caches them)
    await fsm.set_state("42:1:1:0:default", "Form:old")
    await db.execute(
        "UPDATE fsm_state SET updated_at = ? WHERE key = '42:1:1:0:default'",
        (clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),),
    )
    await deliver("old-sent", 77)

    clock.move(days=8)
    await services.outbox.enqueue(MEMBER, "digest", "new-sent", "свежая сводка")
    await deliver("new-sent", 78)
    await fsm.set_state("42:2:2:0:default", "Form:fresh")
    await db.execute(
        "UPDATE fsm_state SET updated_at = ? WHERE key = '42:2:2:0:default'",
        (clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),),
    )
    purged = await services.privacy.purge_expired()
    # 8 days: drafts and the abandoned dialog go, messages stay (30 days).
    assert purged == {"payloads": 0, "dialogs": 1, "announcement_drafts": 1, "document_drafts": 1}
    assert await fsm.get_state("42:1:1:0:default") is None
    assert await fsm.get_state("42:2:2:0:default") == "Form:fresh"

    clock.move(days=23)  # 31 days after the first message
    await purge_expired(services)  # the scheduled job
    payloads = {
        r["dedup_key"]: r["payload"]
        for r in await db.fetchall("SELECT dedup_key, payload FROM outbox")
    }
    assert payloads["old-sent"] == "{}"  # the ledger key stays: no second delivery
    assert "ждёт отправки" in payloads["old-pending"]  # not delivered yet: kept
    assert "свежая сводка" in payloads["new-sent"]
    assert await fsm.get_state("42:2:2:0:default") is None


def test_retention_is_a_scheduled_job_with_a_stable_id(services):
    scheduler = create_scheduler(services)
    job = scheduler.get_job(RETENTION_JOB)
    assert job is not None and job.args == (services,)
    assert job.trigger.interval == dt.timedelta(
        seconds=services.settings.retention_interval_seconds
    )


async def test_a_coordinator_forgotten_mid_broadcast(services, harness):
    from bot.announcements import Content
    from bot.ratelimit import RateLimiter
    from bot.telegram.progress import ProgressReporter

    region = "Амурская область"
    await services.privacy.give_consent(TelegramIdentity(COORD, "Ольга"))
    await services.access.repo.add_coordinator(COORD, region, ADMIN_ID, services.clock.iso())
    await services.privacy.give_consent(TelegramIdentity(MEMBER, "Снежана"))
    await services.profiles.set_region(MEMBER, region)
    draft = await services.announcements.create_draft(COORD, region, Content("Форум в субботу"))
    await services.announcements.send(COORD, draft.id)
    await services.announcements.create_draft(COORD, region, Content("Черновик"))

    await services.privacy.forget(COORD)
    assert await mentions(services.db, COORD, "Ольга") == []
    # The broadcast itself goes on; its end is reported to no one rather than to chat 0.
    await services.db.execute("UPDATE outbox SET status = 'sent'")
    await ProgressReporter(services, harness.bot, RateLimiter(0, chat_interval=0)).tick()
    rows = await services.db.fetchall("SELECT status FROM announcements")
    assert [r[0] for r in rows] == ["done"]  # the draft went with its author
    assert await services.db.fetchval("SELECT count(*) FROM outbox WHERE recipient_id = 0") == 0


def test_policy_url_must_be_a_web_address():
    from pydantic import ValidationError

    from bot.settings import Settings

    assert Settings(_env_file=None, privacy_policy_url=" https://x.org/p ").privacy_policy_url == (
        "https://x.org/p"
    )
    for bad in ("javascript:alert(1)", 'https://x.org/"><b>', "x.org"):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, privacy_policy_url=bad)
