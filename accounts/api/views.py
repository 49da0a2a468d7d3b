"""Users and teams, read only: the names behind the ``owner``, ``assignee`` and ``team`` ids of other records.
Everyone signed in sees them (they appear on every record page); nothing private is shown."""

from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from crm.api.permissions import TokenAccess
from crm.api.serializers import ResourceSerializer
from crm.api.viewsets import ResourceViewSet, resource

from ..models import Team, User


class UserSerializer(ResourceSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "team", "is_active"]


class TeamSerializer(ResourceSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "kind", "parent", "manager"]


class UserViewSet(ResourceViewSet):
    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated, TokenAccess]
    orderings = ("id", "username")
    default_ordering = "username"
    operations = ("list", "retrieve")

    def get_queryset(self):
        return User.objects.all()

    def list_source(self, params):
        return self.get_queryset()


class TeamViewSet(ResourceViewSet):
    serializer_class = TeamSerializer
    permission_classes = [IsAuthenticated, TokenAccess]
    orderings = ("id", "name")
    default_ordering = "name"
    operations = ("list", "retrieve")

    def get_queryset(self):
        return Team.objects.all()

    def list_source(self, params):
        return self.get_queryset()


UserViewSet = resource(UserViewSet, tag="users")
TeamViewSet = resource(TeamViewSet, tag="teams")
