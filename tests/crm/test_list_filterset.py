"""Every list's FilterSet is a ListFilterSet (crm/filters.py): its form class is built once per class, its owner
choices (the user's scope) are built only when a value is checked against them or they are drawn, and the cached
filter fields are keyed without compiling any SQL — yet a scope change shows on the next page and a value outside
the user's choices is still refused."""

import copy
import re
from unittest import mock

import django_filters
import pytest
from django.contrib.auth.models import Group
from django.db.models.sql.compiler import SQLCompiler
from django.http import QueryDict

from accounts import roles
from accounts.models import RoleScope
from crm.filters import ListFilterSet, cached_filter_fields, filter_form_cache_key
from crm.scope import Module, Scope, visible_users, visible_users_key
from customers.filters import CommunicationFilter, CustomerFilter
from customers.models import Customer, Tag
from marketing.filters import AssetFilter, CampaignFilter, EventFilter, RegistrationFilter
from sales.filters import ContractFilter, LeadFilter, OpportunityFilter, OrderFilter, ProductFilter
from service.filters import TicketFilter
from tests.factories import TagFactory, UserFactory

WITH_USER = [CustomerFilter, CommunicationFilter, LeadFilter, OpportunityFilter, OrderFilter, ContractFilter]
WITHOUT_USER = [ProductFilter, TicketFilter, CampaignFilter, EventFilter, RegistrationFilter, AssetFilter]


def _filter_form(html: str) -> str:
    return re.search(r'<form method="get".*?</form>', html, re.S).group(0)


def _owner_values(html: str) -> set[str]:
    select = re.search(r'<select name="owner".*?</select>', _filter_form(html), re.S).group(0)
    return set(re.findall(r'value="(\d+)"', select))


def test_every_filter_set_of_the_apps_is_a_list_filter_set():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    declared = {cls for cls in subclasses(django_filters.FilterSet) if cls.__module__.endswith(".filters")}
    declared = {cls for cls in declared if not cls.__module__.startswith(("django_filters", "rest_framework"))}
    assert set(WITH_USER + WITHOUT_USER) <= declared
    assert {cls for cls in declared if not issubclass(cls, ListFilterSet)} == set()


@pytest.mark.parametrize("filterset", WITH_USER + WITHOUT_USER)
def test_the_cache_key_compiles_no_sql(filterset, manager):
    kwargs = {"user": manager} if filterset in WITH_USER else {}
    instance = filterset(QueryDict("sort=-created"), **kwargs)
    instance.form  # noqa: B018 - built before the key, as the page does
    with mock.patch.object(SQLCompiler, "as_sql", side_effect=AssertionError("compiled")):
        assert filter_form_cache_key(instance, "", "")


def test_a_cached_page_does_not_build_the_owner_choices(client_for, manager):
    client = client_for(manager)
    client.get("/customers/", {"page": "1"})
    with mock.patch("customers.filters.assignable_users", wraps=visible_users_of) as built:
        page = client.get("/customers/", {"page": "2"})
    assert page.status_code == 200
    assert built.call_count == 0


def visible_users_of(*, user, module):
    return visible_users(user, module)


def test_a_scope_change_shows_in_the_owner_choices_on_the_next_page(client_for, rep_user, far_rep):
    """A role's scope is no choice source (nothing moves the choices' generation when it changes): the owner choices
    follow it through their key."""
    client = client_for(rep_user)
    assert _owner_values(client.get("/customers/").content.decode()) == {str(rep_user.pk)}
    RoleScope.objects.update_or_create(
        group=Group.objects.get(name=roles.SALES_REP), module=Module.CUSTOMERS, defaults={"scope": Scope.ALL}
    )
    owners = _owner_values(client.get("/customers/").content.decode())
    assert {str(rep_user.pk), str(far_rep.pk)} <= owners


def test_an_owner_outside_the_scope_is_refused_and_one_inside_filters(rep_user, far_rep):
    outside = CustomerFilter(QueryDict(f"owner={far_rep.pk}"), queryset=Customer.objects.all(), user=rep_user)
    assert not outside.is_valid()
    assert "owner" in outside.errors
    inside = CustomerFilter(QueryDict(f"owner={rep_user.pk}"), queryset=Customer.objects.all(), user=rep_user)
    assert inside.is_valid()
    assert f'"owner_id" = {rep_user.pk}' in str(inside.qs.query)


def test_equal_owner_keys_are_the_same_query(rep_user, other_rep, far_rep, manager, executive):
    people = [rep_user, other_rep, far_rep, manager, executive]
    for module in (Module.CUSTOMERS, Module.SALES):
        for one in people:
            for other in people:
                same_key = visible_users_key(one, module) == visible_users_key(other, module)
                same_query = str(visible_users(one, module).query) == str(visible_users(other, module).query)
                assert same_key == same_query, (one, other, module)


def test_each_instance_has_its_own_form_fields_and_filters(manager):
    first = CustomerFilter(QueryDict("q=acme"), user=manager)
    first.form.fields["level"].widget.attrs["data-x"] = "1"
    first.form.fields["level"].choices = [("Z", "Z")]
    second = CustomerFilter(QueryDict("q=acme"), user=manager)
    assert "data-x" not in second.form.fields["level"].widget.attrs
    assert [value for value, _label in second.form.fields["level"].choices] == ["", *Customer.Level.values]
    assert second.filters["q"].parent is second
    assert second.filters["q"].filter.f is second.filters["q"]


