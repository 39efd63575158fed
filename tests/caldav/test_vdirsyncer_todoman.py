"""test_vdirsyncer_todoman.py - vdirsyncer (0.19) syncing a person's task
lists to a folder, and todoman (4.1) working on that folder, both
Debian's: tasks made and edited on either side arrive on the other, a
property the app has no field for (todoman's LOCATION) survives an edit
in the app, and a recurring task completed in todoman leaves the app one
done occurrence and the next one pending."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from account import Account, DAV


class Folder:
    """A vdirsyncer pair (the account's collections <-> a local folder,
    created on the local side as the server has them) and a todoman
    configuration on that folder."""

    def __init__(self, account):
        self.dir = tempfile.mkdtemp(prefix="vds-")
        self.local = os.path.join(self.dir, "tasks")
        os.makedirs(self.local)
        self.config = os.path.join(self.dir, "vdirsyncer.conf")
        with open(self.config, "w") as f:
            f.write(f"""[general]
status_path = "{self.dir}/status/"

[pair tasks]
a = "tasks_local"
b = "tasks_remote"
collections = ["from b"]

[storage tasks_local]
type = "filesystem"
path = "{self.local}/"
fileext = ".ics"

[storage tasks_remote]
type = "caldav"
url = "{DAV}"
username = "{account.email}"
password = "{account.app_password}"
item_types = ["VTODO"]
""")
        self.todoman = os.path.join(self.dir, "todoman.py")
        with open(self.todoman, "w") as f:
            f.write(f'path = "{self.local}/*"\n'
                    'date_format = "%Y-%m-%d"\ntime_format = "%H:%M"\n')
        self.env = dict(os.environ, TODOMAN_CONFIG=self.todoman, TZ="UTC")
        self.run("vdirsyncer", "-c", self.config, "discover", input="y\n" * 10)

    def run(self, *argv, input=None):
        p = subprocess.run(argv, env=self.env, input=input, text=True,
                           capture_output=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} exited {p.returncode}:\n"
                                 f"{p.stdout}\n{p.stderr}")
        return p.stdout

    def sync(self):
        self.run("vdirsyncer", "-c", self.config, "sync")

    def todos(self, *args):
        """todoman's view: {summary: todo} (porcelain JSON)."""
        out = self.run("todoman", "--porcelain", "list", "--status", "ANY", *args)
        return {t["summary"]: t for t in json.loads(out)}

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class VdirsyncerTodoman(unittest.TestCase):
    def setUp(self):
        self.account = Account("vdirsyncer")
        self.chores = self.account.make_list("Chores")
        self.folder = Folder(self.account)
        self.addCleanup(self.folder.close)

    def test_a_task_made_in_the_app_arrives_in_todoman(self):
        self.account.create(title="From the app", list_id=self.chores["id"],
                            due_at="2027-01-05T09:00:00Z")
        self.folder.sync()
        todo = self.folder.todos()["From the app"]
        self.assertEqual(todo["list"], str(self.chores["id"]))
        self.assertEqual(todo["due"], 1799139600)   # 2027-01-05T09:00:00Z

    def test_a_task_made_in_todoman_arrives_in_the_app(self):
        self.folder.run("todoman", "new", "-l", str(self.chores["id"]),
                        "--due", "2027-01-06 10:00", "--priority", "high",
                        "From todoman")
        self.folder.sync()
        task = self.account.task("From todoman")
        self.assertEqual(task["list_id"], self.chores["id"])
        self.assertEqual(task["due_at"], "2027-01-06T10:00:00.000000Z")
        self.assertEqual(task["priority"], "high")

    def test_edits_on_both_sides_meet(self):
        self.account.create(title="Edited in the app", list_id=self.chores["id"])
        self.folder.run("todoman", "new", "-l", str(self.chores["id"]),
                        "Edited in todoman")
        self.folder.sync()
        app_side = self.account.task("Edited in the app")
        self.account.patch(app_side["id"], title="Edited in the app, again")
        tid = self.folder.todos()["Edited in todoman"]["id"]
        self.folder.run("todoman", "edit", str(tid), "--due", "2027-02-01 08:00",
                        "--location", "Garden shed")
        self.folder.sync()
        self.folder.sync()      # the second run fetches what the first wrote
        self.assertIn("Edited in the app, again", self.folder.todos())
        task = self.account.task("Edited in todoman")
        self.assertEqual(task["due_at"], "2027-02-01T08:00:00.000000Z")
        # LOCATION has no field: it is kept, through an edit in the app too.
        self.account.patch(task["id"], description="bring gloves")
        self.folder.sync()
        todo = self.folder.todos()["Edited in todoman"]
        self.assertEqual(todo["location"], "Garden shed")
        self.assertEqual(todo["description"], "bring gloves")

    def test_a_recurring_task_completed_in_todoman_moves_on_in_the_app(self):
        self.account.create(title="Water the plants", list_id=self.chores["id"],
                            due_at="2027-01-04T09:00:00Z", recurrence="FREQ=WEEKLY")
        self.folder.sync()
        tid = self.folder.todos()["Water the plants"]["id"]
        self.folder.run("todoman", "done", str(tid))
        self.folder.sync()
        waters = [t for t in self.account.tasks() if t["title"] == "Water the plants"]
        pending = [t for t in waters if not t["completed"]]
        done = [t for t in waters if t["completed"]]
        self.assertEqual(len(pending), 1, waters)
        self.assertEqual(pending[0]["due_at"], "2027-01-11T09:00:00.000000Z")
        self.assertEqual(pending[0]["recurrence"], "FREQ=WEEKLY")
        self.assertEqual(len(done), 1, waters)
        self.assertEqual(done[0]["due_at"], "2027-01-04T09:00:00.000000Z")


if __name__ == "__main__":
    unittest.main()
