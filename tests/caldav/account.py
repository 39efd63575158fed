"""account.py - what the CalDAV client tests need of the JSON API: a fresh
account with an app password, and its tasks and lists as the app sees
them. Standard library only (the clients under test bring their own)."""
import json
import os
import urllib.request
import uuid

API = os.environ["API_URL"]            # http://127.0.0.1:PORT/api
DAV = os.environ["DAV_URL"]            # API + "/dav/"


def call(method, path, token=None, body=None):
    """One JSON API request: (status, parsed body or None)."""
    req = urllib.request.Request(API + path, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, data) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else None


class Account:
    """A new account (signup) with one app password."""

    def __init__(self, prefix):
        self.email = f"{prefix}-{uuid.uuid4().hex[:12]}@example.org"
        status, out = call("POST", "/auth/signup",
                           body={"email": self.email, "password": "correct horse battery"})
        assert status == 201, (status, out)
        self.token = out["token"]
        self.id = out["user"]["id"]
        status, out = call("POST", "/auth/app-passwords", self.token, {"name": prefix})
        assert status == 201, (status, out)
        self.app_password = out["password"]
        self.home = f"{DAV}{self.id}/"

    def tasks(self):
        status, out = call("GET", "/tasks?limit=100", self.token)
        assert status == 200, (status, out)
        return out

    def task(self, title):
        found = [t for t in self.tasks() if t["title"] == title]
        assert len(found) == 1, (title, found)
        return found[0]

    def lists(self):
        status, out = call("GET", "/lists", self.token)
        assert status == 200, (status, out)
        return out

    def inbox(self):
        return [l for l in self.lists() if l["inbox"]][0]

    def create(self, **fields):
        status, out = call("POST", "/tasks", self.token, fields)
        assert status == 201, (status, out)
        return out

    def patch(self, task_id, **fields):
        status, out = call("PATCH", f"/tasks/{task_id}", self.token, fields)
        assert status == 200, (status, out)
        return out

    def make_list(self, name):
        status, out = call("POST", "/lists", self.token, {"name": name})
        assert status == 201, (status, out)
        return out
