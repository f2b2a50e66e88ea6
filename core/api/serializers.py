from rest_framework import serializers

from ..audit_labels import action_label
from ..models import AuditLog


class AuditLogSerializer(serializers.ModelSerializer):
    # The account name as recorded: it stays when the account is deleted.
    actor = serializers.CharField(source="actor_name", read_only=True)
    action_display = serializers.SerializerMethodField()

    def get_action_display(self, obj) -> str:
        return str(action_label(obj.action))

    class Meta:
        model = AuditLog
        fields = [
            "id",
            "at",
            "actor",
            "address",
            "action",
            "action_display",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "reason",
            "seq",
        ]
