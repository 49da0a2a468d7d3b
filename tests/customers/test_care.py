"""Customer care: the daily generator, the care page and working the actions."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import BehaviourLog, SentReminder
from crm.sms import MemoryBackend
from customers.models import CareAction, CarePlan, ContactCadence, Customer, CustomerGroup
from customers.services.care import care_action_send, care_actions_generate, care_after_purchase
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def _at(day: date, hour=12):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _keys():
    return sorted(CareAction.objects.values_list("source_key", flat=True))


@pytest.fixture(autouse=True)
def empty_outbox():
    MemoryBackend.outbox.clear()


def test_birthday_window_and_running_twice_adds_nothing(rep_user):
    plan = CarePlan.objects.create(
        name="生日祝福", occasion=CarePlan.Occasion.BIRTHDAY, channel="sms", days_before=3, content="生日快乐!"
    )
    customer = CustomerFactory(owner=rep_user)
    in_two_days = ContactFactory(customer=customer, birthday=date(1990, 11, 25))
    today = ContactFactory(customer=customer, birthday=date(1992, 11, 23))
    four_days = ContactFactory(customer=customer, birthday=date(1985, 11, 27))  # four days ahead: not yet
    ContactFactory(customer=customer, birthday=date(1985, 11, 22))  # yesterday: missed, not made up
    ContactFactory(customer=customer, birthday=None)
    erased = CustomerFactory(owner=rep_user, erased_at=timezone.now())
    ContactFactory(customer=erased, birthday=date(1990, 11, 24))

    care_actions_generate(today=TODAY)
    first = _keys()
    care_actions_generate(today=TODAY)
    second = _keys()
    care_actions_generate(today=TODAY + timedelta(days=1))  # the next day's window reaches the 27th

    assert first == sorted(
        [f"plan:{plan.pk}:contact:{in_two_days.pk}:2026-11-25", f"plan:{plan.pk}:contact:{today.pk}:2026-11-23"]
    )
    assert second == first
    assert _keys() == sorted(first + [f"plan:{plan.pk}:contact:{four_days.pk}:2026-11-27"])
    action = CareAction.objects.get(contact=in_two_days)
    assert (action.due_on, action.assignee, action.channel, action.content) == (TODAY, rep_user, "sms", "生日快乐!")
    assert action.occasion == CarePlan.Occasion.BIRTHDAY


def test_second_run_creates_exactly_the_same_rows(rep_user):
    CarePlan.objects.create(name="B", occasion=CarePlan.Occasion.BIRTHDAY, channel="phone", days_before=7)
    ContactCadence.objects.create(name="Every 30 days", interval_days=30)
    for day in range(23, 30):
        ContactFactory(customer=CustomerFactory(owner=rep_user), birthday=date(1980, 11, day))

    care_actions_generate(today=TODAY)
    first = list(CareAction.objects.order_by("pk").values_list("pk", "source_key", "due_on"))
    care_actions_generate(today=TODAY)

    assert len(first) == 7 + 7  # seven birthdays and seven never-contacted customers for the cadence
    assert list(CareAction.objects.order_by("pk").values_list("pk", "source_key", "due_on")) == first


def test_plan_level_and_group_narrow_the_audience(rep_user):
    vip_group = CustomerGroup.objects.create(name="VIP club")
    CarePlan.objects.create(name="A only", occasion=CarePlan.Occasion.BIRTHDAY, channel="phone", level="A")
    CarePlan.objects.create(name="Club", occasion=CarePlan.Occasion.BIRTHDAY, channel="gift", group=vip_group)
    key_account = CustomerFactory(owner=rep_user, level="A")
    regular = CustomerFactory(owner=rep_user, level="C")
    regular.groups.add(vip_group)
    ContactFactory(customer=key_account, birthday=date(1980, 11, 23))
    ContactFactory(customer=regular, birthday=date(1980, 11, 23))

    care_actions_generate(today=TODAY)

    assert set(CareAction.objects.values_list("plan__name", "customer")) == {
        ("A only", key_account.pk),
        ("Club", regular.pk),
    }


def test_holiday_plan_in_its_window_and_anniversary_of_creation(rep_user):
    holiday = CarePlan.objects.create(
        name="感恩节", occasion=CarePlan.Occasion.HOLIDAY, channel="email", date=date(2026, 11, 26), days_before=3,
        level="B", content="Thank you!",
    )  # fmt: skip
    CarePlan.objects.create(name="周年", occasion=CarePlan.Occasion.ANNIVERSARY, channel="phone", days_before=2)
    level_b = CustomerFactory(owner=rep_user, level="B")
    ContactFactory(customer=level_b, is_primary=True)
    level_c = CustomerFactory(owner=rep_user, level="C")
    Customer.objects.filter(pk=level_b.pk).update(created_at=_at(date(2025, 11, 24)))
    Customer.objects.filter(pk=level_c.pk).update(created_at=_at(date(2026, 11, 23)))  # created today: no anniversary

    care_actions_generate(today=date(2026, 11, 22))
    assert not CareAction.objects.filter(plan=holiday).exists()  # four days before: outside the window

    care_actions_generate(today=TODAY)
    actions = {(a.plan.name, a.customer_id): a for a in CareAction.objects.select_related("plan")}
    assert set(actions) == {("感恩节", level_b.pk), ("周年", level_b.pk)}
    assert actions[("感恩节", level_b.pk)].due_on == TODAY
    assert actions[("感恩节", level_b.pk)].contact.is_primary
    assert actions[("周年", level_b.pk)].source_key.endswith(":2026-11-24")


def test_cadence_makes_one_due_action_per_customer_not_contacted_in_time(rep_user):
    cadence = ContactCadence.objects.create(name="VIP monthly", lifecycle_stage="vip", interval_days=30)
    # Contacts counted back from the day the cadence runs, not from the real clock: against the real clock
    # the 40-day-old contact drifts across the 30-day cut-off as the calendar moves on.
    now = _at(TODAY)
    overdue = CustomerFactory(owner=rep_user, lifecycle_stage="vip", last_contacted_at=now - timedelta(days=40))
    never = CustomerFactory(owner=rep_user, lifecycle_stage="vip")
    CustomerFactory(owner=rep_user, lifecycle_stage="vip", last_contacted_at=now - timedelta(days=10))
    CustomerFactory(owner=rep_user, lifecycle_stage="prospect", last_contacted_at=now - timedelta(days=90))

    care_actions_generate(today=TODAY)
    care_actions_generate(today=TODAY + timedelta(days=1))  # still pending: no second action

    actions = CareAction.objects.filter(cadence=cadence)
    assert sorted(actions.values_list("customer", flat=True)) == sorted([overdue.pk, never.pk])
    assert set(actions.values_list("due_on", flat=True)) == {TODAY}
    assert set(actions.values_list("assignee", flat=True)) == {rep_user.pk}


def test_after_purchase_hook_creates_the_action_once(rep_user):
    plan = CarePlan.objects.create(
        name="回访", occasion=CarePlan.Occasion.AFTER_PURCHASE, channel="phone", days_after_purchase=7
    )
    CarePlan.objects.create(name="A only", occasion=CarePlan.Occasion.AFTER_PURCHASE, channel="phone", level="A")
    customer = CustomerFactory(owner=rep_user, level="C")

    first = care_after_purchase(customer=customer, purchased_on=TODAY)
    again = care_after_purchase(customer=customer, purchased_on=TODAY)

    assert [a.pk for a in first] == [a.pk for a in again]
    assert len(first) == 1
    assert (first[0].plan, first[0].due_on, first[0].assignee) == (plan, TODAY + timedelta(days=7), rep_user)


def _action(customer, **kwargs):
    defaults = {"channel": "phone", "due_on": timezone.localdate(), "assignee": customer.owner}
    defaults.update(kwargs)
    return CareAction.objects.create(
        customer=customer, source_key=f"test:{CareAction.objects.count()}:{customer.pk}", **defaults
    )


def test_mark_done_with_outcome_and_skip(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    call = _action(customer)
    other = _action(customer)
    client = client_for(rep_user)

    response = client.post(reverse("customers:care-action-done", args=[call.pk]), {"outcome": ""})
    call.refresh_from_db()
    assert response.status_code == 302
    assert call.status == CareAction.Status.PENDING  # an outcome is required

    client.post(reverse("customers:care-action-done", args=[call.pk]), {"outcome": "聊得很好,下月再约"})
    client.post(reverse("customers:care-action-skip", args=[other.pk]), {"outcome": "On holiday"})

    call.refresh_from_db()
    other.refresh_from_db()
    customer.refresh_from_db()
    assert (call.status, call.outcome) == (CareAction.Status.DONE, "聊得很好,下月再约")
    assert call.done_at is not None
    assert customer.last_contacted_at == call.done_at
    assert (other.status, other.outcome) == (CareAction.Status.SKIPPED, "On holiday")
    assert BehaviourLog.objects.filter(object_type="customers.careaction", object_id=str(call.pk)).exists()
    again = client.post(reverse("customers:care-action-skip", args=[call.pk]), follow=True)
    assert "already done" in again.content.decode()


def test_send_goes_out_once_by_sms_and_by_email(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user, email="boss@acme.example")
    ContactFactory(customer=customer, is_primary=True, mobile="13911112222", email="")
    sms = _action(customer, channel="sms", content="节日快乐")
    email = _action(customer, channel="email", content="Season's greetings")
    client = client_for(rep_user)

    client.post(reverse("customers:care-action-send", args=[sms.pk]))
    client.post(reverse("customers:care-action-send", args=[sms.pk]))
    client.post(reverse("customers:care-action-send", args=[email.pk]))

    assert MemoryBackend.outbox == [("13911112222", "节日快乐")]
    assert [(m.to, m.body) for m in mail.outbox] == [(["boss@acme.example"], "Season's greetings")]
    sms.refresh_from_db()
    assert sms.status == CareAction.Status.DONE
    assert "13911112222" in sms.outcome
    assert SentReminder.objects.filter(key=f"care:{sms.pk}:send").exists()

    # even if the action is reopened, the message is never sent a second time
    CareAction.objects.filter(pk=sms.pk).update(status=CareAction.Status.PENDING)
    assert care_action_send(actor=rep_user, action=sms) is False
    assert len(MemoryBackend.outbox) == 1


def test_send_refuses_without_consent_and_sends_nothing(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user, consent=Customer.Consent.WITHDRAWN)
    ContactFactory(customer=customer, is_primary=True)
    action = _action(customer, channel="sms", content="Hi")

    response = client_for(rep_user).post(reverse("customers:care-action-send", args=[action.pk]), follow=True)

    assert "withdrawn consent" in response.content.decode()
    assert MemoryBackend.outbox == []
    assert not SentReminder.objects.exists()
    action.refresh_from_db()
    assert action.status == CareAction.Status.PENDING


def test_care_page_lists_due_overdue_upcoming_for_the_user_only(client_for, rep_user, other_rep, far_rep):
    today = timezone.localdate()
    mine = CustomerFactory(owner=rep_user, name="Mine Ltd.")
    due = _action(mine)
    late = _action(mine, due_on=today - timedelta(days=2))
    soon = _action(mine, due_on=today + timedelta(days=3))
    theirs = _action(CustomerFactory(owner=other_rep, name="Theirs Ltd."))
    _action(CustomerFactory(owner=far_rep, name="Far Ltd."))
    client = client_for(rep_user)

    def listed(**params):
        response = client.get(reverse("customers:care-list"), params)
        assert response.status_code == 200
        return [a.pk for a in response.context["page"]]

    assert listed() == [due.pk]
    assert listed(section="overdue") == [late.pk]
    assert listed(section="upcoming") == [soon.pk]
    assert client.get(reverse("customers:care-list")).context["counts"] == {"today": 1, "overdue": 1, "upcoming": 1}
    assert theirs.pk not in listed(assignee="all")  # a rep's scope is their own customers


def test_manager_filters_by_assignee_within_scope(client_for, manager, rep_user, other_rep, far_rep):
    _action(CustomerFactory(owner=rep_user))
    bob = _action(CustomerFactory(owner=other_rep))
    carol = _action(CustomerFactory(owner=far_rep))
    client = client_for(manager)

    by_bob = client.get(reverse("customers:care-list"), {"assignee": other_rep.pk}).context["page"]
    everyone = client.get(reverse("customers:care-list"), {"assignee": "all"}).context["page"]
    outside = client.get(reverse("customers:care-list"), {"assignee": far_rep.pk}).context["page"]

    assert [a.pk for a in by_bob] == [bob.pk]
    assert carol.pk not in [a.pk for a in everyone]
    assert len(everyone) == 2
    assert [a.pk for a in outside] == []  # not a choice for this manager: falls back to their own


def test_actions_outside_scope_answer_404(client_for, rep_user, far_rep):
    action = _action(CustomerFactory(owner=far_rep))
    client = client_for(rep_user)
    for name in ("care-action-done", "care-action-skip", "care-action-send"):
        assert client.post(reverse(f"customers:{name}", args=[action.pk]), {"outcome": "x"}).status_code == 404
    action.refresh_from_db()
    assert action.status == CareAction.Status.PENDING


def test_care_page_query_count_is_flat(client_for, rep_user):
    plan = CarePlan.objects.create(name="P", occasion=CarePlan.Occasion.CUSTOM, channel="sms", date=TODAY)
    client = client_for(rep_user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("customers:care-list")).status_code == 200
        return len(queries)

    for _ in range(3):
        _action(CustomerFactory(owner=rep_user), plan=plan, contact=ContactFactory())
    few = count()
    for _ in range(20):
        _action(CustomerFactory(owner=rep_user), plan=plan, contact=ContactFactory())
    assert count() == few


def test_managers_create_and_edit_plans_and_cadences_in_the_app(client_for, manager, rep_user):
    client = client_for(manager)
    missing_date = client.post(
        reverse("customers:care-plan-create"),
        {"name": "春节", "occasion": "holiday", "channel": "sms", "days_before": 1, "days_after_purchase": 7},
    )
    assert missing_date.status_code == 200
    assert "date" in missing_date.context["form"].errors
    assert not CarePlan.objects.exists()

    response = client.post(
        reverse("customers:care-plan-create"),
        {"name": "春节", "occasion": "holiday", "channel": "sms", "date": "2027-02-06", "days_before": 1,
         "days_after_purchase": 7, "content": "新春快乐", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    plan = CarePlan.objects.get()
    assert (plan.date, plan.content) == (date(2027, 2, 6), "新春快乐")

    client.post(
        reverse("customers:care-cadence-create"),
        {"name": "A every 14 days", "level": "A", "interval_days": 14, "channel": "phone", "is_active": "on"},
    )
    cadence = ContactCadence.objects.get()
    client.post(
        reverse("customers:care-cadence-update", args=[cadence.pk]),
        {"name": "A every 21 days", "level": "A", "interval_days": 21, "channel": "phone"},
    )
    cadence.refresh_from_db()
    assert (cadence.interval_days, cadence.is_active) == (21, False)
    assert client.get(reverse("customers:care-plan-list")).status_code == 200

    assert client_for(rep_user).get(reverse("customers:care-plan-create")).status_code == 403


def test_daily_beat_task_runs_the_generator_at_six(settings, rep_user):
    from celery.schedules import crontab

    from customers.tasks import generate_care_actions, recompute_customer_scores

    entry = settings.CELERY_BEAT_SCHEDULE["generate-care-actions"]
    assert entry["task"] == "customers.tasks.generate_care_actions"
    assert entry["schedule"] == crontab(hour=6, minute=0)
    assert settings.CELERY_BEAT_SCHEDULE["recompute-customer-scores"]["task"] == (
        "customers.tasks.recompute_customer_scores"
    )
    ContactCadence.objects.create(name="All monthly", interval_days=30)
    customer = CustomerFactory(owner=rep_user)

    generate_care_actions.apply().get()
    generate_care_actions.apply().get()
    scores = recompute_customer_scores.apply().get()

    assert CareAction.objects.filter(customer=customer).count() == 1
    assert scores["quality_changed"] == 1


def test_admin_saves_care_plans_through_the_service(client, rep_user):
    from tests.factories import UserFactory

    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:customers_careplan_add"),
        {"name": "国庆", "occasion": "holiday", "channel": "sms", "date": "2027-10-01", "days_before": 2,
         "days_after_purchase": 7, "content": "国庆快乐", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    plan = CarePlan.objects.get()
    assert BehaviourLog.objects.filter(object_type="customers.careplan", object_id=str(plan.pk), user=admin_user)
    assert client.get(reverse("admin:customers_contactcadence_changelist")).status_code == 200
