"""Application → offer → accept → placement; decline, expiry and withdrawal pass the place on to
the next in line; the waiting list is ordered by the centre's priority points, then by time."""
import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from lifecircle.accounts.testing import make_child
from lifecircle.babycare import services
from lifecircle.babycare.models import AgeGroup, Application, Offer, Placement, PriorityRule
from lifecircle.notifications.models import Notification

from .helpers import family

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 9, 1)


def kinds(resident):
    return [n.kind for n in Notification.objects.filter(user=resident.user).order_by("created_at", "pk")]


def fill_toddler_group(centre, clock, n=2):
    """Give the 12–23 group's ``n`` places to families in compound c, accepted."""
    holders = []
    for i in range(n):
        parent, child = family(compound="c", parent=f"占位家长{i}", child=f"占位宝宝{i}")
        application = services.apply(parent.user, centre, child, START).application
        services.accept(parent.user, application.pk)
        holders.append((parent, child, application))
        clock.advance(minutes=1)
    return holders


def test_a_free_place_is_offered_at_once_with_a_deadline(centre, clock):
    mother, baby = family()
    outcome = services.apply(mother.user, centre, baby, START)
    application = outcome.application
    assert application.status == Application.Status.OFFERED
    offer = application.open_offer()
    assert offer.expires_at == clock.moment + datetime.timedelta(days=7)
    assert outcome.message == ("A place in 12–23 months at Baby care is offered to 王小宝. "
                               "Please accept it by 2026-06-08 09:00.")
    notice = Notification.objects.get(user=mother.user)
    assert notice.kind == "offer"
    assert "王小宝" in notice.subject and "2026-06-08 09:00" in notice.body
    assert "宝宝屋" in notice.body and "Baby care" not in notice.body  # stored in the site's language
    with translation.override("en"):  # and shown in each reader's own
        assert "Baby care" in notice.shown_body and "宝宝屋" not in notice.shown_body


def test_accepting_makes_a_placement_and_confirms(centre, clock):
    mother, baby = family()
    application = services.apply(mother.user, centre, baby, START).application
    clock.advance(days=2)
    outcome = services.accept(mother.user, application.pk)
    application.refresh_from_db()
    assert application.status == Application.Status.PLACED
    assert outcome.message == "You accepted the place in 12–23 months at Baby care for 王小宝."
    placement = application.placement
    assert (placement.starts_on, placement.ended_on) == (START, None)
    assert application.offers.get().status == Offer.Status.ACCEPTED
    assert kinds(mother) == ["offer", "confirmation"]
    confirmation = Notification.objects.get(user=mother.user, kind="confirmation")
    assert "Mo-Fr 08:30-17:00" in confirmation.body  # the session hours are the centre's opening hours


def test_a_full_group_puts_the_child_on_the_waiting_list_with_its_position(centre, clock):
    fill_toddler_group(centre, clock)
    first, first_child = family(child="第一")
    second, second_child = family(child="第二")
    one = services.apply(first.user, centre, first_child, START)
    clock.advance(minutes=1)
    two = services.apply(second.user, centre, second_child, START)
    assert one.application.status == two.application.status == Application.Status.WAITING
    assert two.message == "No place is free in 12–23 months at Baby care just now; 第二 is number 2 on the waiting list."
    assert services.standing_of(two.application).position == 2
    assert kinds(second) == ["information"]
    # The other age group is not affected: a 2-year-old still gets a place at once.
    parent, older = family(child="大宝", birth=datetime.date(2024, 1, 5))
    assert services.apply(parent.user, centre, older, START).application.status == Application.Status.OFFERED


def test_capacity_per_age_group_is_never_exceeded(centre, clock):
    results = []
    for i in range(6):
        parent, child = family(child=f"孩子{i}")
        results.append(services.apply(parent.user, centre, child, START).application)
    group = AgeGroup.objects.get(programme=centre, min_months=12)
    assert group.taken() == 2
    assert [a.status for a in results] == ["offered", "offered", "waiting", "waiting", "waiting", "waiting"]


