"""API v1: `GET /notifications` (paginated, newest first) and `POST /notifications/{id}/read`."""
from __future__ import annotations

import functools

from caseflow.api.blueprint import bp
from caseflow.api.schemas import Id, PageArgs, Schema, Timestamp, errors, fields, page_of
from caseflow.api.support import api_user, page_answer
from caseflow.errors import NotFound
from caseflow.notifications import services
from caseflow.notifications.models import NOTIFICATION_KINDS
from caseflow.notifications.texts import notification_text
from caseflow.translation import gettext as _
from caseflow.validation import MAX_ID


class NotificationSchema(Schema):
    id = Id(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"enum": list(NOTIFICATION_KINDS)})
    text = fields.Function(lambda n: notification_text(n.kind, n.params), dump_only=True,
                           metadata={"description": "in the language of Accept-Language"})
    participant_id = fields.Integer(dump_only=True, allow_none=True)
    task_id = fields.Integer(dump_only=True, allow_none=True)
    params = fields.Dict(dump_only=True, allow_none=True, metadata={"description": "counts and dates; never a name"})
    created_at = Timestamp(dump_only=True)
    read = fields.Function(lambda n: n.read_at is not None, dump_only=True)
    read_at = Timestamp(dump_only=True, allow_none=True)


@functools.cache  # once per process: the API blueprint is module-global
def register_routes() -> None:

    @bp.route("/notifications", methods=["GET"], endpoint="notifications_list")
    @bp.arguments(PageArgs, location="query")
    @bp.response(200, page_of(NotificationSchema))
    @errors(422)
    def notifications_list(args):
        """The token's account's notifications, newest first"""
        return page_answer(services.notifications_of(api_user().id), args)

    @bp.route("/notifications/<int:notification_id>/read", methods=["POST"], endpoint="notifications_read")
    @bp.response(200, NotificationSchema)
    @errors(404)
    def notifications_read(notification_id: int):
        """Marks one of the account's notifications as read"""
        actor = api_user()
        if notification_id > MAX_ID:
            raise NotFound(_("No such notification."))
        return services.mark_read(services.get_notification_for(actor, notification_id), actor=actor)
