"""Nudges with controlled time: stages, quiet hours, no stale nudges, escalation, snooze."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from bot.buttons import ReportStatus, SnoozeNudge, from_json
from bot.nudges import stage_for
from bot.users import TelegramIdentity
from tests.conftest import ADMIN_ID
from tests.texts import expect, matches

UTC = dt.UTC
OFFICIAL, COORD = 41, 42
DEADLINE = dt.date(2026, 4, 15)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def kamchatka_noon(day: dt.date) -> dt.datetime:
    """12:00 in Petropavlovsk-Kamchatsky (UTC+12) is 00:00 UTC the same day."""
    return dt.datetime.combine(day, dt.time(0, 0), UTC)


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        (20, None),
        (15, None),
        (14, "d14"),
        (4, "d14"),
        (3, "d3"),
        (2, "d3"),
        (1, "d1"),
        (0, "d0"),
        (-1, None),
        (-6, None),
        (-7, "o1"),
        (-13, "o1"),
        (-14, "o2"),
        (-21, "o3"),
    ],
)
def test_stage_for(days_left, stage):
    today = dt.date(2026, 4, 1)
    assert stage_for(today + dt.timedelta(days=days_left), today) == stage


@pytest.fixture
async def official(services, clock, seeded):
    """An official of a Kamchatka body with one recommendation due on 15 April 2026."""
    clock.at = at(2026, 3, 1, 0, 0)
    for user_id in (OFFICIAL, COORD):
        await services.users.touch(TelegramIdentity(user_id, f"U{user_id}"))
    await services.access.appoint_coordinator(ADMIN_ID, COORD, "Камчатский край")
    document = seeded["003"].document_id
    addressee = next(
        a for a in await services.documents.addressees(document) if a.kind == "resource_center"
    )
    invite = await services.invites.create(COORD, addressee.id)
    await services.invites.accept(OFFICIAL, invite.token)
    await services.profiles.set_region(OFFICIAL, "Камчатский край")
    recs = await services.db.fetchall(
        "SELECT recommendation_id FROM recommendation_addressees WHERE addressee_id = ?",
        (addressee.id,),
    )
    rec_id = recs[0][0]
    await services.reporting.set_deadline(COORD, rec_id, DEADLINE)
    for other in recs[1:]:
        await services.reporting.report_status(COORD, other[0], "done")
    return rec_id


async def nudge_keys(services, recipient=OFFICIAL):
    rows = await services.db.fetchall(
        "SELECT dedup_key FROM outbox WHERE recipient_id = ? AND kind IN ('nudge', 'escalation')"
        " ORDER BY id",
        (recipient,),
    )
    return [r[0] for r in rows]


async def test_stages_fire_once_and_skip_stale_ones(services, official):
    rec = official
    await services.nudges.run(kamchatka_noon(DEADLINE - dt.timedelta(days=20)))
    assert await nudge_keys(services) == []
    await services.nudges.run(kamchatka_noon(DEADLINE - dt.timedelta(days=14)))
    await services.nudges.run(kamchatka_noon(DEADLINE - dt.timedelta(days=10)))
    assert await nudge_keys(services) == [f"nudge:{OFFICIAL}:{rec}:d14"]
    # The bot was down from 10 days before until the deadline: only today's reminder.
    await services.nudges.run(kamchatka_noon(DEADLINE))
    await services.nudges.run(kamchatka_noon(DEADLINE))
    assert await nudge_keys(services) == [
        f"nudge:{OFFICIAL}:{rec}:d14",
        f"nudge:{OFFICIAL}:{rec}:d0",
    ]


async def test_quiet_hours_are_local(services, official):
    day = DEADLINE - dt.timedelta(days=3)
    # 22:30 in Kamchatka (10:30 UTC) and 08:59 the next morning: quiet.
    await services.nudges.run(dt.datetime.combine(day, dt.time(10, 30), UTC))
    await services.nudges.run(dt.datetime.combine(day, dt.time(20, 59), UTC))
    assert await nudge_keys(services) == []
    await services.nudges.run(dt.datetime.combine(day, dt.time(21, 0), UTC))  # 09:00 local
    assert len(await nudge_keys(services)) == 1


async def test_nudge_carries_status_buttons_and_accepts_replies(services, official):
    import json

    await services.nudges.run(kamchatka_noon(DEADLINE - dt.timedelta(days=1)))
    payload = json.loads(
        await services.db.fetchval("SELECT payload FROM outbox WHERE kind = 'nudge'")
    )
    assert expect("nudge.before", n=1) in payload["text"]
    actions = [b.action for row in from_json(payload["buttons"]) for b in row]
    assert ReportStatus(official, "done") in actions and SnoozeNudge(official) in actions
    assert payload["recommendation_ids"] == [official]


async def test_overdue_weekly_then_escalation_until_a_report(services, official):
    rec = official
    for weeks in (1, 2):
        await services.nudges.run(kamchatka_noon(DEADLINE + dt.timedelta(days=7 * weeks)))
    assert await nudge_keys(services) == [
        f"nudge:{OFFICIAL}:{rec}:o1",
        f"nudge:{OFFICIAL}:{rec}:o2",
    ]
    assert await nudge_keys(services, COORD) == []
    # The next run sees two overdue nudges and no report: the coordinator is told.
    await services.nudges.run(kamchatka_noon(DEADLINE + dt.timedelta(days=15)))
    escalations = await nudge_keys(services, COORD)
    assert len(escalations) == 1 and escalations[0].startswith(f"escalation:{COORD}:")
    text = await services.db.fetchval("SELECT payload FROM outbox WHERE kind = 'escalation'")
    text = json.loads(text)["text"]
    assert matches("escalation.head").within(text)
    assert expect("escalation.hint") in text  # and what the coordinator can do about it

    # After a report there is nothing more to escalate.
    services.clock.at = kamchatka_noon(DEADLINE + dt.timedelta(days=16))
    await services.reporting.comment(OFFICIAL, rec, "Работаем, задержка из-за финансирования")
    await services.nudges.run(kamchatka_noon(DEADLINE + dt.timedelta(days=22)))
    assert len(await nudge_keys(services, COORD)) == 1


async def test_check_in_after_sixty_quiet_days(services, official):
    await services.reporting.set_deadline(COORD, official, None)
    await services.nudges.run(at(2026, 4, 20, 0, 0))
    assert await nudge_keys(services) == []
    await services.nudges.run(at(2026, 5, 5, 0, 0))  # 64 days after the import, no report
    assert await nudge_keys(services) == [f"nudge:{OFFICIAL}:{official}:c1"]


async def test_snooze_and_pause(services, official):
    # Overdue already: the snooze is a whole week.
    day = DEADLINE + dt.timedelta(days=2)
    services.clock.at = kamchatka_noon(day)
    await services.nudges.snooze(OFFICIAL, official)
    await services.nudges.run(kamchatka_noon(day))
    await services.nudges.run(kamchatka_noon(day + dt.timedelta(days=6)))
    assert await nudge_keys(services) == []
    await services.nudges.run(kamchatka_noon(day + dt.timedelta(days=7)))
    # The week is up on an overdue-week day: that day's reminder is the one that comes.
    assert await nudge_keys(services) == [f"nudge:{OFFICIAL}:{official}:o1"]
    assert await services.nudges.repo.snoozes(OFFICIAL) == {}

    await services.preferences.pause_nudges(OFFICIAL, 30)
    await services.nudges.run(kamchatka_noon(DEADLINE + dt.timedelta(days=14)))
    assert len(await nudge_keys(services)) == 1


async def test_blocked_official_is_skipped(services, official):
    await services.users.mark_blocked(OFFICIAL)
    await services.nudges.run(kamchatka_noon(DEADLINE))
    assert await nudge_keys(services) == []


async def test_partially_done_keeps_its_reminders(services, official):
    services.clock.at = kamchatka_noon(DEADLINE - dt.timedelta(days=20))
    await services.reporting.report_status(OFFICIAL, official, "partially_done")
    await services.nudges.run(kamchatka_noon(DEADLINE - dt.timedelta(days=1)))
    assert await nudge_keys(services) == [f"nudge:{OFFICIAL}:{official}:d1"]
    # «Выполнено» closes it: no more reminders.
    await services.reporting.report_status(OFFICIAL, official, "done")
    await services.nudges.run(kamchatka_noon(DEADLINE))
    assert await nudge_keys(services) == [f"nudge:{OFFICIAL}:{official}:d1"]


async def test_partially_done_stays_in_its_deadline_group(services, official):
    services.clock.at = kamchatka_noon(DEADLINE - dt.timedelta(days=10))
    await services.reporting.report_status(OFFICIAL, official, "partially_done")
    tasks = await services.tasks.tasks(OFFICIAL, "Камчатский край")
    assert [r.id for r in tasks.groups["due_soon"]] == [official]
    assert official not in [r.id for r in tasks.groups["done"]]


async def test_snooze_never_passes_the_deadline_day(services, official):
    # Snoozed two days before the deadline, at 15:00 in Kamchatka.
    day = DEADLINE - dt.timedelta(days=2)
    services.clock.at = kamchatka_noon(day) + dt.timedelta(hours=3)
    snooze = await services.nudges.snooze(OFFICIAL, official)
    assert snooze.deadline_day == DEADLINE
    until = snooze.until
    local = until.astimezone(ZoneInfo("Asia/Kamchatka"))
    assert local.date() == DEADLINE and 9 <= local.hour < 21
    await services.nudges.run(kamchatka_noon(DEADLINE - dt.timedelta(days=1)))
    assert await nudge_keys(services) == []
    # On the deadline day: one reminder (not a snooze reminder and then the day's one).
    await services.nudges.run(until)
    await services.nudges.run(until + dt.timedelta(minutes=5))
    assert await nudge_keys(services) == [f"nudge:{OFFICIAL}:{official}:d0"]


async def test_snooze_late_in_the_evening_still_lands_on_the_deadline_day(services, official):
    # 23:30 in Kamchatka the day before the deadline: the reminder comes at 09:00, not later.
    services.clock.at = dt.datetime.combine(DEADLINE - dt.timedelta(days=1), dt.time(11, 30), UTC)
    until = (await services.nudges.snooze(OFFICIAL, official)).until
    local = until.astimezone(ZoneInfo("Asia/Kamchatka"))
    assert (local.date(), local.hour) == (DEADLINE, 9)


async def test_a_yearly_term_reminds_again_for_its_next_occurrence(services, official):
    """«ежегодно до 15 апреля»: after this year's day, next year's is the deadline (issue 11,
    point 12), with its own reminders; never 'overdue' for a term that simply recurs."""
    rec = official
    await services.db.execute(
        "UPDATE recommendations SET deadline_kind = 'recurring', deadline_period = 'year',"
        " deadline_note = 'ежегодно до 15 апреля' WHERE id = ?",
        (rec,),
    )
    await services.nudges.run(kamchatka_noon(DEADLINE - dt.timedelta(days=14)))
    await services.nudges.run(kamchatka_noon(DEADLINE + dt.timedelta(days=7)))  # no "overdue"
    next_year = dt.date(2027, 4, 15)
    await services.nudges.run(kamchatka_noon(next_year - dt.timedelta(days=14)))
    assert await nudge_keys(services) == [
        f"nudge:{OFFICIAL}:{rec}:d14",
        f"nudge:{OFFICIAL}:{rec}:d14@2027-04-15",
    ]