def test_priority_points_order_the_waiting_list_then_application_time(centre, clock):
    fill_toddler_group(centre, clock)
    far, far_child = family(compound="b", child="远")  # no points
    clock.advance(minutes=1)
    near, near_child = family(compound="a", child="近")  # lives near the centre: 30
    clock.advance(minutes=1)
    poor, poor_child = family(compound="b", child="困")
    applications = {}
    applications["远"] = services.apply(far.user, centre, far_child, START).application
    clock.advance(minutes=1)
    applications["近"] = services.apply(near.user, centre, near_child, START).application
    clock.advance(minutes=1)
    applications["困"] = services.apply(poor.user, centre, poor_child, START, registered_hardship=True,
                                        both_parents_working=True).application  # 20 + 10
    group = AgeGroup.objects.get(programme=centre, min_months=12)
    order = [(s.application.child.name, s.score) for s in services.waiting_list(group)]
    assert order == [("近", 30), ("困", 30), ("远", 0)]  # equal points: the earlier application first
    assert services.standing_of(applications["困"]).reasons == [
        "family registered for hardship support", "both parents work"]

    # The rules are rows an admin edits; the list follows them at once.
    PriorityRule.objects.filter(programme=centre, kind="hardship").update(weight=40)
    assert [s.application.child.name for s in services.waiting_list(group)] == ["困", "近", "远"]
    PriorityRule.objects.filter(programme=centre).update(active=False)
    assert [s.application.child.name for s in services.waiting_list(group)] == ["远", "近", "困"]


def test_a_sibling_with_a_place_gives_priority(centre, clock):
    mother, elder = family(compound="b", child="哥哥", birth=datetime.date(2024, 3, 1))
    services.accept(mother.user, services.apply(mother.user, centre, elder, START).application.pk)
    fill_toddler_group(centre, clock)
    other, other_child = family(compound="b", child="别人家")
    services.apply(other.user, centre, other_child, START)
    clock.advance(minutes=1)
    younger = make_child(mother.household, "妹妹", datetime.date(2025, 2, 1))
    application = services.apply(mother.user, centre, younger, START).application
    standing = services.standing_of(application)
    assert (standing.position, standing.score, standing.reasons) == (1, 25, ["a brother or sister already has a place here"])


def test_declining_offers_the_place_to_the_next_in_line(centre, clock):
    fill_toddler_group(centre, clock, n=1)
    first, first_child = family(child="一")
    second, second_child = family(child="二")
    third, third_child = family(child="三")
    a = services.apply(first.user, centre, first_child, START).application
    b = services.apply(second.user, centre, second_child, START).application
    c = services.apply(third.user, centre, third_child, START).application
    assert [a.status, b.status, c.status] == ["offered", "waiting", "waiting"]
    services.decline(first.user, a.pk)
    for application in (a, b, c):
        application.refresh_from_db()
    assert [a.status, b.status, c.status] == ["declined", "offered", "waiting"]
    assert kinds(first) == ["offer", "cancellation"]
    assert kinds(second) == ["information", "offer"]
    assert services.standing_of(c).position == 1


def test_withdrawing_a_placement_frees_the_place_and_offers_it_to_the_next_in_line(centre, clock):
    holders = fill_toddler_group(centre, clock)
    waiting_parent, waiting_child = family(child="等位")
    waiting = services.apply(waiting_parent.user, centre, waiting_child, START).application
    older_parent, older = family(child="大班", birth=datetime.date(2024, 1, 1))  # other age group: not offered this place
    clock.advance(days=1)
    parent, _child, placed = holders[0]
    outcome = services.withdraw(parent.user, placed.pk)
    assert outcome.message == "占位宝宝0's application at Baby care is withdrawn."
    placed.refresh_from_db()
    assert placed.status == Application.Status.WITHDRAWN
    assert placed.placement.ended_on == START  # it had not started yet
    waiting.refresh_from_db()
    assert waiting.status == Application.Status.OFFERED
    assert kinds(waiting_parent) == ["information", "offer"]
    assert kinds(parent)[-1] == "cancellation"
    assert AgeGroup.objects.get(programme=centre, min_months=12).taken() == 2
    assert not Application.objects.filter(child=older).exists()


