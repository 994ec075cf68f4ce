"""The shared folder through real sync engines: two homes on this machine link
and exchange through two Syncthing instances (over 127.0.0.1 only), and through
git (a bare repository and two clones, driven by the README's wrapper).

Every scenario runs on both engines: the whole life of a link; files arriving
out of order; an engine's temporary files and conflict copies; the same message
under two names; files deleted by the other side; a file read half-written.
Nothing may be lost, shown twice, revealed early, or reported as damage."""

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from duettest import DUET, World
from syncengines import GIT, SYNCTHING, GitPair, SyncthingPair, visible_files, wait_for

CODE = re.compile(r"safety code: (\d{4}(?: \d{4}){4})")
ENTRY = re.compile(r"\bentry (\d+)\b")
SETTLE_SECONDS = 45  # the longest any one change may take to cross


class Side:
    """One partner: a home of their own, and their copy of the shared folder."""

    def __init__(self, case, world, folder):
        self.case = case
        self.world = world
        self.folder = folder

    def path(self, name):
        return os.path.join(self.folder, name)

    def files(self, pattern="*"):
        return sorted(n for n in visible_files(self.folder) if fnmatch.fnmatch(n, pattern))

    def messages(self, kind):
        """duet's own files of this kind (duet-share-ID.duet, ...), no copies."""
        return self.files_matching(rf"duet-{kind}-[0-9a-f]{{32}}\.duet")

    def files_matching(self, regex):
        return sorted(n for n in visible_files(self.folder) if re.fullmatch(regex, n))

    def run(self, *args, ok=True):
        r = self.case.engine_run(self, args)
        if ok:
            self.case.assertOk(r)
            self.case.assertNotIn("refused", r.stderr, "nothing in the folder is reported")
        return r

    def write(self, answer, *extra, prompt="e2e/note"):
        args = ("reflect", "--prompt", prompt, "--answer", answer, *extra)
        if "--together" in extra:
            r = self.run(*args)  # it shares: through the engine
        else:
            r = self.world.run(*args)  # stays in the journal: no need to sync
            self.case.assertOk(r)
        return ENTRY.search(r.stdout).group(1)

    def partner_answers(self):
        r = self.run("review", "--partner", "--format", "json")
        return sorted(e["answer"] for e in json.loads(r.stdout)["entries"])


