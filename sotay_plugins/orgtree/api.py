from rest_framework import serializers, viewsets

from . import scope
from .models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = ["id", "code", "name", "short_name", "kind", "parent", "level", "is_active"]


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations the caller may see: their own units (as a member) and the subtrees they manage.

    Filters: ``?parent=<id>`` (children of a unit), ``?kind=cell``.
    """

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        qs = scope.visible_to(self.request.user, Organisation.objects.order_by("tree_id", "lft"))
        parent = self.request.query_params.get("parent")
        if parent and parent.isdigit():
            qs = qs.filter(parent_id=int(parent))
        kind = self.request.query_params.get("kind")
        if kind:
            qs = qs.filter(kind=kind)
        return qs
