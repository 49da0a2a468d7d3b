"""People's names, sort options, roles, teams and time zones read the same on every page, in the
reader's language."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from crm.names import full_name
from customers.filters import CustomerFilter
from sales.analytics import performance
from sales.models import Opportunity
from tests.factories import CustomerFactory, UserFactory
from tests.sales.factories import OpportunityFactory, open_stages


@pytest.mark.parametrize(
    "first, last, expected",
    [
        ("Emily", "Chen", "Emily Chen"),
        ("伟", "张", "张伟"),
        ("建国", "赵", "赵建国"),
        ("Admin", "", "Admin"),
        ("", "", ""),
    ],
)
def test_full_name_reads_western_names_first_last_and_chinese_names_family_first(first, last, expected):
    assert full_name(first, last) == expected


@pytest.mark.django_db
def test_a_user_reads_the_same_on_the_performance_page_as_everywhere(db):
    emily = UserFactory(username="rep2", first_name="Emily", last_name="Chen")
    deal = OpportunityFactory(customer=CustomerFactory(owner=emily), owner=emily, stage=open_stages()[0])
    Opportunity.objects.filter(pk=deal.pk).update(status="won", closed_at=timezone.now())
    today = timezone.localdate()
    rows = performance(opportunities=Opportunity.objects.all(), start=today - timedelta(days=1), end=today)["rows"]
    assert [row["label"] for row in rows] == ["Emily Chen"] == [str(emily)]


@pytest.mark.django_db
def test_sort_options_say_descending_in_chinese(client_for, rep_user):
    # the filter class was defined (and its choices built) at import, in another language
    with translation.override("zh-hans"):
        labels = [str(label) for _value, label in CustomerFilter(user=rep_user).form.fields["sort"].choices]
    assert "名称（降序）" in labels
    assert not any("descending" in label for label in labels)


@pytest.mark.django_db
def test_seeded_role_and_team_names_read_in_the_readers_language():
    from accounts import roles
    from accounts.models import Role
    from tests.factories import TeamFactory

    team = TeamFactory(name="East sales")
    with translation.override("zh-hans"):
        assert str(team) == "华东销售"
        assert str(Role.objects.get(name=roles.SALES_REP)) == "销售员"
        assert str(TeamFactory(name="北区")) == "北区"
    with translation.override("en"):
        assert str(team) == "East sales"


def test_the_time_zone_list_offers_the_common_zones_first_with_readable_names():
    from accounts.forms import PreferencesForm

    choices = PreferencesForm().fields["timezone"].choices
    (_common_heading, common), (_all_heading, rest) = choices[1], choices[2]
    assert [value for value, _label in common][:8] == [
        "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul",
        "Australia/Sydney", "Europe/London",
    ]  # fmt: skip
    assert "UTC" in dict(common)
    assert str(dict(common)["Asia/Shanghai"]).startswith("(UTC+08:00) ")
    assert dict(rest)["America/Argentina/Buenos_Aires"] == "(UTC-03:00) America/Argentina/Buenos Aires"
    assert len(rest) > 300 and not set(dict(common)) & set(dict(rest))


@pytest.mark.django_db
def test_demo_users_read_the_company_language(settings):
    from io import StringIO

    from django.core.management.color import no_style

    from accounts import demo
    from accounts.models import User

    settings.LANGUAGE_CODE = "zh-hans"
    demo.seed({"stdout": StringIO(), "style": no_style()})
    assert set(User.objects.filter(username__in=["rep", "rep2", "manager"]).values_list("language", flat=True)) == {
        "zh-hans"
    }


def test_the_type_column_of_tickets_events_and_campaigns_is_not_called_customer_type_in_chinese():
    # One msgid "Type" labels customers, tickets, campaigns, events and assets alike.
    from marketing.filters import EventFilter
    from service.filters import TicketFilter

    with translation.override("zh-hans"):
        labels = {str(EventFilter.base_filters["kind"].label), str(TicketFilter.base_filters["type"].label)}
    assert labels == {"类型"}