def test_a_queryset_set_on_an_instance_still_limits_the_choices_and_keys_the_cache(db):
    class TagOnly(ListFilterSet):
        tag = django_filters.ModelChoiceFilter(field_name="tags", queryset=Tag.objects.all())

        class Meta:
            model = Customer
            fields = []

        def __init__(self, *args, name, **kwargs):
            super().__init__(*args, **kwargs)
            self.filters["tag"].queryset = Tag.objects.filter(name=name)

    gold, silver = TagFactory(name="gold"), TagFactory(name="silver")
    golden = TagOnly(QueryDict(f"tag={silver.pk}"), name="gold")
    assert [str(tag) for tag in golden.form.fields["tag"].queryset] == ["gold"]
    assert not golden.is_valid()
    assert TagOnly(QueryDict(f"tag={gold.pk}"), name="gold").is_valid()
    assert filter_form_cache_key(TagOnly(name="gold")) != filter_form_cache_key(TagOnly(name="silver"))
    assert filter_form_cache_key(TagOnly(name="gold")) == filter_form_cache_key(TagOnly(name="gold"))


def test_a_user_with_another_scope_gets_other_owner_choices_from_the_cache(client_for, manager, rep_user, far_rep):
    UserFactory(username="outsider")
    manager_owners = _owner_values(client_for(manager).get("/customers/").content.decode())
    rep_owners = _owner_values(client_for(rep_user).get("/customers/").content.decode())
    assert str(rep_user.pk) in manager_owners and str(far_rep.pk) not in manager_owners
    assert rep_owners == {str(rep_user.pk)}


@pytest.mark.parametrize("filterset", WITH_USER + WITHOUT_USER)
def test_each_form_field_is_the_copy_django_would_make(filterset, manager):
    """The fields a form copies from its class (crm.filters._copy_field) are what ``copy.deepcopy`` makes of them:
    equal, and nothing mutable shared with the class or another form."""
    kwargs = {"user": manager} if filterset in WITH_USER else {}
    base_fields = filterset(**kwargs)._prototype.form_class.base_fields
    ours = filterset(**kwargs).form.fields
    for name, original in base_fields.items():
        django, copied = copy.deepcopy(original), ours[name]
        assert type(copied) is type(django) or name in filterset(**kwargs).limited, name
        assert type(copied.widget) is type(django.widget), name
        assert copied.widget.attrs == django.widget.attrs and copied.widget.attrs is not original.widget.attrs
        assert copied.error_messages == django.error_messages and copied.error_messages is not original.error_messages
        assert copied.validators == django.validators and copied.validators is not original.validators
        if name in filterset(**kwargs).limited:
            continue
        if hasattr(original, "queryset"):
            assert str(copied.queryset.query) == str(django.queryset.query)
            assert copied.queryset is not original.queryset
        if hasattr(original, "choices"):
            assert _shown(copied.choices) == _shown(django.choices), name
            assert _shown(copied.widget.choices) == _shown(django.widget.choices), name
            if hasattr(copied.choices, "field"):
                assert copied.choices.field is copied


def _shown(choices):
    return [(str(value), str(label)) for value, label in choices]


def test_a_field_of_another_kind_is_deep_copied(db):
    class Several(ListFilterSet):
        tags = django_filters.ModelMultipleChoiceFilter(field_name="tags", queryset=Tag.objects.all())

        class Meta:
            model = Customer
            fields = []

    first, second = Several().form.fields["tags"], Several().form.fields["tags"]
    assert first is not second and first.widget is not second.widget
    assert first.queryset is not second.queryset


class _CustomerChoices(ListFilterSet):
    """Choices read from a table outside CHOICE_SOURCES: customers change without moving the generation."""

    customer = django_filters.ModelChoiceFilter(field_name="pk", queryset=Customer.objects.all())

    class Meta:
        model = Customer
        fields = []


class _OwnersAsCustomers(ListFilterSet):
    owner = django_filters.ModelChoiceFilter(queryset=None)

    class Meta:
        model = Customer
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices("owner", Customer.objects.all, key="customers")


def test_choices_declared_from_another_table_are_never_cached(db):
    assert filter_form_cache_key(_CustomerChoices()) is None


def test_limited_choices_from_another_table_are_drawn_each_time(db):
    drawn = []

    def render(filterset):
        drawn.append(filterset)
        return "".join(str(field) for field in filterset.form)

    for _ in range(2):
        filterset = _OwnersAsCustomers()
        cached_filter_fields(filterset, lambda filterset=filterset: render(filterset))
    assert len(drawn) == 2


def test_an_inactive_users_empty_owner_choices_are_drawn_and_cached(db):
    inactive = UserFactory(username="gone", is_active=False)
    drawn = []
    for _ in range(2):
        filterset = CustomerFilter(user=inactive)
        html = cached_filter_fields(
            filterset, lambda filterset=filterset: drawn.append(1) or str(filterset.form["owner"])
        )
    assert len(drawn) == 1
    assert 'name="owner"' in html
