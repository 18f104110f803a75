"""Who may do what: every route, every role, and the answer each gets, in one table.

`MATRIX` has a row for every route and method in the app (except `static`) and a column for each
kind of person. A new route fails `test_every_route_has_a_row` until it is given a row, and a row
for a route that has gone fails `test_every_row_names_a_route`, so the table stays the whole truth.

The expectations come from `panel.access` (the rules) and the domain notes (who uses the tool for
what: a reader reads published minutes and nothing else, the admin manages accounts and reads no
case material), not from recording what the app answered. A row whose answer looks wrong, or
where the two disagree, says so in a comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, url_for

from panel.accounts.links import services as links
from panel.accounts.passkeys.models import Passkey
from panel.cases import services as case_services
from panel.cases.agreement import services as agreement
from panel.cases.pool import services as pool_services
from panel.cases.vocabularies import Rating, Stage, Strand
from panel.core.time import uk_today
from panel.extensions import db
from panel.insight import pdf
from panel.insight import services as insight_services
from panel.interventions import services as intervention_services
from panel.lessons import services as lesson_services
from panel.lessons.lifecycle import Move
from panel.lessons.models import LessonKind, RecommendationStatus
from panel.meetings import services as meeting_services
from panel.meetings.attendance import services as attendance
from panel.meetings.calendar import services as calendar
from panel.meetings.models import AgendaItem, MeetingStatus
from panel.minutes import services as minutes_services
from panel.minutes.key_messages import services as key_messages
from panel.minutes.key_messages.models import Audience
from panel.panels.models import Membership, PanelKind, Role
from tests import factories
from tests.cases import factories as case_factories
from tests.cases import pool_factories
from tests.conftest import PanelPeople, sign_in
from tests.interventions.conftest import intervention, live_case
from tests.meetings.factories import meeting_on

# --- The people: one column each ---------------------------------------------------------------
#
#   anonymous    nobody signed in
#   reader       reader of the Coventry panel (an Independent Advisory Group member: published
#                minutes only)
#   member       member of the Coventry panel, from Coventry Homes Partnership (housing), with a
#                passkey (and her authenticator app: everyone signs in with its code here). Housing
#                owns one of the live case's two interventions (the police own the other: she
#                reads it, and may not change it) and is
#                addressed by the recommendations, except in the rows marked "the police's" and
#                "to the police". The member owns nothing else.
#   coordinator  coordinator of the Coventry panel (police)
#   chair        chair of the Coventry panel (police)
#   admin        system administrator, on no panel: manages accounts, never reads case material
#   other panel  member of the Dudley panel, on no role at Coventry: every Coventry object is
#                someone else's
#
# Chair, coordinator and member have accepted the Coventry panel's confidentiality agreement, so
# the case material rows show the role rules, not the agreement page in front of them.
#
# --- The answers -------------------------------------------------------------------------------
#
#   OK         200: the page, or for a POST with an empty form, the form again with its errors
#   NO_CONTENT 204: done, and nothing to show (the timeout warning's "Stay signed in")
#   REDIRECT   302 elsewhere than sign-in: allowed, and sent on. Where an empty POST is enough
#              (a button: sign out, close, approve, or a form whose fields start filled in) it
#              is done, or refused by the lifecycle with a message, and the person is sent on.
#   SIGN_IN    302 to /sign-in?next=...: not signed in
#   FORBIDDEN  403: may know the thing exists, may not do this to it
#   NOT_FOUND  404: may not know the thing exists (another panel's; for a reader, anything on
#              their panel beyond its page and published minutes; anything on a panel for the
#              admin), same as a missing id
#
# Every cell is requested by a fresh client, inside a savepoint rolled back afterwards: a POST that
# does something (signs out, deletes a lesson, removes a member) never changes another cell.

OK = "200 OK"
NO_CONTENT = "204 No Content"
REDIRECT = "302 onward"
SIGN_IN = "302 to sign in"
FORBIDDEN = "403 Forbidden"
NOT_FOUND = "404 Not Found"

COLUMNS = ("anonymous", "reader", "member", "coordinator", "chair", "admin", "other panel")

GET, POST = "GET", "POST"

# fmt: off
MATRIX: dict[tuple[str, ...], tuple[str, ...]] = {
    # --- Signing in and out, your account, and what needs no account -----------------------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "accounts.account"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         OK,         OK),
    (POST, "accounts.account"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         OK,         OK),
    # Signed in already: sent home.
    (GET, "accounts.sign_in"):
        (OK,         REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    (POST, "accounts.sign_in"):
        (OK,         REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    # Done: signed out, and sent to /sign-in (without ?next=).
    (POST, "accounts.sign_out"):
        (SIGN_IN,    REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    # No sign-in under way in this browser: sent back to /sign-in (without ?next=).
    (GET, "accounts.second_factor"):
        (REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    (POST, "accounts.second_factor"):
        (REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    # "Confirm it's you" before a sensitive change: the password first (an empty form is
    # refused, with its errors)...
    (GET, "accounts.confirm"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         OK,         OK),
    (POST, "accounts.confirm"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         OK,         OK),
    # ... then the code, only moments after the password: nobody here has given it, so all are
    # sent back to give it.
    (GET, "accounts.confirm_code"):
        (SIGN_IN,    REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    (POST, "accounts.confirm_code"):
        (SIGN_IN,    REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    # ... or the passkey (the member has one), as moments after the password.
    (GET, "accounts.confirm_passkey"):
        (SIGN_IN,    REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    (POST, "accounts.confirm_passkey"):
        (SIGN_IN,    REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    # The timeout warning: "Stay signed in" (the request is the activity), and the session
    # ended when it is left unanswered (sent to /sign-in, without ?next= here).
    (POST, "accounts.keep_alive"):
        (SIGN_IN,    NO_CONTENT, NO_CONTENT, NO_CONTENT, NO_CONTENT, NO_CONTENT, NO_CONTENT),
    (POST, "accounts.timed_out"):
        (SIGN_IN,    REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    (GET, "accounts.passkey_sign_in"):
        (REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    (POST, "accounts.passkey_sign_in"):
        (REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    # Everyone here has two-factor sign-in already: sent to their account page.
    (GET, "two_factor.set_up"):
        (SIGN_IN,    REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    (POST, "two_factor.set_up"):
        (SIGN_IN,    REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    (GET, "two_factor.set_up_app"):
        (SIGN_IN,    REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    (POST, "two_factor.set_up_app"):
        (SIGN_IN,    REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    (GET, "two_factor.recovery_codes"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         OK,         OK),
    (POST, "two_factor.recovery_codes"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         OK,         OK),
    # Everyone's own passkeys: the list, and adding one (an empty POST carries no passkey: the
    # page again with the error).
    (GET, "passkeys.index"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         OK,         OK),
    (POST, "passkeys.index"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         OK,         OK),
    # The member's passkey: hers alone to name or remove; to anyone else it is Not Found. An
    # empty POST saves the name the form starts with, and removes it (she has her authenticator
    # app as well): sent to her passkeys.
    (GET, "passkeys.name"):
        (SIGN_IN,    NOT_FOUND,  OK,         NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND),
    (POST, "passkeys.name"):
        (SIGN_IN,    NOT_FOUND,  REDIRECT,   NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND),
    (GET, "passkeys.remove"):
        (SIGN_IN,    NOT_FOUND,  OK,         NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND),
    (POST, "passkeys.remove"):
        (SIGN_IN,    NOT_FOUND,  REDIRECT,   NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND),
    # Setting a password without signing in: the token in the link is the credential.
    (GET, "links.forgotten_password"):
        (OK,         OK,         OK,         OK,         OK,         OK,         OK),
    (POST, "links.forgotten_password"):
        (OK,         OK,         OK,         OK,         OK,         OK,         OK),
    (GET, "links.check_your_email"):
        (OK,         OK,         OK,         OK,         OK,         OK,         OK),
    (GET, "links.invitation", "an invitation link"):
        (OK,         OK,         OK,         OK,         OK,         OK,         OK),
    (POST, "links.invitation", "an invitation link"):
        (OK,         OK,         OK,         OK,         OK,         OK,         OK),
    (GET, "links.reset_password", "a reset link"):
        (OK,         OK,         OK,         OK,         OK,         OK,         OK),
    (POST, "links.reset_password", "a reset link"):
        (OK,         OK,         OK,         OK,         OK,         OK,         OK),
    (GET, "health.healthz"):
        (OK,         OK,         OK,         OK,         OK,         OK,         OK),
    (GET, "health.readyz"):
        (OK,         OK,         OK,         OK,         OK,         OK,         OK),
    # The secret token in the address is the credential (the member's link here), for
    # calendar apps that cannot sign in: whoever holds it gets that member's feed.
    (GET, "calendar.calendar_feed"):
        (OK,         OK,         OK,         OK,         OK,         OK,         OK),
    # Done: an empty POST creates (or resets, or stops) the person's own link.
    (POST, "calendar.issue_calendar_link"):
        (SIGN_IN,    REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    (POST, "calendar.revoke_calendar_link"):
        (SIGN_IN,    REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),

    # --- Home and each panel's page: everyone on the panel ---------------------------------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "panels.home"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         OK,         OK),
    (GET, "panels.show"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),

    # --- Administration: the admin flag, not a panel role ----------------------------------------
    # An empty POST to a form that starts filled in (user, organisation, panel, role) saves it
    # unchanged: REDIRECT.
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "admin.users"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN),
    (GET, "admin.new_user"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN),
    (POST, "admin.new_user"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN),
    # An organisation or a user is on no panel, so nobody may know of it but an admin: 404.
    # A panel, or a membership of it, is known to the people on that panel: 403 for them.
    (GET, "admin.edit_user"):
        (SIGN_IN,    NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  OK,         NOT_FOUND),
    (POST, "admin.edit_user"):
        (SIGN_IN,    NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  REDIRECT,   NOT_FOUND),
    (GET, "admin.reset_password"):
        (SIGN_IN,    NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  OK,         NOT_FOUND),
    # Done: the form is only a button, so an empty POST e-mails the member a reset link.
    (POST, "admin.reset_password"):
        (SIGN_IN,    NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  REDIRECT,   NOT_FOUND),
    (GET, "admin.reset_two_factor"):
        (SIGN_IN,    NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  OK,         NOT_FOUND),
    # Done: the form is only a button, so an empty POST resets the member's second factor.
    (POST, "admin.reset_two_factor"):
        (SIGN_IN,    NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  REDIRECT,   NOT_FOUND),
    # The member has no invitation to resend: told so, and sent on.
    (POST, "admin.resend_invitation"):
        (SIGN_IN,    NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  REDIRECT,   NOT_FOUND),
    (GET, "admin.organisations"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN),
    (GET, "admin.new_organisation"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN),
    (POST, "admin.new_organisation"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN),
    (GET, "admin.edit_organisation"):
        (SIGN_IN,    NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  OK,         NOT_FOUND),
    (POST, "admin.edit_organisation"):
        (SIGN_IN,    NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  REDIRECT,   NOT_FOUND),
    (GET, "admin.panels"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN),
    (GET, "admin.new_panel"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN),
    (POST, "admin.new_panel"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN),
    (GET, "admin.show_panel"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND),
    (GET, "admin.edit_panel"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND),
    (POST, "admin.edit_panel"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  REDIRECT,   NOT_FOUND),
    (GET, "admin.add_member"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND),
    (POST, "admin.add_member"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND),
    (GET, "admin.change_role"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND),
    (POST, "admin.change_role"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  REDIRECT,   NOT_FOUND),
    (GET, "admin.remove_member"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND),
    # Done: the form is only a button, so an empty POST removes the member.
    (POST, "admin.remove_member"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  REDIRECT,   NOT_FOUND),
    (GET, "admin.audit_trail"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN),
    (GET, "admin.audit_trail_csv"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN),
    (GET, "admin.email"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN),
    # Done: the form is only a button, so an empty POST sends the failed e-mail again.
    (POST, "admin.retry_email"):
        (SIGN_IN,    FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  REDIRECT,   FORBIDDEN),

    # --- Meetings: members see them; the chair and coordinator run them --------------------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "meetings.index"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "meetings.new"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "meetings.new"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "meetings.new_series"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "meetings.new_series"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "meetings.show"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "meetings.matters_arising"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "calendar.meeting_calendar"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "meetings.move"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "meetings.move"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "meetings.cancel"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # Cancelling (no reason given) and holding a held meeting: refused by the meeting's lifecycle
    # with a message, and sent on.
    (POST, "meetings.cancel"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "meetings.held"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (GET, "attendance.panel_settings"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # The form starts filled in with the current quorum: an empty POST saves it unchanged.
    (POST, "attendance.panel_settings"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),

    # --- Agendas and standing items: organisers; printing the agenda: members --------------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "agenda.manage_agenda"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "agenda.new_agenda_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "agenda.new_agenda_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # Case reviews from the agenda page (case material: the agreement is accepted). The meeting
    # was held and is being minuted, so its agenda is closed: refused with a message, sent back.
    (GET, "agenda.add_case_reviews"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "agenda.add_case_reviews"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (GET, "agenda.edit_agenda_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # The item is the case review's: its title (the panel's own reference) passes the guard.
    (POST, "agenda.edit_agenda_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (GET, "agenda.remove_agenda_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # Confirmation buttons: done.
    (POST, "agenda.remove_agenda_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "agenda.move_agenda_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (GET, "agenda.print_agenda"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # The panel's usual time for a case review: the form starts filled in, so an empty POST
    # saves it unchanged.
    (GET, "agenda.case_review_duration"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "agenda.case_review_duration"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (GET, "agenda.agenda_template"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "agenda.new_standing_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "agenda.new_standing_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "agenda.edit_standing_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "agenda.edit_standing_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (GET, "agenda.remove_standing_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "agenda.remove_standing_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "agenda.move_standing_item"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),

    # --- Declarations of interest: every member, for themselves ----------------------------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "agenda.declare_interest"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "agenda.declare_interest"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "agenda.withdraw_interest"):
        (SIGN_IN,    NOT_FOUND,  REDIRECT,   REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),

    # --- Attendance, guests and actions: organisers ----------------------------------------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "attendance.record_attendance"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "attendance.record_attendance"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "attendance.new_guest"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "attendance.new_guest"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "attendance.remove_guest"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (GET, "attendance.new_action"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "attendance.new_action"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "attendance.close_action"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),

    # --- Apologies before the meeting: each member their own; organisers for any member ---------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    # The usual meeting was held a fortnight ago: apologies are refused with a message (the
    # register is used now), and the person sent back to the meeting.
    (GET, "attendance.send_apologies"):
        (SIGN_IN,    NOT_FOUND,  REDIRECT,   REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "attendance.send_apologies"):
        (SIGN_IN,    NOT_FOUND,  REDIRECT,   REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "attendance.withdraw_apologies"):
        (SIGN_IN,    NOT_FOUND,  REDIRECT,   REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (GET, "attendance.record_apologies"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "attendance.record_apologies"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "attendance.withdraw_apologies_for"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    # A meeting next week, for which the member has sent apologies naming a deputy. An empty
    # POST sends apologies without a deputy; withdrawing is done (or finds none to withdraw).
    (GET, "attendance.send_apologies", "an upcoming meeting"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "attendance.send_apologies", "an upcoming meeting"):
        (SIGN_IN,    NOT_FOUND,  REDIRECT,   REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "attendance.withdraw_apologies", "an upcoming meeting"):
        (SIGN_IN,    NOT_FOUND,  REDIRECT,   REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    # An empty POST names no member: the form again.
    (GET, "attendance.record_apologies", "an upcoming meeting"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "attendance.record_apologies", "an upcoming meeting"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # The member's apologies: withdrawn.
    (POST, "attendance.withdraw_apologies_for", "an upcoming meeting"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),

    # --- Case reviews (case material): members read, organisers write ----------------------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "cases.index"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "cases.show"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "cases.new"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "cases.new"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "cases.edit"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # The form starts filled in: saved unchanged.
    (POST, "cases.edit"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    # domain.md has partner members "record findings"; the rules keep stage findings with the
    # organisers (MANAGE_CASE_REVIEWS). Reported as a question, not changed.
    (GET, "cases.findings"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "cases.findings"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "cases.agenda"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "cases.agenda"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # The second pair of eyes: a chair or coordinator, not the case review's author. The
    # coordinator wrote this one, so is sent back to it with a message (the service's refusal);
    # an empty POST does not tick the box, so the chair gets the form again.
    (GET, "cases.check"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "cases.check"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   OK,         NOT_FOUND,  NOT_FOUND),
    # Done, or refused by the case's lifecycle, and sent on.
    (POST, "cases.close"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    # --- The pool of finalised cases and its draws (case material) -------------------------------
    # Members see the draws (their record, never a reference); the chair and coordinator draw
    # (the chair selects cases, domain.md); the coordinator alone keeps the pool.
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "pool.index"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "pool.upload"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         FORBIDDEN,  NOT_FOUND,  NOT_FOUND),
    # An empty POST has no file: the form again, with its error.
    (POST, "pool.upload"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         FORBIDDEN,  NOT_FOUND,  NOT_FOUND),
    # The coordinator's own upload, waiting: confirmed (saved) or cancelled, and sent on.
    (GET, "pool.preview"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         FORBIDDEN,  NOT_FOUND,  NOT_FOUND),
    (POST, "pool.preview"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   FORBIDDEN,  NOT_FOUND,  NOT_FOUND),
    (POST, "pool.cancel"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   FORBIDDEN,  NOT_FOUND,  NOT_FOUND),
    (GET, "pool.add"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         FORBIDDEN,  NOT_FOUND,  NOT_FOUND),
    (POST, "pool.add"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         FORBIDDEN,  NOT_FOUND,  NOT_FOUND),
    # An empty POST does not tick "I want to...": the form again.
    (GET, "pool.discard"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         FORBIDDEN,  NOT_FOUND,  NOT_FOUND),
    (POST, "pool.discard"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         FORBIDDEN,  NOT_FOUND,  NOT_FOUND),
    (GET, "pool.draw"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "pool.draw"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "pool.show"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "pool.repeat"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # Accepting the agreement: anyone who may open case reviews. An empty POST does not tick
    # the box, so it is the form again.
    (GET, "agreement.agreement_page"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "agreement.agreement_page"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # The chair alone sets the text; an empty POST saves it unchanged (and asks everyone to
    # accept it again).
    (GET, "agreement.edit_agreement"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "agreement.edit_agreement"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  REDIRECT,   NOT_FOUND,  NOT_FOUND),

    # --- Lessons learnt: members read, organisers record -----------------------------------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    # Across panels: anyone who reads lessons somewhere (the other panel's member too).
    (GET, "lessons.register"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         FORBIDDEN,  OK),
    (GET, "lessons.register_csv"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         FORBIDDEN,  OK),
    (GET, "lessons.panel_register"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "lessons.panel_register_csv"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "lessons.show"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "lessons.new_for_case"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "lessons.new_for_case"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "lessons.new_for_meeting"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "lessons.new_for_meeting"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "lessons.edit"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "lessons.edit"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (GET, "lessons.delete"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # Done: the form is only a button, so an empty POST deletes the lesson.
    (POST, "lessons.delete"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),

    # --- Recommendations: the addressed organisation answers, the chair signs off ----------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "lessons.recommendation"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "lessons.new_recommendation"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "lessons.new_recommendation"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "lessons.edit_recommendation"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "lessons.edit_recommendation"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    # Housing's recommendation: the member answers for housing; organisers record a reply sent
    # by letter.
    (GET, "lessons.respond"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "lessons.respond"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # Addressed to the police: the housing member may read it, not answer it.
    (GET, "lessons.respond", "to the police"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "lessons.respond", "to the police"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "lessons.implement", "accepted"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "lessons.implement", "accepted"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "lessons.close", "implemented"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND,  NOT_FOUND),
    # Closing needs no note: done.
    (POST, "lessons.close", "implemented"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (GET, "lessons.withdraw"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "lessons.withdraw"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND,  NOT_FOUND),

    # --- Live cases (local panels): members see them, organisers manage them ---------------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "live_cases.index"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "live_cases.show"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "live_cases.new"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "live_cases.new"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "live_cases.edit"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "live_cases.edit"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (GET, "live_cases.close"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "live_cases.close"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "live_cases.intervention_types"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "live_cases.intervention_types"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "live_cases.retire_intervention_type"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "live_cases.restore_intervention_type"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),

    # --- Interventions: every member sees them all; the owning organisation and the organisers ---
    # --- change them; readers never know one exists ----------------------------------------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    # Across panels: anyone who may see interventions somewhere (the other panel's member too).
    (GET, "interventions.mine"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         FORBIDDEN,  OK),
    (GET, "interventions.panel_interventions"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "interventions.panel_interventions_csv"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # The chair and coordinator agree one for any organisation on the panel; a member logs what
    # their own organisation agreed (the form fixes the owner, the service refuses another).
    (GET, "interventions.new_for_case"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "interventions.new_for_case"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "interventions.new_for_place"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "interventions.new_for_place"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # Housing's intervention: the member's organisation owns it. Readers never see
    # interventions.
    (GET, "interventions.show"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # The police's intervention: the housing member reads it (one picture per live case)...
    (GET, "interventions.show", "the police's"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "interventions.update"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # ...and may not change it: she knows it exists, so 403.
    (POST, "interventions.update", "the police's"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # Reassigning is the organisers': the member may see it (403), a reader may not (404).
    (GET, "interventions.reassign"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "interventions.reassign"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "interventions.reassign", "the police's"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # Amending (type, what was agreed, due date) is the organisers' too, e.g. for one a partner
    # logged. An empty POST leaves the form's fields empty: the form again with its errors.
    (GET, "interventions.amend"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "interventions.amend"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),

    # --- Minutes: members read every draft, organisers write, the chair approves and publishes ---
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "minutes.show"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "minutes.pdf"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "minutes.versions", "published minutes"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "minutes.version", "published minutes"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "minutes.compare", "version 1 with itself"):
        (SIGN_IN,    NOT_FOUND,  OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # Buttons on the draft minutes: "start" finds them started and goes on to the notes; the
    # steps are refused without the version the page was drawn from. Sent on either way.
    (GET, "minutes.start"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "minutes.start"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (GET, "minutes.edit"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # The notes form starts filled in: saved unchanged.
    (POST, "minutes.edit"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "minutes.submit"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "minutes.send_back"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  REDIRECT,   NOT_FOUND,  NOT_FOUND),
    # The approval confirmation: these minutes are a draft, so the chair is sent back to them.
    (GET, "minutes.approve"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "minutes.approve"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  REDIRECT,   NOT_FOUND,  NOT_FOUND),
    # Whether the approver may be the drafter: the chair's; an empty POST is asked again.
    (GET, "minutes.approver_rule"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "minutes.approver_rule"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND,  NOT_FOUND),
    # An empty POST does not tick "I have checked": the form again.
    (GET, "minutes.publish", "approved minutes"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "minutes.publish", "approved minutes"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "minutes.new_version"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),

    # --- Key messages: the organisers write them with the minutes; a member may know of them ------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    (GET, "key_messages.index"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "key_messages.new"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # An empty form: asked again, with its errors.
    (POST, "key_messages.new"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "key_messages.edit"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (POST, "key_messages.edit"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "key_messages.remove"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # A button: removed, and sent back to the list.
    (POST, "key_messages.remove"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    (POST, "key_messages.move"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  REDIRECT,   REDIRECT,   NOT_FOUND,  NOT_FOUND),
    # Published with the minutes, as a page and a PDF marked OFFICIAL: everyone on the panel,
    # readers included (the PDF is what is shared beyond it).
    (GET, "key_messages.published"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "key_messages.published_pdf"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "key_messages.archive"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # Minutes approved but never published have no published key messages, for anyone.
    (GET, "key_messages.published", "approved minutes' key messages"):
        (SIGN_IN,    NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND),

    # --- Insight: the chair and coordinator; readers are never told it exists --------------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    # Across the panels the person chairs or coordinates: the admin and the other panel's member
    # organise none (403); a reader only reads minutes, so the page is Not Found for them.
    (GET, "insight.index"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         FORBIDDEN,  FORBIDDEN),
    (GET, "insight.index_csv", "an insight table"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         FORBIDDEN,  FORBIDDEN),
    # A member knows the panel, and may not see its insight (403); to a reader it is Not Found.
    (GET, "insight.panel_insight"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "insight.panel_csv", "an insight table"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # The annual report: the organisers produce it (an empty POST names no year: the page again
    # with the error) and download the full version; readers never learn of either.
    (POST, "insight.produce_annual_report"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "insight.annual_report_pdf"):
        (SIGN_IN,    NOT_FOUND,  FORBIDDEN,  OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # The reader-safe version, once produced: everyone on the panel, readers included.
    (GET, "insight.reader_safe_pdf"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    # A year not produced is Not Found to everyone, readers included.
    (GET, "insight.reader_safe_pdf", "a year not produced"):
        (SIGN_IN,    NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND,  NOT_FOUND),

    # --- Published minutes: everyone on the panel, readers included ------------------------------
    #    anonymous   reader      member      coordinator chair       admin       other panel
    # Across panels: anyone on a panel, readers included; the admin is on none.
    (GET, "minutes.index"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         FORBIDDEN,  OK),
    (GET, "minutes.panel_index"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "minutes.published"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
    (GET, "minutes.published_pdf"):
        (SIGN_IN,    OK,         OK,         OK,         OK,         NOT_FOUND,  NOT_FOUND),
}
# fmt: on

# Rows about an object other than the usual one, by the words in the row's key: which URL
# arguments they change, naming attributes of `World` (or literal values).
OBJECTS: dict[str, dict[str, str | int]] = {
    "approved minutes": {"meeting_id": "approved_meeting_id"},
    "approved minutes' key messages": {"minutes_id": "approved_minutes_id"},
    "an upcoming meeting": {"meeting_id": "upcoming_meeting_id"},
    "published minutes": {"meeting_id": "published_meeting_id", "number": 1},
    "version 1 with itself": {"meeting_id": "published_meeting_id", "from": 1, "to": 1},
    "accepted": {"recommendation_id": "accepted_recommendation_id"},
    "implemented": {"recommendation_id": "implemented_recommendation_id"},
    "to the police": {"recommendation_id": "police_recommendation_id"},
    "the police's": {"intervention_id": "police_intervention_id"},
    "an invitation link": {"token": "invitation_token"},
    "a reset link": {"token": "reset_token"},
    "an insight table": {"table": "insight_table"},
    "a year not produced": {"year": "year_not_produced"},
}


# --- The world the URLs point into -------------------------------------------------------------


@dataclass
class World:
    """Ids of one object of every kind, by the URL argument that names it, plus a few more that
    some rows use instead (see `OBJECTS`)."""

    panel_id: int
    template_item_id: int
    meeting_id: int
    agenda_item_id: int
    guest_id: int
    meeting_action_id: int
    case_review_id: int
    lesson_id: int
    recommendation_id: int
    live_case_id: int
    intervention_id: int
    intervention_type_id: int
    minutes_id: int
    key_message_id: int
    organisation_id: int
    user_id: int
    membership_id: int
    passkey_id: int
    token: str
    pool_draw_id: int
    # The coordinator's upload to the pool, waiting for confirmation.
    import_id: int
    # Instead of the usual one, for some rows.
    accepted_recommendation_id: int
    implemented_recommendation_id: int
    police_recommendation_id: int
    police_intervention_id: int
    approved_meeting_id: int
    approved_minutes_id: int
    published_meeting_id: int
    upcoming_meeting_id: int
    invitation_token: str
    reset_token: str
    # The financial year whose annual report was produced, and one whose was not.
    year: int
    year_not_produced: int
    # A table every panel's insight page has, for its CSV download.
    insight_table: str = "attendance"


def _held_meeting(people: PanelPeople, days_ago: int):
    """A meeting of the panel held `days_ago` days ago, with its standing agenda."""
    meeting = meeting_on(people.panel, days_from_now=-days_ago, status=MeetingStatus.HELD)
    meeting.agenda_items = [
        AgendaItem(position=item.position, kind=item.kind, title=item.title)
        for item in meeting_services.agenda_template(people.panel)
    ]
    db.session.commit()
    return meeting


@pytest.fixture
def world(people: PanelPeople) -> World:
    """Everything the URLs name, on the Coventry panel of `people`, built through the services."""
    panel, chair, coordinator = people.panel, people.chair, people.coordinator
    housing, police = people.member.organisation, chair.organisation
    for person in (chair, coordinator, people.member):
        agreement.accept(person, panel)

    # A meeting held a fortnight ago, minutes in draft: a case review on its agenda (with a stage
    # finding and a lesson), a guest and an action.
    meeting = _held_meeting(people, 14)
    case_review = case_factories.case_review(coordinator, panel)
    case_item = case_services.place_on_agenda(coordinator, case_review, meeting)
    case_services.record_stage_findings(
        coordinator,
        case_review,
        {Stage.INVESTIGATION: case_services.FindingDetails(Rating.SATISFACTORY, "Prompt arrest.")},
        None,
    )
    guest = attendance.add_guest(coordinator, meeting, "Priya Nair", "Tell MAMA")
    due = uk_today() + timedelta(days=21)
    action = meeting_services.add_action(
        coordinator, meeting, "Tell housing the findings.", housing, due
    )
    draft_minutes = minutes_services.start(coordinator, meeting)
    key_message = key_messages.add(
        chair,
        draft_minutes,
        key_messages.KeyMessageDetails(
            "Take the Victim Personal Statement early.", Audience.BOTH, police
        ),
    )

    # A lesson from the case, and recommendations at each point of their lifecycle.
    lesson = lesson_services.record_lesson(
        coordinator,
        lesson_services.LessonDetails(
            LessonKind.IMPROVEMENT, [Strand.RACE], "No interpreter offered.", Stage.INVESTIGATION
        ),
        case_review=case_review,
    )

    def recommendation(organisation, *moves: tuple[Move, RecommendationStatus]) -> int:
        added = lesson_services.add_recommendation(
            chair,
            lesson,
            lesson_services.RecommendationDetails(
                organisation, "Offer an interpreter first.", uk_today() + timedelta(days=60)
            ),
            notify=False,
        ).recommendation
        for move, target in moves:
            lesson_services.move_recommendation(
                coordinator, added, move, target, "Reported by letter.", added.version
            )
        return added.id

    accepted = (Move.RESPOND, RecommendationStatus.ACCEPTED)
    implemented = (Move.IMPLEMENT, RecommendationStatus.IMPLEMENTED)

    # A live case with two interventions: housing owns one, the police the other.
    case = live_case(coordinator, panel)

    # Minutes approved but not published, and minutes published.
    approved = _held_meeting(people, 28)
    approved_minutes = minutes_services.start(coordinator, approved)
    minutes_services.submit(coordinator, approved_minutes, approved_minutes.edit_version)
    minutes_services.approve(chair, approved_minutes, approved_minutes.edit_version)
    published = _held_meeting(people, 42)
    published_minutes = minutes_services.start(coordinator, published)
    key_messages.add(
        chair,
        published_minutes,
        key_messages.KeyMessageDetails(
            "Report hate crime: it is taken seriously.", Audience.COMMUNITY
        ),
    )
    minutes_services.submit(coordinator, published_minutes, published_minutes.edit_version)
    minutes_services.approve(chair, published_minutes, published_minutes.edit_version)
    minutes_services.publish(
        chair,
        published_minutes,
        published_minutes.edit_version,
        render=lambda _, created: b"%PDF-1.7\n",
        render_key_messages=lambda _, created: b"%PDF-1.7\n",
    )

    # A meeting next week, for which the member has sent apologies naming a deputy.
    upcoming = meeting_on(panel, days_from_now=7)
    attendance.send_apologies(people.member, upcoming, people.member, "Sam Collins")

    # Links the e-mails carry: an invitation for someone new, and a password reset for the member.
    invited = factories.user(email="invited@example.org", full_name="Femi Adeyemi")
    invitation_token = links.issue(people.admin, invited, links.LinkPurpose.INVITATION)
    reset_token = links.issue(people.admin, people.member, links.LinkPurpose.PASSWORD_RESET)

    # The annual report of the last complete financial year, produced (its typesetting faked).
    year = pdf.years_offered(uk_today())[0]
    insight_services.produce_annual_report(
        chair, panel, year, today=uk_today(), render=lambda _: b"%PDF-1.7\n"
    )

    # A pool of finalised cases with one draw, and an upload waiting for confirmation.
    for _ in range(3):
        pool_factories.pool_case(coordinator, panel)
    draw = pool_services.draw_cases(coordinator, panel, pool_services.DrawFilters(), 1, None)
    held = pool_services.start_import(
        coordinator, panel, "cases.csv", pool_factories.extract(pool_factories.extract_rows(3))
    )

    membership = db.session.scalar(
        db.select(Membership).filter_by(panel_id=panel.id, user_id=people.member.id)
    )
    return World(
        panel_id=panel.id,
        template_item_id=meeting_services.agenda_template(panel)[0].id,
        meeting_id=meeting.id,
        agenda_item_id=case_item.id,
        guest_id=guest.id,
        meeting_action_id=action.id,
        case_review_id=case_review.id,
        lesson_id=lesson.id,
        recommendation_id=recommendation(housing),
        live_case_id=case.id,
        intervention_id=intervention(coordinator, case, housing).id,
        intervention_type_id=intervention_services.intervention_types(panel)[0].id,
        minutes_id=published_minutes.id,
        key_message_id=key_message.id,
        organisation_id=housing.id,
        user_id=people.member.id,
        membership_id=membership.id,
        passkey_id=_passkey_of(people.member),
        token=calendar.issue_calendar_token(people.member),
        pool_draw_id=draw.id,
        import_id=held.id,
        accepted_recommendation_id=recommendation(housing, accepted),
        implemented_recommendation_id=recommendation(housing, accepted, implemented),
        police_recommendation_id=recommendation(police),
        police_intervention_id=intervention(coordinator, case, police).id,
        approved_meeting_id=approved.id,
        approved_minutes_id=approved_minutes.id,
        published_meeting_id=published.id,
        upcoming_meeting_id=upcoming.id,
        invitation_token=invitation_token,
        reset_token=reset_token,
        year=year,
        year_not_produced=year - 1,
    )


def _passkey_of(person) -> int:
    """A passkey for `person`, as if registered from their account page."""
    passkey = Passkey(
        user_id=person.id,
        credential_id=b"a credential id",
        public_key=b"a public key",
        sign_count=0,
        name="Work laptop",
        transports=["internal"],
    )
    db.session.add(passkey)
    db.session.commit()
    return passkey.id


def other_panel_member():
    """A member of another local panel, and of nothing at Coventry."""
    dudley = factories.panel("Dudley Hate Crime Panel", PanelKind.LOCAL_HATE_CRIME_PANEL, "Dudley")
    person = factories.user(email="dudley.member@example.org", full_name="Ravi Kaur")
    factories.membership(dudley, person, Role.MEMBER)
    return person


# --- Asking ------------------------------------------------------------------------------------


def outcome(response) -> str:
    """The response in the table's words."""
    if response.status_code in (301, 302, 303, 307, 308):
        location = urlsplit(response.location)
        if location.path == "/sign-in" and "next" in parse_qs(location.query):
            return SIGN_IN
        return REDIRECT
    status = HTTPStatus(response.status_code)
    return f"{status.value} {status.phrase}"


