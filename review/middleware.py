"""Staff sessions: the request being served is known to the audit trail, and a session
ends after STAFF_SESSION_IDLE_MINUTES without a staff-side request or SESSION_COOKIE_AGE
after logging in, whichever comes first."""

import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.utils import timezone
from django.utils.translation import gettext as _

from . import security
from .models import StaffSession

# The session's clock and its row are touched at most this often (seconds).
TOUCH_EVERY = 60


class StaffSessionMiddleware:
    """Checks the staff session on the staff side (the admin panel, the workspace and the
    staff tools, all under ADMIN_PATH); public pages do not load the session for it."""

    def __init__(self, get_response):
        self.get_response = get_response
        languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
        self.staff_side = re.compile(rf"^/(?:{languages})/{re.escape(settings.ADMIN_PATH)}")

    def __call__(self, request):
        token = security.current_request.set(request)
        try:
            if settings.SESSION_COOKIE_NAME in request.COOKIES and self.staff_side.match(
                request.path_info
            ):
                self.check(request)
            return self.get_response(request)
        finally:
            security.current_request.reset(token)

    def check(self, request):
        session = request.session
        if SESSION_KEY not in session:
            return  # not logged in
        now = int(time.time())
        started, seen = session.get(security.LOGIN_AT), session.get(security.SEEN_AT)
        if started is None or seen is None or security.SESSION_ROW not in session:
            self.end(request, "untracked")  # opened before sessions were tracked
        elif now - seen > settings.STAFF_SESSION_IDLE_MINUTES * 60:
            self.end(request, "idle")
        elif now - started > settings.SESSION_COOKIE_AGE:
            self.end(request, "age")
        elif now - seen >= TOUCH_EVERY:
            # Still there? A coordinator may have ended it, even where the session store
            # could not be reached then. (The key changes when the password does.)
            touched = StaffSession.objects.filter(pk=session[security.SESSION_ROW]).update(
                last_seen_at=timezone.now(), session_key=session.session_key
            )
            if touched:
                session[security.SEEN_AT] = now
            else:
                self.end(request, "ended")

    def end(self, request, why):
        request.staff_session_ended = why
        logout(request)
        if why == "idle":
            text = _(
                "You were logged out after %(minutes)s minutes without activity. Log in again "
                "to continue."
            ) % {"minutes": settings.STAFF_SESSION_IDLE_MINUTES}
        else:
            text = _("Your session has ended. Log in again to continue.")
        messages.info(request, text)
