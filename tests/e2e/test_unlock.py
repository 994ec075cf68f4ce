"""One unlock per sitting (SPEC §7): `duet unlock` keeps the data key in the kernel
keyring for a while, so commands need no passphrase; `duet lock`, its time running
out, a new passphrase and `duet erase` each end it, and no trace of the key is left
in a file. Each test joins a fresh session keyring of its own, so the keyrings of
whoever runs the tests are never touched; the user-keyring fallback runs in a user
namespace of its own, with a user keyring of its own."""

import base64
import json
import os
import stat
import subprocess
import sys
import time
import unittest

import pexpect

import kernel_keys
from duettest import DUET, DuetTestCase, PASSPHRASE, World

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "the long walk after the argument"

# Runs commands for the fallback test from inside a new user namespace, started
# before this process joins any session keyring (its children would inherit it).
SERVER = r"""
import json, subprocess, sys
sys.path.insert(0, sys.argv[1])
import kernel_keys
for line in sys.stdin:
    req = json.loads(line)
    if "argv" in req:
        r = subprocess.run(req["argv"], env=req["env"], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=60)
        reply = {"rc": r.returncode, "stdout": r.stdout, "stderr": r.stderr}
    else:
        own = kernel_keys.has_own_session()
        reply = {"own_session": own,
                 "session": [d for _, d in kernel_keys.duet_keys(kernel_keys.SESSION)] if own else [],
                 "user": [d for _, d in kernel_keys.duet_keys(kernel_keys.USER)]}
    print(json.dumps(reply), flush=True)
"""

_fallback = None
_fallback_why = ""


def _ask(server, request):
    server.stdin.write(json.dumps(request) + "\n")
    server.stdin.flush()
    return json.loads(server.stdout.readline())