class Scenarios:
    """The scenarios, for any engine; a subclass provides the engine."""

    engine_name = ""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="duet-sync-")
        self.root = self._tmp.name
        self.addCleanup(self._tmp.cleanup)
        alex_folder, sam_folder = self.make_folders()
        self.alex = Side(self, World(self.root, "alex"), alex_folder)
        self.sam = Side(self, World(self.root, "sam"), sam_folder)

    def assertOk(self, r, msg=None):
        self.assertEqual(r.returncode, 0, msg or f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")

    # --- steps shared by the scenarios --------------------------------------------------

    def invite(self, inviter, invitee, name):
        inviter.run("invite", "--name", name, "--shared", inviter.folder)
        self.settle()
        found = invitee.files("duet-invitation-*.txt")
        self.assertEqual(len(found), 1, found)
        return invitee.path(found[0])

    def link(self):
        invitation = self.invite(self.alex, self.sam, "Alex")
        r = self.sam.run("invite", "accept", invitation, "--yes", "--name", "Sam")
        status = self.alex.run("invite", "status")
        self.assertIn("Linked with Sam", status.stdout)
        self.assertEqual(CODE.search(r.stdout).group(1), CODE.search(status.stdout).group(1),
                         "both see the same safety code")

    def sealed_files(self, side):
        return side.files("*.duet")

    # --- the scenarios ------------------------------------------------------------------

    def test_a_link_from_invitation_to_leaving_and_again(self):
        self.link()
        # Sharing both ways; how long from `duet share` to the partner's
        # `duet review --partner` showing it goes in the log.
        a1 = self.alex.write("from alex")
        start = time.monotonic()
        self.alex.run("share", a1, "--yes")
        self.assertEqual(self.sam.partner_answers(), ["from alex"])
        type(self).message_times.append(time.monotonic() - start)
        s1 = self.sam.write("from sam")
        start = time.monotonic()
        self.sam.run("share", s1, "--yes")
        self.assertEqual(self.alex.partner_answers(), ["from sam"])
        type(self).message_times.append(time.monotonic() - start)
        # A together answer: not revealed before Sam answers or skips the same prompt.
        self.alex.write("our walk", "--together", prompt="e2e/pair")
        self.assertEqual(self.sam.partner_answers(), ["from alex"], "nothing revealed early")
        self.sam.run("reflect", "--prompt", "e2e/pair", "--skip")
        self.assertEqual(self.sam.partner_answers(), ["from alex", "our walk"])
        # Taking one back: gone from Sam's journal; the withdrawal, once read, leaves both folders.
        self.alex.run("share", "--withdraw", a1)
        self.assertEqual(self.sam.partner_answers(), ["our walk"])
        self.settle()
        self.assertEqual(self.alex.files("duet-withdraw-*"), [])
        self.assertEqual(self.sam.files("duet-withdraw-*"), [])
        # Sam leaves; Alex's duet says so once; nothing sealed is left on either side.
        r = self.sam.run("invite", "leave", "--yes", "--keep-received")
        self.assertIn("has ended", r.stdout)
        r = self.alex.run("invite", "status")
        self.assertIn("ended the link", r.stderr)
        self.assertIn("No partner is linked", r.stdout)
        self.assertNotIn("ended the link", self.alex.run("invite", "status").stderr, "said once")
        self.settle()
        self.assertEqual(self.sealed_files(self.alex), [])
        self.assertEqual(self.sealed_files(self.sam), [])
        self.assertEqual(self.alex.partner_answers(), ["from sam"], "kept (the default)")
        # Sam invites again; Alex accepts; a new share crosses, the old ones stay single.
        invitation = self.invite(self.sam, self.alex, "Sam")
        self.alex.run("invite", "accept", invitation, "--yes", "--name", "Alex")
        a3 = self.alex.write("second time")
        self.alex.run("share", a3, "--yes")
        self.assertEqual(self.sam.partner_answers(), ["our walk", "second time"])
        self.assertIn("Linked with Alex", self.sam.run("invite", "status").stdout)
        s2 = self.sam.write("back again")
        self.sam.run("share", s2, "--yes")
        self.assertEqual(self.alex.partner_answers(), ["back again", "from sam"])

    def test_files_arriving_out_of_order(self):
        # 1. Sam's entry reaches Alex before Sam's acceptance does.
        invitation = self.invite(self.alex, self.sam, "Alex")
        self.hold("duet-accept-*")
        self.sam.run("invite", "accept", invitation, "--yes", "--name", "Sam")
        s1 = self.sam.write("sent right after accepting")
        self.sam.run("share", s1, "--yes")
        self.settle()
        self.assertEqual(len(self.alex.messages("share")), 1, "the entry is there first")
        self.assertEqual(self.alex.files("duet-accept-*"), [])
        r = self.alex.run("invite", "status")
        self.assertNotIn("Linked with", r.stdout)
        self.assertEqual(self.alex.partner_answers(), [])
        self.release()
        self.assertEqual(self.alex.partner_answers(), ["sent right after accepting"],
                         "kept waiting, not lost")
        self.assertIn("Linked with Sam", self.alex.run("invite", "status").stdout)

        # 2. A withdrawal reaches Sam before the entry it takes back.
        self.hold("duet-share-*")
        before = self.alex.messages("share")
        a1 = self.alex.write("our walk", "--together", prompt="e2e/pair")
        late = [n for n in self.alex.messages("share") if n not in before]
        self.assertEqual(len(late), 1)
        with open(self.alex.path(late[0]), "rb") as f:
            late_bytes = f.read()
        self.alex.run("share", "--withdraw", a1)
        self.assertEqual(self.sam.partner_answers(), [], "the withdrawal arrives alone")
        self.release()
        # Then the entry turns up after all (a slow device, a restored backup).
        with open(self.alex.path(late[0]), "wb") as f:
            f.write(late_bytes)
        self.settle()
        self.assertEqual(self.sam.files(late[0]), [late[0]])
        self.sam.run("reflect", "--prompt", "e2e/pair", "--skip")
        self.assertEqual(self.sam.partner_answers(), [], "withdrawn first: never shown")
        self.assertEqual(self.alex.partner_answers(), ["sent right after accepting"])

        # 3. Sam ends the link and invites again at once; the new invitation arrives
        # and is accepted before the leave notice does: the notice, about the link
        # that was, must not end the new one.
        self.hold("duet-leave-*")
        self.sam.run("invite", "leave", "--yes")
        before = self.alex.files("duet-invitation-*.txt")
        self.sam.run("invite", "--name", "Sam", "--shared", self.sam.folder)
        self.settle()
        new = [n for n in self.alex.files("duet-invitation-*.txt") if n not in before]
        self.assertEqual(len(new), 1)
        self.alex.run("invite", "accept", self.alex.path(new[0]), "--yes", "--name", "Alex")
        self.assertIn("Linked with Alex", self.sam.run("invite", "status").stdout)
        self.release()
        self.assertEqual(len(self.alex.messages("leave")), 1, "the notice is there now")
        r = self.alex.run("invite", "status")
        self.assertIn("Linked with Sam", r.stdout)
        self.assertNotIn("ended", r.stderr)
        a2 = self.alex.write("after linking again")
        self.alex.run("share", a2, "--yes")
        self.assertEqual(self.sam.partner_answers(), ["after linking again"])
        self.settle()
        self.assertEqual(self.sam.messages("leave"), [], "read, and removed")

    def test_engine_leftovers_copies_and_deletions(self):
        self.link()
        e1 = self.alex.write("only once")
        self.alex.run("share", e1, "--yes")
        self.assertEqual(self.sam.partner_answers(), ["only once"])
        name = self.sam.messages("share")[0]
        with open(self.sam.path(name), "rb") as f:
            sealed = f.read()
        stem = name[:-len(".duet")]

        # An engine's temporary files (what an interrupted transfer leaves), conflict
        # copies of every kind, and the same message again under another name.
        leftovers = {
            f".syncthing.{name}.tmp": sealed[: len(sealed) // 2],
            f"~syncthing~{name}.tmp": sealed[: len(sealed) // 3],
            f"{stem}.sync-conflict-20261202-101010-ABCDEFG.duet": sealed,
            f"{stem}.sync-conflict-20261202-101011-ABCDEFG.duet": b"DUETMS half a message",
            f"{stem} (conflicted copy 2026-12-02).duet": sealed[:100],
        }
        for n, content in leftovers.items():
            with open(self.sam.path(n), "wb") as f:
                f.write(content)
        with open(self.alex.path("duet-share-copy-of-it.duet"), "wb") as f:
            f.write(sealed)
        self.assertEqual(self.sam.partner_answers(), ["only once"], "nothing twice")

        # A new message that arrives under two names at once is taken in once.
        before = self.alex.messages("share")
        e2 = self.alex.write("twice in the folder")
        self.alex.run("share", e2, "--yes")
        second = [n for n in self.alex.messages("share") if n not in before]
        self.assertEqual(len(second), 1)
        shutil.copyfile(self.alex.path(second[0]), self.alex.path("duet-share-again.duet"))
        self.assertEqual(self.sam.partner_answers(), ["only once", "twice in the folder"])

        # Files deleted by the other side change nothing that was already taken in.
        for n in (name, second[0], "duet-share-copy-of-it.duet", "duet-share-again.duet"):
            os.remove(self.alex.path(n))
        self.settle()
        self.assertEqual(self.sam.files(name), [])
        self.assertEqual(self.sam.partner_answers(), ["only once", "twice in the folder"])
        self.assertIn(f"#{e1}", self.alex.run("share", "--list").stdout)

        # A file read while still being written (git writes in place; so do some
        # cloud drives): skipped quietly, then taken in once complete.
        self.hold("duet-share-*")
        before = self.alex.messages("share")
        e3 = self.alex.write("written slowly")
        self.alex.run("share", e3, "--yes")
        slow = [n for n in self.alex.messages("share") if n not in before]
        self.assertEqual(len(slow), 1)
        with open(self.alex.path(slow[0]), "rb") as f:
            whole = f.read()
        for cut in (0, 40, len(whole) // 2, len(whole) - 1):
            with open(self.sam.path(slow[0]), "wb") as f:
                f.write(whole[:cut])
            r = self.sam.run("review", "--partner", "--format", "json")
            self.assertNotIn("written slowly", r.stdout, f"never half-imported ({cut} bytes)")
        with open(self.sam.path(slow[0]), "wb") as f:
            f.write(whole)
        os.utime(self.sam.path(slow[0]), ns=(os.stat(self.alex.path(slow[0])).st_atime_ns,
                                             os.stat(self.alex.path(slow[0])).st_mtime_ns))
        self.assertEqual(self.sam.partner_answers(),
                         ["only once", "twice in the folder", "written slowly"])
        # A transfer that stopped half-way long ago: named once as damaged, not on
        # every run, and read again, whole, when the rest finally comes.
        e4 = self.alex.write("finished much later")
        self.alex.run("share", e4, "--yes")
        stuck = [n for n in self.alex.messages("share") if n not in before + slow]
        self.assertEqual(len(stuck), 1)
        with open(self.alex.path(stuck[0]), "rb") as f:
            whole = f.read()
        with open(self.sam.path(stuck[0]), "wb") as f:
            f.write(whole[: len(whole) // 2])
        an_hour_ago = time.time() - 3600
        os.utime(self.sam.path(stuck[0]), (an_hour_ago, an_hour_ago))
        r = self.sam.run("review", "--partner", ok=False)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(stuck[0], r.stderr)
        self.assertNotIn("finished much later", r.stdout)
        r = self.sam.run("review", "--partner", ok=False)
        self.assertOk(r)
        self.assertNotIn(stuck[0], r.stderr, "named once, not on every run")
        with open(self.sam.path(stuck[0]), "wb") as f:
            f.write(whole)
        self.assertEqual(self.sam.partner_answers(), ["finished much later", "only once",
                                                      "twice in the folder", "written slowly"])
        self.release()
        self.assertEqual(self.sam.partner_answers(), ["finished much later", "only once",
                                                      "twice in the folder", "written slowly"])
        # Leftovers of the engine are still there, and nothing ever named them.
        for n in leftovers:
            self.assertTrue(os.path.exists(self.sam.path(n)), n)
        self.assertEqual(self.alex.partner_answers(), [])

# --- Syncthing ------------------------------------------------------------------------


class ThroughSyncthing(Scenarios, unittest.TestCase):
    engine_name = "Syncthing"

    @classmethod
    def setUpClass(cls):
        assert SYNCTHING, "syncthing is not installed; `sh .ci/install-deps --test` installs it"
        cls._class_tmp = tempfile.TemporaryDirectory(prefix="duet-syncthing-")
        cls.addClassCleanup(cls._class_tmp.cleanup)
        cls.pair = SyncthingPair(cls._class_tmp.name)
        cls.addClassCleanup(cls.pair.stop)
        cls.pair.start()
        cls.message_times = []

    @classmethod
    def tearDownClass(cls):
        report(cls.engine_name, cls.pair.crossings, cls.message_times)

    def make_folders(self):
        sub = self.id().rsplit(".", 1)[-1]
        self.sub = sub
        self.held = []
        return os.path.join(self.pair.a.folder, sub), os.path.join(self.pair.b.folder, sub)

    def engine_run(self, side, args):
        self.settle()
        return side.world.run(*args)

    def _listing(self, side):
        return {n: h for n, h in visible_files(side.folder).items()
                if not any(fnmatch.fnmatch(n, p) for p in self.held)}

    def settle(self):
        start = time.monotonic()
        wait_for(lambda: self._listing(self.alex) == self._listing(self.sam), SETTLE_SECONDS,
                 "Syncthing to bring both folders in step", interval=0.05)
        took = time.monotonic() - start
        if took > 0.06:
            self.pair.crossings.add(took)

    def _set_ignores(self, patterns):
        body = json.dumps({"ignore": [f"/{self.sub}/{p}" for p in patterns]}).encode()
        for inst in (self.pair.a, self.pair.b):
            req = urllib.request.Request(
                f"http://127.0.0.1:{inst.gui_port}/rest/db/ignores?folder={self.pair.FOLDER_ID}",
                data=body, method="POST",
                headers={"X-API-Key": inst.api_key, "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=5) as resp:
                resp.read()

    def hold(self, pattern):
        """Files matching pattern stay on the side that wrote them until release()."""
        self.held.append(pattern)
        self._set_ignores(self.held)

    def release(self):
        self.held = []
        self._set_ignores([])
        for inst in (self.pair.a, self.pair.b):
            inst.scan(self.pair.FOLDER_ID)
        self.settle()

    def test_a_real_conflict_copy(self):
        """Both sides change one shared file while the devices cannot reach each
        other; Syncthing keeps the loser as NAME.sync-conflict-…, on both sides."""
        self.link()
        e1 = self.alex.write("kept once")
        self.alex.run("share", e1, "--yes")
        self.assertEqual(self.sam.partner_answers(), ["kept once"])
        name = self.sam.messages("share")[0]
        with open(self.alex.path(name), "rb") as f:
            sealed = f.read()
        for inst, peer in ((self.pair.a, self.pair.b), (self.pair.b, self.pair.a)):
            inst.api(f"/rest/system/pause?device={peer.device_id}", method="POST")
        try:
            wait_for(lambda: not self.pair.a.connected_to(self.pair.b), SETTLE_SECONDS,
                     "the devices to part")
            with open(self.sam.path(name), "wb") as f:  # a careless tool cuts it short
                f.write(sealed[: len(sealed) // 2])
            time.sleep(1.1)  # so that the other change is the newer one
            with open(self.alex.path(name), "wb") as f:  # a backup puts it back
                f.write(sealed)
            for inst in (self.pair.a, self.pair.b):
                inst.scan(self.pair.FOLDER_ID)
            wait_for(lambda: self.pair.a.idle(self.pair.FOLDER_ID)
                     and self.pair.b.idle(self.pair.FOLDER_ID), SETTLE_SECONDS, "the scans")
        finally:
            for inst, peer in ((self.pair.a, self.pair.b), (self.pair.b, self.pair.a)):
                inst.api(f"/rest/system/resume?device={peer.device_id}", method="POST")
        wait_for(lambda: self.sam.files("*.sync-conflict-*") and self.alex.files("*.sync-conflict-*"),
                 SETTLE_SECONDS, "Syncthing's conflict copy on both sides")
        self.settle()
        copies = self.sam.files("*.sync-conflict-*")
        self.assertEqual(len(copies), 1, copies)
        self.assertTrue(copies[0].startswith(name[:-len(".duet")] + ".sync-conflict-"), copies)
        with open(self.sam.path(name), "rb") as f:
            self.assertEqual(f.read(), sealed, "the newer, whole file won")
        self.assertEqual(self.sam.partner_answers(), ["kept once"])
        self.assertEqual(self.alex.partner_answers(), [])
        self.assertIn(f"#{e1}", self.alex.run("share", "--list").stdout)

    def test_syncthing_stays_on_this_machine(self):
        for inst in (self.pair.a, self.pair.b):
            opts = inst.api("/rest/config/options")
            self.assertFalse(opts["globalAnnounceEnabled"])
            self.assertFalse(opts["localAnnounceEnabled"])
            self.assertFalse(opts["relaysEnabled"])
            self.assertFalse(opts["natEnabled"])
            self.assertEqual(opts["urAccepted"], -1)
            self.assertEqual(opts["autoUpgradeIntervalH"], 0)
            self.assertFalse(opts["crashReportingEnabled"])
            self.assertEqual(opts["listenAddresses"], [f"tcp://127.0.0.1:{inst.listen_port}"])
        self.assertEqual(self.pair.sockets_not_on_loopback(), [])


# --- git ------------------------------------------------------------------------------


class ThroughGit(Scenarios, unittest.TestCase):
    engine_name = "git"

    @classmethod
    def setUpClass(cls):
        assert GIT, "git is not installed; `sh .ci/install-deps --test` installs it"
        cls.message_times = []
        cls.crossings = None

    @classmethod
    def tearDownClass(cls):
        report(cls.engine_name, cls.crossings, cls.message_times)

    def make_folders(self):
        self.git = GitPair(self.root)
        self.git.setup()
        if type(self).crossings is None:
            type(self).crossings = self.git.crossings
        self.git.crossings = type(self).crossings
        bin_dir = os.path.join(self.root, "bin")
        os.symlink(DUET, os.path.join(bin_dir, "duet"))
        self.bin_dir = bin_dir
        return self.git.a, self.git.b

    def wrapper_env(self, side):
        env = side.world.env()
        env["PATH"] = self.bin_dir + os.pathsep + env["PATH"]
        env["DUET_GIT_FOLDER"] = side.folder
        # No identity of the person's own: the wrapper commits as "duet".
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_TERMINAL_PROMPT"] = "0"
        return env

    def engine_run(self, side, args):
        return subprocess.run([self.git.wrapper, *args], env=self.wrapper_env(side),
                              capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=120)

    def sync_side(self, side):
        start = time.monotonic()
        r = subprocess.run([self.git.wrapper, "--sync"], env=self.wrapper_env(side),
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
        self.assertOk(r)
        self.assertEqual(r.stderr, "", "in step without a word")
        self.crossings.add(time.monotonic() - start)

    def settle(self):
        for side in (self.alex, self.sam, self.alex):
            self.sync_side(side)

    def hold(self, pattern):
        """Files matching pattern stay on the side that wrote them until release()."""
        for clone in (self.git.a, self.git.b):
            with open(os.path.join(clone, ".git", "info", "exclude"), "a") as f:
                f.write(pattern + "\n")

    def release(self):
        for clone in (self.git.a, self.git.b):
            open(os.path.join(clone, ".git", "info", "exclude"), "w").close()
        self.settle()

    def test_both_write_while_one_is_offline(self):
        """Sam writes while the server cannot be reached, Alex writes meanwhile; Sam's
        next run rebases onto Alex's work, and nothing is lost either way."""
        self.link()
        away = self.git.bare + ".away"
        os.rename(self.git.bare, away)
        s1 = self.sam.write("written offline")
        r = self.sam.run("share", s1, "--yes", ok=False)
        self.assertOk(r)
        self.assertIn("duet-git:", r.stderr, "says the push must wait")
        os.rename(away, self.git.bare)
        a1 = self.alex.write("written meanwhile")
        self.alex.run("share", a1, "--yes")
        self.assertEqual(self.sam.partner_answers(), ["written meanwhile"])
        self.assertEqual(self.alex.partner_answers(), ["written offline"])
        log = self.git.git(self.git.a, "log", "--format=%s").stdout
        self.assertNotIn("Merge", log, "a straight history: rebased, never merged")


def report(engine, crossings, message_times):
    lines = [f"\n[{engine}] "]
    if crossings is not None:
        lines.append(crossings.summary())
    if message_times:
        t = sorted(message_times)
        lines.append(f"; share -> partner's review: {', '.join(f'{x:.2f}' for x in t)} s")
    print("".join(lines), file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
