"""test_python_caldav.py - Debian's python3-caldav (0.11, the library
behind many scripts and the caldav-based tools) against the module:
discovery, listing, create, update, complete, delete and sync, each
checked through the JSON API too. Run with PYTHON_CALDAV_DEBUGMODE=
DEVELOPMENT (run.sh), so that the library's own checks of our answers
raise instead of logging."""
import re
import unittest

import caldav
from caldav.lib import error

from account import Account, DAV, call

ICAL = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//python-caldav test//EN\r\n"
        "BEGIN:VTODO\r\nUID:{uid}\r\nDTSTAMP:20261201T100000Z\r\nSUMMARY:{summary}\r\n"
        "{extra}END:VTODO\r\nEND:VCALENDAR\r\n")


def client(account):
    return caldav.DAVClient(url=DAV, username=account.email,
                            password=account.app_password)


def inbox_calendar(account):
    cals = client(account).principal().calendars()
    return [c for c in cals if c.name == "Inbox"][0]


class PythonCaldav(unittest.TestCase):
    def test_discovery_finds_the_principal_and_each_list(self):
        a = Account("pycaldav-discover")
        a.make_list("Errands")
        principal = client(a).principal()
        self.assertEqual(str(principal.url), "http://" + DAV.split("//", 1)[1] + a.id + "/")
        self.assertEqual(sorted(c.name for c in principal.calendars()), ["Errands", "Inbox"])

    def test_a_todo_saved_by_the_client_is_a_task_in_the_app(self):
        a = Account("pycaldav-save")
        cal = inbox_calendar(a)
        cal.save_todo(ICAL.format(uid="save-1@example.org", summary="Renew passport",
                                  extra="DUE:20261224T090000Z\r\nPRIORITY:1\r\n"
                                        "CATEGORIES:errands,paper\r\n"))
        t = a.task("Renew passport")
        self.assertEqual(t["due_at"], "2026-12-24T09:00:00.000000Z")
        self.assertEqual(t["priority"], "high")
        self.assertEqual(t["tags"], ["errands", "paper"])

    def test_a_task_made_in_the_app_is_a_todo_of_the_client(self):
        a = Account("pycaldav-app")
        a.create(title="Made in the app", description="with a note")
        todos = inbox_calendar(a).todos()
        self.assertEqual(len(todos), 1)
        self.assertIn("SUMMARY:Made in the app", todos[0].data)
        self.assertIn("DESCRIPTION:with a note", todos[0].data)

    def test_an_update_by_the_client_changes_the_task(self):
        a = Account("pycaldav-update")
        cal = inbox_calendar(a)
        todo = cal.save_todo(ICAL.format(uid="upd-1", summary="Old title", extra=""))
        todo.load()
        todo.data = todo.data.replace("SUMMARY:Old title", "SUMMARY:New title")
        todo.save()
        self.assertEqual([t["title"] for t in a.tasks()], ["New title"])

    def test_completing_by_the_client_completes_the_task(self):
        a = Account("pycaldav-complete")
        cal = inbox_calendar(a)
        todo = cal.save_todo(ICAL.format(uid="done-1", summary="Finish me", extra=""))
        todo.load()
        todo.complete()
        self.assertTrue(a.task("Finish me")["completed"])
        self.assertEqual(cal.todos(), [])
        self.assertEqual(len(cal.todos(include_completed=True)), 1)

    def test_deleting_by_the_client_deletes_the_task(self):
        a = Account("pycaldav-delete")
        cal = inbox_calendar(a)
        todo = cal.save_todo(ICAL.format(uid="del-1", summary="Delete me", extra=""))
        todo.delete()
        self.assertEqual(a.tasks(), [])

    def test_todo_by_uid_finds_the_task(self):
        a = Account("pycaldav-uid")
        cal = inbox_calendar(a)
        cal.save_todo(ICAL.format(uid="by-uid-1", summary="First", extra=""))
        cal.save_todo(ICAL.format(uid="by-uid-2", summary="Second", extra=""))
        self.assertIn("SUMMARY:Second", cal.todo_by_uid("by-uid-2").data)

    def test_a_sync_token_brings_changes_and_deletions(self):
        a = Account("pycaldav-sync")
        cal = inbox_calendar(a)
        kept = a.create(title="Stays")
        gone = a.create(title="Goes")
        first = cal.objects_by_sync_token(load_objects=True)
        self.assertEqual(len(list(first)), 2)
        a.patch(kept["id"], title="Stays, renamed")
        self.assertEqual(call("DELETE", f"/tasks/{gone['id']}", a.token)[0], 204)
        a.create(title="New")
        changes = cal.objects_by_sync_token(sync_token=first.sync_token, load_objects=True)
        got = {str(o.url).rsplit("/", 1)[1]: o.data for o in changes}
        self.assertEqual(len(got), 3)
        self.assertEqual(sum(1 for d in got.values() if d is None), 1)   # the deletion
        self.assertEqual(sorted(re.search(r"^SUMMARY:(.*)$", d, re.M).group(1).strip()
                                for d in got.values() if d), ["New", "Stays\\, renamed"])
        again = cal.objects_by_sync_token(sync_token=changes.sync_token)
        self.assertEqual(list(again), [])

    def test_another_account_cannot_reach_these_tasks(self):
        a = Account("pycaldav-iso-a")
        b = Account("pycaldav-iso-b")
        inbox_calendar(a).save_todo(ICAL.format(uid="private", summary="Private", extra=""))
        self.assertEqual([c.name for c in client(b).principal().calendars()], ["Inbox"])
        foreign = caldav.Calendar(client=client(b), url=f"{a.home}{a.inbox()['id']}/")
        with self.assertRaises(error.NotFoundError):
            foreign.todos()

    def test_the_accounts_own_password_does_not_sign_in(self):
        a = Account("pycaldav-own")
        own = caldav.DAVClient(url=DAV, username=a.email, password="correct horse battery")
        with self.assertRaises(error.AuthorizationError):
            own.principal()


if __name__ == "__main__":
    unittest.main()
