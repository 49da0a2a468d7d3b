"""Demo teams and one user per role. Safe to run again: it finds what it made before."""

from django.conf import settings
from django.contrib.auth.models import Group

from . import roles
from .models import Team, User

DEMO_PASSWORD = "crm-demo-2026"  # noqa: S105 - printed for the demo users, documented in the README

USERS = [
    # username, first, last, role, team, staff
    ("admin", "Admin", "", roles.ADMINISTRATOR, None, True),
    ("manager", "娜", "李", roles.SALES_MANAGER, "East sales", False),
    ("rep", "伟", "张", roles.SALES_REP, "East sales", False),
    ("rep2", "Emily", "Chen", roles.SALES_REP, "East sales", False),
    ("rep3", "强", "王", roles.SALES_REP, "South sales", False),
    ("marketing", "芳", "刘", roles.MARKETING, "Marketing", False),
    ("service", "David", "Wu", roles.SERVICE_AGENT, "Customer service", False),
    ("executive", "建国", "赵", roles.EXECUTIVE, None, False),
]


def seed(context):
    company, _ = Team.objects.get_or_create(name="Demo Co.", parent=None, defaults={"kind": Team.Kind.COMPANY})
    sales, _ = Team.objects.get_or_create(name="Sales", parent=company, defaults={"kind": Team.Kind.DEPARTMENT})
    teams = {
        "East sales": Team.objects.get_or_create(name="East sales", parent=sales)[0],
        "South sales": Team.objects.get_or_create(name="South sales", parent=sales)[0],
        "Marketing": Team.objects.get_or_create(
            name="Marketing", parent=company, defaults={"kind": Team.Kind.DEPARTMENT}
        )[0],
        "Customer service": Team.objects.get_or_create(
            name="Customer service", parent=company, defaults={"kind": Team.Kind.DEPARTMENT}
        )[0],
    }
    created = []
    for username, first, last, role, team, staff in USERS:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
                "team": teams.get(team),
                "is_staff": staff,
                "is_superuser": staff,
                # The demo greets everyone in the company's language, whatever their browser asks for.
                "language": settings.LANGUAGE_CODE,
            },
        )
        if not user.language:
            user.language = settings.LANGUAGE_CODE
            user.save(update_fields=["language"])
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created.append(username)
        user.groups.add(Group.objects.get(name=role))
    manager = User.objects.get(username="manager")
    Team.objects.filter(pk__in=[teams["East sales"].pk, sales.pk]).update(manager=manager)
    context["stdout"].write(context["style"].SUCCESS(f"Demo users (password {DEMO_PASSWORD}):"))
    for username, _first, _last, role, _team, _staff in USERS:
        context["stdout"].write(f"  {username:<10} {role}")