def setUpModule():
    global _fallback, _fallback_why
    # Asked in a child: asking here would give this process a session keyring.
    probe = subprocess.run([sys.executable, "-c", "import kernel_keys; "
                            "print(kernel_keys.has_own_session())"],
                           cwd=HERE, capture_output=True, text=True, timeout=30)
    if probe.stdout.strip() != "False":
        _fallback_why = ("this login has a session keyring of its own, so there is no "
                         "fallback to try without touching the tester's keyrings")
        return
    try:
        server = subprocess.Popen(["unshare", "--user", "--map-root-user", sys.executable, "-c",
                                   SERVER, HERE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        state = _ask(server, {"keys": True})
    except (OSError, ValueError) as e:
        _fallback_why = f"no user namespace to try the fallback in ({e})"
        return
    if state["own_session"]:
        server.stdin.close()
        server.wait(timeout=30)
        _fallback_why = "the user namespace came with a session keyring"
        return
    _fallback = server


def tearDownModule():
    if _fallback is not None:
        _fallback.stdin.close()
        _fallback.wait(timeout=30)


class UnlockCase(DuetTestCase):
    def setUp(self):
        super().setUp()
        kernel_keys.join_fresh_session()
        self.addCleanup(self.drop_keys)

    def drop_keys(self):
        for key, _ in kernel_keys.duet_keys(kernel_keys.SESSION):
            kernel_keys.invalidate(key)

    def write_entries(self, world=None):
        world = world or self.me
        self.assertOk(world.run("reflect", "--prompt", "e2e/note", "--answer", SECRET))
        self.assertOk(world.run("reflect", "--prompt", "e2e/mood", "--answer", "4",
                                "--for-session"))

    def held(self):
        """(id, name) of the keys duet keeps in this test's session keyring."""
        return kernel_keys.duet_keys(kernel_keys.SESSION)

    def assertAsks(self, world=None, *args):
        """The command needs a passphrase: without one and without a terminal, exit 3."""
        r = (world or self.me).run(*(args or ("review",)), passphrase=None)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("DUET_PASSPHRASE", r.stderr)
        return r


class Sitting(UnlockCase):
    def test_one_unlock_serves_the_sitting_then_lock_ends_it(self):
        sam = World(self.root, "sam")
        shared = os.path.join(self.root, "shared")
        self.assertOk(self.me.run("invite", "--name", "Alex", "--shared", shared))
        invitation = [f for f in os.listdir(shared) if f.startswith("duet-invitation-")][0]
        self.assertOk(sam.run("invite", "accept", os.path.join(shared, invitation), "--yes",
                              "--name", "Sam"))
        self.write_entries()
        self.assertAsks()

        r = self.me.run("unlock")
        self.assertOk(r)
        self.assertIn("unlocked until", r.stdout)
        self.assertIn("for 15 minutes", r.stdout)
        self.assertIn("session", r.stdout)
        self.assertIn("anyone who can run programs as you", r.stdout)
        self.assertIn("duet lock", r.stdout)
        held = self.held()
        self.assertEqual(len(held), 1, held)
        key_id, name = held[0]
        journal_prefix = name.rsplit(":", 1)[0]
        self.assertFalse([d for _, d in kernel_keys.duet_keys(kernel_keys.USER)
                          if d.startswith(journal_prefix)], "nothing in the user keyring")
        key = kernel_keys.read(key_id)
        self.assertEqual(len(key), 32)

        # The sitting: reading, sharing, the summary, with no passphrase from anywhere.
        r = self.me.run("review", "--last", "20", passphrase=None)
        self.assertOk(r)
        self.assertIn(SECRET, r.stdout)
        r = self.me.run("share", "1", "--yes", passphrase=None)
        self.assertOk(r)
        self.assertIn("Shared entry 1", r.stdout)
        r = self.me.run("review", "--summary", passphrase=None)
        self.assertOk(r)
        self.assertEqual([e["answer"] for e in sam.entries("--partner")], [SECRET])
        # The key is this journal's alone.
        self.assertAsks(sam)

        r = self.me.run("lock")
        self.assertOk(r)
        self.assertIn("Locked", r.stdout)
        self.assertEqual(self.held(), [])
        self.assertIsNone(kernel_keys.read(key_id))
        self.assertAsks()
        r = self.me.run("lock")
        self.assertOk(r)
        self.assertIn("Nothing was unlocked", r.stdout)

        self.assertNoCopies(key)

    def assertNoCopies(self, key):
        """No file in the data folder, /tmp or /dev/shm holds the key, raw or spelled out."""
        needles = {key, key.hex().encode(), key.hex().upper().encode()}
        for b64 in (base64.b64encode(key), base64.urlsafe_b64encode(key)):
            needles |= {b64, b64.rstrip(b"=")}
        hits = []
        for root in (self.root, "/tmp", "/dev/shm"):
            for base, _, files in os.walk(root):
                for f in files:
                    path = os.path.join(base, f)
                    try:
                        # Regular files only: other tests (the unit tests run beside
                        # this one) leave FIFOs in /tmp, and opening one would wait
                        # for a writer for ever.
                        st = os.lstat(path)
                        if not stat.S_ISREG(st.st_mode) or st.st_size > 64 << 20:
                            continue
                        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
                        with os.fdopen(fd, "rb") as fh:
                            data = fh.read()
                    except OSError:
                        continue
                    hits += [path for n in needles if n in data]
        self.assertEqual(hits, [])

    def test_the_time_runs_out_by_itself(self):
        self.write_entries()
        self.assertOk(self.me.run("unlock", "--for", "2s"))
        (key_id, _), = self.held()
        # Bounded: the kernel's own timeout ends it; no timing is asserted.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r = self.me.run("review", passphrase=None)
            if r.returncode != 0:
                break
            time.sleep(0.25)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIsNone(kernel_keys.read(key_id))
        self.assertOk(self.me.run("review"), "the passphrase still opens it, as always")

    def test_a_new_passphrase_ends_it(self):
        self.write_entries()
        self.assertOk(self.me.run("unlock", "--for", "10m"))
        (key_id, name), = self.held()
        key = kernel_keys.read(key_id)
        # Changing the passphrase asks for the current one, even while unlocked.
        self.assertAsks(self.me, "passphrase")
        read_fd, write_fd = os.pipe()
        os.write(write_fd, b"a brand new passphrase\n")
        os.close(write_fd)
        r = self.me.run("passphrase", "--new-passphrase-fd", str(read_fd), pass_fds=(read_fd,))
        os.close(read_fd)
        self.assertOk(r)
        self.assertIn("has ended too", r.stdout)
        self.assertEqual(self.held(), [])
        self.assertAsks()
        # Even the same key put back under its old name is of no use: the name is
        # tied to how the key was wrapped, and a new passphrase changed that.
        kernel_keys.plant(name, key)
        self.assertAsks()
        self.assertOk(self.me.run("review", passphrase="a brand new passphrase"))

    def test_a_key_that_does_not_open_the_journal_is_refused_and_dropped(self):
        self.write_entries()
        self.assertOk(self.me.run("unlock"))
        (key_id, name), = self.held()
        kernel_keys.invalidate(key_id)
        kernel_keys.plant(name, os.urandom(32))
        self.assertAsks()
        self.assertEqual(self.held(), [], "the useless key was dropped")

    def test_unlock_asks_for_the_passphrase_like_any_command(self):
        r = self.me.run("unlock", passphrase=None)
        self.assertEqual(r.returncode, 1, "no journal yet")
        self.write_entries()
        self.assertAsks(self.me, "unlock")
        r = self.me.run("unlock", passphrase="not the passphrase")
        self.assertEqual(r.returncode, 3)
        self.assertEqual(self.held(), [])
        read_fd, write_fd = os.pipe()
        os.write(write_fd, PASSPHRASE.encode() + b"\n")
        os.close(write_fd)
        r = self.me.run("--passphrase-fd", str(read_fd), "unlock", passphrase=None,
                        pass_fds=(read_fd,))
        os.close(read_fd)
        self.assertOk(r)
        self.assertEqual(len(self.held()), 1)
        # Unlocking again asks again (a held unlock cannot renew itself), and keeps one key.
        self.assertAsks(self.me, "unlock")
        self.assertOk(self.me.run("unlock", "--for", "1h"))
        self.assertEqual(len(self.held()), 1)

    def test_durations(self):
        self.write_entries()
        for text in ("9h", "8h1s", "15", "0s", "0h0m", "1m30", "30m1h", "1h1h", "m", "-5m",
                     "1.5h", "", "9999999s"):
            r = self.me.run("unlock", "--for", text)
            self.assertEqual(r.returncode, 2, f"--for {text!r}: {r.stdout}{r.stderr}")
            self.assertIn("--for", r.stderr)
        self.assertIn("8 hours", self.me.run("unlock", "--for", "9h").stderr)
        self.assertEqual(self.held(), [])
        for text, said in (("90s", "1 minute 30 seconds"), ("1h30m", "1 hour 30 minutes"),
                           ("8h", "8 hours"), ("2h", "2 hours")):
            r = self.me.run("unlock", "--for", text)
            self.assertOk(r)
            self.assertIn(f"for {said})", r.stdout)

    def test_erase_drops_it(self):
        self.write_entries()
        self.assertOk(self.me.run("unlock"))
        self.assertEqual(len(self.held()), 1)
        self.assertOk(self.me.run("erase", "--yes", passphrase=None))
        self.assertEqual(self.held(), [])

    def test_on_a_terminal_the_held_unlock_asks_nothing(self):
        self.write_entries()
        env = self.me.env(None)
        child = pexpect.spawn(DUET, ["unlock", "--for", "5m"], env=env, encoding="utf-8",
                              timeout=30)
        self.addCleanup(child.close, force=True)
        child.expect("Passphrase for your journal: ")
        child.sendline(PASSPHRASE)
        child.expect("unlocked until")
        child.expect(pexpect.EOF)
        child = pexpect.spawn(DUET, ["review", "--last", "1"], env=env, encoding="utf-8",
                              timeout=30)
        self.addCleanup(child.close, force=True)
        child.expect(pexpect.EOF)
        self.assertNotIn("Passphrase", child.before)
        self.assertIn("How light did today feel?", child.before)


class UserKeyringFallback(DuetTestCase):
    """Where programs get no session keyring of their own (containers, CI), duet keeps
    the key in the user keyring instead, and says so."""

    def setUp(self):
        super().setUp()
        if _fallback is None:
            self.skipTest(_fallback_why)

    def there(self, *args, passphrase=PASSPHRASE):
        r = _ask(_fallback, {"argv": [DUET, *args], "env": self.me.env(passphrase)})
        return subprocess.CompletedProcess(args, r["rc"], r["stdout"], r["stderr"])

    def test_falls_back_to_the_user_keyring(self):
        self.assertOk(self.there("reflect", "--prompt", "e2e/note", "--answer", SECRET))
        r = self.there("unlock", "--for", "5m")
        self.assertOk(r)
        self.assertIn("user keyring", r.stdout)
        self.assertIn("also after you log out", r.stdout)
        state = _ask(_fallback, {"keys": True})
        self.assertEqual(state["session"], [])
        self.assertEqual(len(state["user"]), 1, state)
        r = self.there("review", passphrase=None)
        self.assertOk(r)
        self.assertIn(SECRET, r.stdout)
        self.assertOk(self.there("lock"))
        self.assertEqual(_ask(_fallback, {"keys": True})["user"], [])
        r = self.there("review", passphrase=None)
        self.assertEqual(r.returncode, 3, r.stderr)


if __name__ == "__main__":
    unittest.main()