def url_of(app: Flask, world: World, endpoint: str, words: tuple[str, ...]) -> str:
    """The row's URL: each argument names the world's object, or the row's own (`OBJECTS`)."""
    rule = next((rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint), None)
    assert rule is not None, f"no route {endpoint}: remove its row from MATRIX"
    values = {}
    for argument in rule.arguments:
        values[argument] = "up" if argument == "direction" else getattr(world, argument, None)
    for word in words:
        for argument, value in OBJECTS[word].items():
            values[argument] = getattr(world, value) if isinstance(value, str) else value
    with app.test_request_context():
        return url_for(endpoint, **values)


def routes(app: Flask) -> set[tuple[str, str]]:
    """(method, endpoint) for every route the app has, but static files."""
    return {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


# --- The tests ---------------------------------------------------------------------------------


def test_every_route_has_a_row(app):
    missing = routes(app) - {key[:2] for key in MATRIX}
    assert not missing, f"add these routes to MATRIX, with the answer each person gets: {missing}"


def test_every_row_names_a_route(app):
    gone = {key[:2] for key in MATRIX} - routes(app)
    assert not gone, f"these routes no longer exist: remove their rows from MATRIX: {gone}"


def test_every_row_is_complete():
    assert all(len(row) == len(COLUMNS) for row in MATRIX.values())
    assert all(word in OBJECTS for key in MATRIX for word in key[2:])


def test_who_may_do_what(app, db, people, world, subtests, monkeypatch):
    """Each row is a subtest: a failure names the route and shows each person's answer beside
    the table's. The world is built, and everyone signed in, once: per row it would take minutes."""
    # Who gets the members' PDF is the question here, not its typesetting (a second a copy).
    monkeypatch.setattr("panel.minutes.pdf.render_pdf", lambda document: b"%PDF-1.7\n")
    visitors = {
        "reader": people.reader,
        "member": people.member,
        "coordinator": people.coordinator,
        "chair": people.chair,
        "admin": people.admin,
        "other panel": other_panel_member(),
    }
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    sessions = {}
    for column, person in visitors.items():
        client = app.test_client()
        sign_in(client, person)
        sessions[column] = client.get_cookie(cookie_name).value
    db.session.close()  # from here the requests alone use the database
    connection = db.session.get_bind()

    def answer(column: str, method: str, url: str) -> str:
        savepoint = connection.begin_nested()
        try:
            client = app.test_client()
            if column in sessions:
                client.set_cookie(cookie_name, sessions[column])
            return outcome(client.open(url, method=method))
        finally:
            savepoint.rollback()

    for key, expected in MATRIX.items():
        method, endpoint, *words = key
        with subtests.test(msg=" ".join(key)):
            url = url_of(app, world, endpoint, tuple(words))
            wrong = [
                f"{column}: the table says {should}, the app answered {answered}"
                for column, should in zip(COLUMNS, expected, strict=True)
                if (answered := answer(column, method, url)) != should
            ]
            assert not wrong, f"{method} {url}\n" + "\n".join(wrong)