def test_withdrawing_a_running_placement_ends_it_today(centre, clock):
    mother, baby = family()
    application = services.apply(mother.user, centre, baby, datetime.date(2026, 6, 1)).application
    services.accept(mother.user, application.pk)
    clock.set(2026, 7, 15, 10, 0)
    services.withdraw(mother.user, application.pk)
    assert Placement.objects.get().ended_on == datetime.date(2026, 7, 15)


def test_withdrawing_from_the_waiting_list_moves_the_others_up(centre, clock):
    fill_toddler_group(centre, clock)
    first, first_child = family(child="一")
    second, second_child = family(child="二")
    a = services.apply(first.user, centre, first_child, START).application
    b = services.apply(second.user, centre, second_child, START).application
    services.withdraw(first.user, a.pk)
    assert services.standing_of(b).position == 1
    b.refresh_from_db()
    assert b.status == Application.Status.WAITING  # withdrawing from the list frees no place


def test_an_unanswered_offer_expires_and_goes_to_the_next_in_line(centre, clock, capsys):
    fill_toddler_group(centre, clock, n=1)
    late, late_child = family(child="迟")
    next_, next_child = family(child="next")
    a = services.apply(late.user, centre, late_child, START).application
    b = services.apply(next_.user, centre, next_child, START).application
    clock.advance(days=7, seconds=-1)
    call_command("expire_babycare_offers")
    a.refresh_from_db()
    assert a.status == Application.Status.OFFERED  # a second before the deadline it still holds
    clock.advance(seconds=1)
    call_command("expire_babycare_offers")
    assert "1 offer(s) expired" in capsys.readouterr().out
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.offers.get().status, b.status) == ("expired", "expired", "offered")
    assert kinds(late)[-1] == "cancellation"
    assert "2026-06-08 09:01" in Notification.objects.filter(user=late.user).first().body
    assert kinds(next_)[-1] == "offer"
    call_command("expire_babycare_offers")  # running again changes nothing
    assert Offer.objects.filter(status="expired").count() == 1


def test_offers_also_expire_when_someone_looks(centre, clock):
    mother, baby = family()
    application = services.apply(mother.user, centre, baby, START).application
    clock.advance(days=8)
    services.family_applications(mother.user)  # a plain read does not expire ...
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED
    services.expire_offers(programme=centre)  # ... the listings call this first (see test_pages/test_api)
    application.refresh_from_db()
    assert application.status == Application.Status.EXPIRED


def test_one_reminder_before_an_offer_expires(centre, clock, capsys):
    mother, baby = family()
    services.apply(mother.user, centre, baby, START)
    clock.advance(days=5, hours=23)  # 25 hours left: too early
    call_command("expire_babycare_offers")
    assert kinds(mother) == ["offer"]
    clock.advance(hours=2)  # 23 hours left
    call_command("expire_babycare_offers")
    assert "1 reminder(s) sent" in capsys.readouterr().out
    clock.advance(hours=1)
    call_command("expire_babycare_offers")
    assert kinds(mother) == ["offer", "reminder"]
    reminder = Notification.objects.get(user=mother.user, kind="reminder")
    assert "2026-06-08 09:00" in reminder.body


def test_answered_offers_get_no_reminder(centre, clock):
    mother, baby = family()
    services.accept(mother.user, services.apply(mother.user, centre, baby, START).application.pk)
    clock.advance(days=6, hours=12)
    assert services.send_reminders() == 0


def test_a_new_application_after_expiry_or_withdrawal_is_allowed(centre, clock):
    mother, baby = family()
    first = services.apply(mother.user, centre, baby, START).application
    services.withdraw(mother.user, first.pk)
    second = services.apply(mother.user, centre, baby, START).application
    assert second.pk != first.pk and second.status == Application.Status.OFFERED


def test_notifications_are_emailed_after_commit(centre, clock, django_capture_on_commit_callbacks):
    mother, baby = family()
    mother.user.email = "li@example.com"
    mother.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.apply(mother.user, centre, baby, START)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["li@example.com"]


def test_raising_the_places_offers_them_to_the_waiting_list(centre, clock):
    fill_toddler_group(centre, clock)
    parent, child = family(child="等")
    application = services.apply(parent.user, centre, child, START).application
    group = AgeGroup.objects.get(programme=centre, min_months=12)
    group.places = 3
    group.save()
    services.fill_free_places(group.pk)
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED
