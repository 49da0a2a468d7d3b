"""Follow-up tasks: my tasks by day in the user's time zone, create/complete/reschedule, scope, reminders."""

import smtplib
import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from crm.celery import app
from crm.models import BehaviourLog, Notification, SentReminder
from customers import tasks as celery_tasks
from customers.models import FollowUpTask
from customers.services import follow_ups as services
from tests.factories import ContactFactory, CustomerFactory, FollowUpTaskFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def _local(dt, tz):
    return dt.strftime("%Y-%m-%dT%H:%M") if tz is None else timezone.localtime(dt, tz).strftime("%Y-%m-%dT%H:%M")


# --- my tasks -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_tasks_splits_overdue_today_and_upcoming_by_the_users_own_day(client_for, rep_user):
    # Honolulu is 18 hours behind the server's Shanghai, so "today" there is a different calendar day
    # for much of the time: the sections must follow the user's zone, not the server's.
    honolulu = zoneinfo.ZoneInfo("Pacific/Honolulu")
    rep_user.timezone = "Pacific/Honolulu"
    rep_user.save()
    customer = CustomerFactory(owner=rep_user)
    local_today = timezone.localtime(timezone=honolulu).date()
    start = datetime.combine(local_today, time.min, tzinfo=honolulu)
    end = start + timedelta(days=1)
    overdue = FollowUpTaskFactory(customer=customer, title="Overdue", due_at=start - timedelta(minutes=1))
    early = FollowUpTaskFactory(customer=customer, title="Early today", due_at=start + timedelta(minutes=1))
    late = FollowUpTaskFactory(customer=customer, title="Late today", due_at=end - timedelta(minutes=1))
    upcoming = FollowUpTaskFactory(customer=customer, title="Tomorrow", due_at=end + timedelta(minutes=1))
    FollowUpTaskFactory(customer=customer, title="Closed already", due_at=start, status=FollowUpTask.Status.DONE)

    response = client_for(rep_user).get(reverse("customers:task-list"))

    assert response.status_code == 200
    assert response.context["overdue"] == [overdue]
    assert response.context["today"] == [early, late]
    assert response.context["upcoming"] == [upcoming]
    assert b"Closed already" not in response.content


@pytest.mark.django_db
def test_my_tasks_shows_only_tasks_assigned_to_me_in_my_scope(client_for, rep_user, other_rep, manager):
    mine = FollowUpTaskFactory(customer=CustomerFactory(owner=rep_user))
    FollowUpTaskFactory(customer=CustomerFactory(owner=other_rep))  # bob's
    # Assigned to alice, but the customer has since gone to bob: outside alice's scope.
    hidden = FollowUpTaskFactory(customer=CustomerFactory(owner=other_rep), assignee=rep_user)

    context = client_for(rep_user).get(reverse("customers:task-list")).context
    assert context["upcoming"] == [mine]
    assert hidden not in context["upcoming"]

    context = client_for(manager).get(reverse("customers:task-list")).context
    assert context["upcoming"] == []  # the manager sees the team's tasks elsewhere, "my tasks" are his own


def _task_page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("customers:task-list"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_my_tasks_query_count_is_flat_and_bounded(client_for, rep_user):
    now = timezone.now()

    def add(count):
        for i in range(count):
            customer = CustomerFactory(owner=rep_user)
            contact = ContactFactory(customer=customer)
            for offset in (-timedelta(days=3), timedelta(minutes=1), timedelta(days=3)):
                FollowUpTaskFactory(customer=customer, contact=contact, due_at=now + offset + timedelta(seconds=i))

    client = client_for(rep_user)
    add(5)
    few = _task_page_queries(client)
    add(35)
    many = _task_page_queries(client)
    assert few == many
    assert many <= 12


# --- create, complete, reschedule ------------------------------------------------------------------


@pytest.mark.django_db
def test_create_from_the_customer_page_by_htmx_returns_the_refreshed_card(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    due = timezone.localtime() + timedelta(days=1)
    client = client_for(rep_user)

    response = client.post(
        reverse("customers:task-create", args=[customer.pk]),
        {"title": "寄送报价单", "due_at": _local(due, None), "assignee": rep_user.pk, "notes": ""},
        **HTMX,
    )

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "customers/partials/customer_tasks.html"
    task = FollowUpTask.objects.get()
    assert (task.customer, task.assignee, task.created_by, task.title) == (customer, rep_user, rep_user, "寄送报价单")
    assert "寄送报价单" in response.content.decode()
    assert not response.context["form"].is_bound
    assert BehaviourLog.objects.filter(action="create", object_type="customers.followuptask").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value, message",
    [
        ("title", "  ", "This field is required."),
        ("due_at", "not a time", "Enter a valid date/time."),
        ("due_at", "2020-01-01T09:00", "Choose a due time in the future."),
    ],
)
def test_bad_task_input_is_shown_in_the_card_and_nothing_is_saved(client_for, rep_user, field, value, message):
    customer = CustomerFactory(owner=rep_user)
    data = {"title": "Call back", "due_at": _local(timezone.now() + timedelta(days=1), None), "assignee": rep_user.pk}
    data[field] = value

    response = client_for(rep_user).post(reverse("customers:task-create", args=[customer.pk]), data, **HTMX)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not FollowUpTask.objects.exists()


@pytest.mark.django_db
def test_a_rep_cannot_give_a_task_to_someone_else(client_for, rep_user, other_rep):
    customer = CustomerFactory(owner=rep_user)
    with pytest.raises(ValidationError) as error:
        services.task_create(
            actor=rep_user,
            customer=customer,
            data={"title": "x", "due_at": timezone.now() + timedelta(days=1), "assignee": other_rep},
        )
    assert "assignee" in error.value.message_dict
    assert not FollowUpTask.objects.exists()


@pytest.mark.django_db
def test_complete_from_my_tasks_by_htmx_removes_it_from_the_sections(client_for, rep_user):
    task = FollowUpTaskFactory(customer=CustomerFactory(owner=rep_user), title="Send contract")
    client = client_for(rep_user)

    response = client.post(reverse("customers:task-complete", args=[task.pk]), HTTP_HX_TARGET="task-sections", **HTMX)

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "customers/partials/task_sections.html"
    assert b"Send contract" not in response.content
    task.refresh_from_db()
    assert task.status == FollowUpTask.Status.DONE
    assert task.completed_at is not None
    # a second click changes nothing
    completed_at = task.completed_at
    client.post(reverse("customers:task-complete", args=[task.pk]), **HTMX)
    task.refresh_from_db()
    assert task.completed_at == completed_at
    assert BehaviourLog.objects.filter(action="update", object_type="customers.followuptask").count() == 1


@pytest.mark.django_db
def test_complete_from_the_customer_page_answers_with_the_customer_card(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    task = FollowUpTaskFactory(customer=customer)
    response = client_for(rep_user).post(
        reverse("customers:task-complete", args=[task.pk]), HTTP_HX_TARGET="customer-tasks", **HTMX
    )
    assert [t.name for t in response.templates][0] == "customers/partials/customer_tasks.html"
    assert response.context["tasks"] == []


@pytest.mark.django_db
def test_plain_post_complete_redirects_back(client_for, rep_user):
    task = FollowUpTaskFactory(customer=CustomerFactory(owner=rep_user))
    response = client_for(rep_user).post(
        reverse("customers:task-complete", args=[task.pk]), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:task-list")


@pytest.mark.django_db
def test_reschedule_moves_the_due_time_and_refuses_the_past(client_for, rep_user):
    task = FollowUpTaskFactory(customer=CustomerFactory(owner=rep_user))
    client = client_for(rep_user)
    new_due = (timezone.localtime() + timedelta(days=5)).replace(second=0, microsecond=0)

    response = client.post(
        reverse("customers:task-reschedule", args=[task.pk]), {"due_at": _local(new_due, None)}, **HTMX
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.due_at == new_due

    response = client.post(reverse("customers:task-reschedule", args=[task.pk]), {"due_at": "2020-05-01T10:00"}, **HTMX)
    assert "Choose a due time in the future." in response.context["error"]
    assert "Choose a due time in the future." in response.content.decode()
    task.refresh_from_db()
    assert task.due_at == new_due


@pytest.mark.django_db
def test_another_reps_task_answers_404_and_is_left_alone(client_for, rep_user, other_rep):
    theirs = FollowUpTaskFactory(customer=CustomerFactory(owner=other_rep))
    future = _local(timezone.now() + timedelta(days=9), None)
    client = client_for(rep_user)

    assert client.post(reverse("customers:task-complete", args=[theirs.pk]), **HTMX).status_code == 404
    assert client.post(reverse("customers:task-reschedule", args=[theirs.pk]), {"due_at": future}).status_code == 404
    assert client.get(reverse("customers:customer-tasks", args=[theirs.customer_id])).status_code == 404
    response = client.post(
        reverse("customers:task-create", args=[theirs.customer_id]), {"title": "x", "due_at": future}, **HTMX
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == FollowUpTask.Status.OPEN
    assert FollowUpTask.objects.count() == 1


@pytest.mark.django_db
def test_services_refuse_tasks_outside_the_actors_scope(rep_user, other_rep):
    theirs = FollowUpTaskFactory(customer=CustomerFactory(owner=other_rep))
    with pytest.raises(PermissionDenied):
        services.task_complete(actor=rep_user, task=theirs)
    with pytest.raises(PermissionDenied):
        services.task_reschedule(actor=rep_user, task=theirs, due_at=timezone.now() + timedelta(days=1))
    theirs.refresh_from_db()
    assert theirs.status == FollowUpTask.Status.OPEN


@pytest.mark.django_db
def test_customer_card_is_loaded_lazily_with_the_open_tasks(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    open_task = FollowUpTaskFactory(customer=customer, title="Open one")
    FollowUpTaskFactory(customer=customer, title="Closed one", status=FollowUpTask.Status.DONE)
    client = client_for(rep_user)
    page = client.get(customer.get_absolute_url()).content.decode()
    assert reverse("customers:customer-tasks", args=[customer.pk]) in page
    assert "Open one" not in page
    card = client.get(reverse("customers:customer-tasks", args=[customer.pk]), **HTMX)
    assert card.context["tasks"] == [open_task]


# --- reminders ------------------------------------------------------------------------------------


class FailOnceBackend(EmailBackend):
    """The locmem backend, except that the first message of a test fails as an unreachable server would."""

    failures_left = 0

    def send_messages(self, messages):
        if FailOnceBackend.failures_left:
            FailOnceBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("mail server went away")
        return super().send_messages(messages)


FAIL_ONCE = "tests.customers.test_tasks.FailOnceBackend"


@pytest.fixture
def fail_once(settings):
    settings.EMAIL_BACKEND = FAIL_ONCE
    FailOnceBackend.failures_left = 1
    yield
    FailOnceBackend.failures_left = 0


def _due_soon_and_overdue(user):
    customer = CustomerFactory(owner=user, name="Acme")
    now = timezone.now()
    soon = FollowUpTaskFactory(customer=customer, title="Call Acme", due_at=now + timedelta(minutes=30))
    late = FollowUpTaskFactory(customer=customer, title="Send quote", due_at=now - timedelta(hours=2))
    later = FollowUpTaskFactory(customer=customer, title="Next month", due_at=now + timedelta(days=30))
    done = FollowUpTaskFactory(
        customer=customer, title="Finished", due_at=now - timedelta(hours=1), status=FollowUpTask.Status.DONE
    )
    return soon, late, later, done


@pytest.mark.django_db
def test_reminders_go_out_once_however_often_the_job_runs(rep_user, settings):
    settings.TASK_REMINDER_LEAD_MINUTES = 60
    soon, late, _later, _done = _due_soon_and_overdue(rep_user)

    first = services.task_reminders_send()
    second = services.task_reminders_send()
    third = services.task_reminders_send()

    assert first == {"due": 1, "overdue": 1, "skipped": 0, "failed": 0}
    assert second == third == {"due": 0, "overdue": 0, "skipped": 0, "failed": 0}
    titles = sorted(Notification.objects.filter(user=rep_user).values_list("title", flat=True))
    assert titles == ["Follow-up due soon: Call Acme", "Follow-up overdue: Send quote"]
    assert sorted(m.subject for m in mail.outbox) == titles
    assert all(m.to == [rep_user.email] for m in mail.outbox)
    assert set(SentReminder.objects.values_list("key", flat=True)) == {
        services.reminder_key(soon, "due"),
        services.reminder_key(late, "overdue"),
    }


@pytest.mark.django_db
def test_a_second_run_skips_sent_reminders_in_the_query_itself(rep_user):
    """The database computes the same key as Python, so nothing already sent is even tried again."""
    _due_soon_and_overdue(rep_user)
    services.task_reminders_send()
    with CaptureQueriesContext(connection) as queries:
        services.task_reminders_send()
    assert not [q for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(queries) <= 4


@pytest.mark.django_db
def test_lead_time_setting_decides_what_is_due_soon(rep_user, settings):
    settings.TASK_REMINDER_LEAD_MINUTES = 10
    _due_soon_and_overdue(rep_user)
    assert services.task_reminders_send() == {"due": 0, "overdue": 1, "skipped": 0, "failed": 0}
    settings.TASK_REMINDER_LEAD_MINUTES = 60
    assert services.task_reminders_send() == {"due": 1, "overdue": 0, "skipped": 0, "failed": 0}


@pytest.mark.django_db
def test_a_rescheduled_task_is_reminded_again_for_its_new_time(rep_user):
    soon, *_ = _due_soon_and_overdue(rep_user)
    services.task_reminders_send()
    services.task_reschedule(actor=rep_user, task=soon, due_at=timezone.now() + timedelta(minutes=45))
    assert services.task_reminders_send() == {"due": 1, "overdue": 0, "skipped": 0, "failed": 0}
    assert Notification.objects.filter(title="Follow-up due soon: Call Acme").count() == 2
    # once the new time passes, the overdue reminder follows once
    later = timezone.now() + timedelta(hours=1)
    assert services.task_reminders_send(now=later)["overdue"] == 1
    assert services.task_reminders_send(now=later)["overdue"] == 0


@pytest.mark.django_db
def test_reminders_show_the_due_time_in_the_assignees_time_zone(rep_user):
    rep_user.timezone = "Europe/London"
    rep_user.save()
    customer = CustomerFactory(owner=rep_user, name="华信")
    due = (timezone.now() + timedelta(minutes=20)).replace(second=0, microsecond=0)
    FollowUpTaskFactory(customer=customer, title="回访", due_at=due)
    services.task_reminders_send()
    notification = Notification.objects.get()
    assert "回访" in notification.title
    london = timezone.localtime(due, zoneinfo.ZoneInfo("Europe/London"))
    assert formats.date_format(london, "SHORT_DATETIME_FORMAT") in notification.body
    assert london.hour != timezone.localtime(due).hour  # London is not the server's Shanghai
    assert notification.url == customer.get_absolute_url()


@pytest.mark.django_db
def test_batches_cover_every_task(rep_user):
    customer = CustomerFactory(owner=rep_user)
    for i in range(7):
        FollowUpTaskFactory(customer=customer, due_at=timezone.now() - timedelta(minutes=i + 1))
    assert services.task_reminders_send(batch_size=3)["overdue"] == 7
    assert Notification.objects.count() == 7


@pytest.mark.django_db
def test_a_failed_e_mail_rolls_back_the_reminder_and_the_next_run_sends_it(rep_user, fail_once):
    customer = CustomerFactory(owner=rep_user)
    FollowUpTaskFactory(customer=customer, title="Call", due_at=timezone.now() - timedelta(minutes=5))

    assert services.task_reminders_send() == {"due": 0, "overdue": 0, "skipped": 0, "failed": 1}
    assert not SentReminder.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []

    assert services.task_reminders_send() == {"due": 0, "overdue": 1, "skipped": 0, "failed": 0}
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_bell_shows_the_unread_reminders(client_for, rep_user):
    _due_soon_and_overdue(rep_user)
    client = client_for(rep_user)
    assert b"unread-count" not in client.get(reverse("accounts:notification-bell")).content
    services.task_reminders_send()
    response = client.get(reverse("accounts:notification-bell"), **HTMX)
    assert response.context["unread"] == 2
    assert b'id="unread-count">2<' in response.content


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_beat_task_on_a_real_worker_sends_each_reminder_once_when_queued_twice(rep_user):
    _due_soon_and_overdue(rep_user)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        first = celery_tasks.send_task_reminders.apply_async()
        second = celery_tasks.send_task_reminders.apply_async()
        results = [first.get(timeout=30), second.get(timeout=30)]

    assert sorted(r["due"] + r["overdue"] for r in results) == [0, 2]
    assert Notification.objects.filter(user=rep_user).count() == 2
    assert len(mail.outbox) == 2
    assert SentReminder.objects.count() == 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_retried_task_on_a_real_worker_sends_the_failed_reminder_exactly_once(rep_user, fail_once, monkeypatch):
    monkeypatch.setattr(celery_tasks.send_task_reminders, "default_retry_delay", 0)
    customer = CustomerFactory(owner=rep_user)
    FollowUpTaskFactory(customer=customer, title="Call", due_at=timezone.now() - timedelta(minutes=5))

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = celery_tasks.send_task_reminders.apply_async()
        # The first attempt fails on the mail server and retries; the retry sends the reminder.
        assert result.get(timeout=30) == {"due": 0, "overdue": 1, "skipped": 0, "failed": 0}
        again = celery_tasks.send_task_reminders.apply_async().get(timeout=30)
        assert again == {"due": 0, "overdue": 0, "skipped": 0, "failed": 0}

    assert FailOnceBackend.failures_left == 0
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert SentReminder.objects.count() == 1


def test_the_reminder_job_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-task-reminders"]
    assert entry["task"] == celery_tasks.send_task_reminders.name == "customers.tasks.send_task_reminders"
    assert entry["schedule"] == 5 * 60
    assert settings.TASK_REMINDER_LEAD_MINUTES == 60


@pytest.mark.django_db
def test_a_reminder_is_skipped_and_recorded_when_the_assignee_can_no_longer_see_the_customer(rep_user, far_rep):
    customer = CustomerFactory(owner=rep_user, name="Moved away")
    task = FollowUpTaskFactory(customer=customer, title="Call", due_at=timezone.now() - timedelta(minutes=5))
    # The customer went to another team after the task was given: alice may no longer see it.
    customer.owner, customer.team = far_rep, far_rep.team
    customer.save()

    assert services.task_reminders_send() == {"due": 0, "overdue": 0, "skipped": 1, "failed": 0}
    assert not Notification.objects.exists()
    assert mail.outbox == []
    # Recorded: the key is spent, so later runs do not try it again.
    assert SentReminder.objects.filter(key=services.reminder_key(task, "overdue")).exists()
    assert services.task_reminders_send() == {"due": 0, "overdue": 0, "skipped": 0, "failed": 0}


@pytest.mark.django_db
def test_only_tasks_that_fell_due_within_the_window_get_an_overdue_reminder(rep_user, settings):
    """The first run after switching reminders on does not announce every old open task."""
    settings.TASK_OVERDUE_REMINDER_WINDOW_HOURS = 24
    customer = CustomerFactory(owner=rep_user)
    now = timezone.now()
    FollowUpTaskFactory(customer=customer, title="Last month", due_at=now - timedelta(days=30))
    FollowUpTaskFactory(customer=customer, title="Two days ago", due_at=now - timedelta(hours=49))
    FollowUpTaskFactory(customer=customer, title="This morning", due_at=now - timedelta(hours=3))

    assert services.task_reminders_send()["overdue"] == 1
    assert list(Notification.objects.values_list("title", flat=True)) == ["Follow-up overdue: This morning"]

    settings.TASK_OVERDUE_REMINDER_WINDOW_HOURS = 72
    assert services.task_reminders_send()["overdue"] == 1  # the wider window takes in "Two days ago"


def test_the_overdue_window_defaults_to_a_day(settings):
    assert settings.TASK_OVERDUE_REMINDER_WINDOW_HOURS == 24
