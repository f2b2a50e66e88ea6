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


class JobSerializer(serializers.ModelSerializer):
    """A job as its creator reads it: state, progress, outcome, and where its file is."""

    kind_display = serializers.SerializerMethodField()
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    file_url = serializers.SerializerMethodField()

    def get_kind_display(self, obj) -> str:
        from ..jobs import kind_label

        return kind_label(obj.kind)

    def get_file_url(self, obj) -> str | None:
        if not obj.file:
            return None
        return f"/api/v1/jobs/{obj.pk}/file/"

    class Meta:
        from ..models import Job

        model = Job
        fields = [
            "id",
            "kind",
            "kind_display",
            "state",
            "state_display",
            "progress",
            "message",
            "params",
            "result",
            "input_name",
            "file_name",
            "file_url",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
        ]
