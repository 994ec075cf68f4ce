"""Two partners and a stranger on one machine, sharing one folder."""

import glob
import os
import re
import shutil

import pexpect

from duettest import DUET, DuetTestCase, World, read_text

CODE = re.compile(r"safety code: (\d{4}(?: \d{4}){4})$", re.M)


class Partners(DuetTestCase):
    def setUp(self):
        super().setUp()
        self.alex = self.me
        self.sam = World(self.root, "sam")
        self.stranger = World(self.root, "stranger")
        self.shared = os.path.join(self.root, "shared")

    def invite(self, message="Would you try this with me? No rush."):
        r = self.alex.run("invite", "--name", "Alex", "--message", message, "--shared", self.shared)
        self.assertOk(r)
        files = glob.glob(os.path.join(self.shared, "duet-invitation-*.txt"))
        self.assertEqual(len(files), 1)
        return files[0]

    def link(self):
        invitation = self.invite()
        r = self.sam.run("invite", "accept", invitation, "--yes", "--name", "Sam")
        self.assertOk(r)
        r2 = self.alex.run("invite", "status")
        self.assertOk(r2)
        return CODE.search(r.stdout).group(1), CODE.search(r2.stdout).group(1)

    def share_files(self):
        return sorted(glob.glob(os.path.join(self.shared, "duet-share-*.duet")))

    def test_invitation_explains_and_invites_no_pressure(self):
        text = read_text(self.invite())
        self.assertIn("Would you try this with me? No rush.", text)
        self.assertIn("fine to say no", text)
        self.assertIn("skipped", text)
        self.assertIn("duet invite decline", text)

    def test_invite_accept_share_review(self):
        code_sam, code_alex = self.link()
        self.assertEqual(code_sam, code_alex, "both partners see the same safety code")
        self.assertIn("Linked with Sam", self.alex.run("invite", "status").stdout)

        secret = "the walk by the river on Sunday"
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", secret))
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/mood", "--answer", "2"))
        r = self.alex.run("share", "1", "--yes")
        self.assertOk(r)
        self.assertIn(secret, r.stdout, "sharing shows exactly what will be shared")
        self.assertEqual(len(self.share_files()), 1)

        theirs = self.sam.entries("--partner")
        self.assertEqual(len(theirs), 1)
        self.assertEqual(theirs[0]["author"], "partner")
        self.assertEqual(theirs[0]["answer"], secret)
        self.assertEqual(self.sam.entries("--mine"), [])
        # Entry 2 was never shared: it stays in Alex's journal only.
        self.assertNotIn("2", [e["answer"] for e in theirs])
        r = self.alex.run("share", "--list")
        self.assertOk(r)
        self.assertIn("#1", r.stdout)
        # Nothing readable in the shared folder.
        for needle in (secret, "e2e/note", "remember about today"):
            self.assertEqual(self.sam.files_containing(needle), [])
            hits = [p for p in self.alex.files_containing(needle) if p.startswith(self.shared)]
            self.assertEqual(hits, [])
        for f in os.listdir(self.shared):
            with open(os.path.join(self.shared, f), "rb") as fh:
                self.assertNotIn(secret.encode(), fh.read())

    def test_consent_is_never_implied(self):
        invitation = self.invite()
        r = self.sam.run("invite", "accept", invitation)
        self.assertEqual(r.returncode, 2, "no terminal and no --yes: accept refuses")
        self.assertFalse(os.path.exists(self.sam.duet_home))
        self.assertEqual(glob.glob(os.path.join(self.shared, "duet-accept-*")), [])
        self.assertOk(self.sam.run("invite", "accept", invitation, "--yes"))
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "mine"))
        r = self.alex.run("share", "1")
        self.assertEqual(r.returncode, 2, "no terminal and no --yes: share refuses")
        self.assertEqual(self.share_files(), [])

    def test_share_asks_on_a_terminal_default_no(self):
        self.link()
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "mine"))
        for reply, shared in (("", 0), ("n", 0), ("y", 1)):
            child = pexpect.spawn(DUET, ["share", "1"], env=self.alex.env(), encoding="utf-8", timeout=30)
            child.expect(r"\[y/N\]")
            child.sendline(reply)
            child.expect(pexpect.EOF)
            child.close()
            self.assertEqual(child.exitstatus, 0)
            self.assertEqual(len(self.share_files()), shared)

    def test_decline_needs_no_journal_and_is_shown_calmly(self):
        invitation = self.invite()
        r = self.sam.run("invite", "decline", invitation, "--message", "Not now. I need some time.",
                         passphrase=None)
        self.assertOk(r)
        self.assertFalse(os.path.exists(self.sam.duet_home), "declining creates no journal")
        r = self.alex.run("invite", "status")
        self.assertOk(r)
        self.assertIn("Not now. I need some time.", r.stdout)
        self.assertIn("No partner is linked", r.stdout)
        self.assertNotRegex(r.stdout.lower(), r"reject|fail|refus")

    def test_damaged_and_foreign_files_are_named_and_the_rest_still_works(self):
        self.link()
        for text in ("first", "second"):
            self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", text))
        self.assertOk(self.alex.run("share", "1", "--yes"))
        self.assertOk(self.alex.run("share", "2", "--yes"))
        tampered = self.share_files()[0]
        with open(tampered, "r+b") as f:
            f.seek(120)
            b = f.read(1)
            f.seek(120)
            f.write(bytes([b[0] ^ 1]))
        # Changed an hour ago: a file that fails its check while new may still be arriving.
        os.utime(tampered, (os.path.getmtime(tampered) - 3600,) * 2)
        r = self.sam.run("review", "--partner", "--format", "json")
        self.assertEqual(r.returncode, 4)
        self.assertIn(os.path.basename(tampered), r.stderr)
        self.assertIn("integrity", r.stderr)
        import json as _json
        self.assertEqual(len(_json.loads(r.stdout)["entries"]), 1, "the undamaged entry still arrives")

        # A stranger's message dropped into the folder is refused by name.
        other = os.path.join(self.root, "other-folder")
        self.assertOk(self.stranger.run("invite", "--name", "Eve", "--shared", other))
        eve_inv = glob.glob(os.path.join(other, "duet-invitation-*.txt"))[0]
        third = World(self.root, "third")
        self.assertOk(third.run("invite", "accept", eve_inv, "--yes"))
        self.assertOk(self.stranger.run("invite", "status"))
        self.assertOk(self.stranger.run("reflect", "--prompt", "e2e/note", "--answer", "not for you"))
        self.assertOk(self.stranger.run("share", "1", "--yes"))
        foreign = glob.glob(os.path.join(other, "duet-share-*.duet"))[0]
        shutil.copy(foreign, os.path.join(self.shared, "duet-share-foreign.duet"))
        r = self.sam.run("invite", "status")
        self.assertEqual(r.returncode, 4)
        self.assertIn("duet-share-foreign.duet", r.stderr)

    def test_copies_are_imported_once_and_conflict_copies_ignored(self):
        self.link()
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "only once"))
        self.assertOk(self.alex.run("share", "1", "--yes"))
        original = self.share_files()[0]
        self.assertEqual(len(self.sam.entries("--partner")), 1)
        shutil.copy(original, os.path.join(self.shared, "copy-of-it.duet"))
        shutil.copy(original, original.replace(".duet", ".sync-conflict-20261126-120000-ABC.duet"))
        with open(os.path.join(self.shared, "notes (conflicted copy).duet"), "wb") as f:
            f.write(b"garbage from a sync tool")
        r = self.sam.run("review", "--partner", "--format", "json")
        self.assertOk(r)
        self.assertEqual(len(self.sam.entries("--partner")), 1)

    def test_older_revision_is_refused(self):
        self.link()
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "v1"))
        self.assertOk(self.alex.run("share", "1", "--yes"))
        first = self.share_files()[0]
        aside = os.path.join(self.root, "aside.duet")
        shutil.move(first, aside)
        self.assertOk(self.alex.run("share", "1", "--yes"))
        self.assertEqual(len(self.sam.entries("--partner")), 1)
        shutil.move(aside, first)
        r = self.sam.run("review", "--partner")
        self.assertEqual(r.returncode, 4)
        self.assertIn("older", r.stderr)

    def test_mutual_reveal(self):
        self.link()
        r = self.alex.run("reflect", "--prompt", "e2e/pair", "--answer", "we cooked together", "--together")
        self.assertOk(r)
        self.assertIn("after answering or skipping the same question", r.stdout)
        self.assertEqual(self.sam.entries("--partner"), [], "hidden until Sam answers or skips it")
        self.assertNotIn("will show once", self.sam.run("invite", "status").stdout,
                         "a waiting answer is no nudge to answer")
        self.assertOk(self.sam.run("reflect", "--prompt", "e2e/pair", "--skip"))
        revealed = self.sam.entries("--partner")
        self.assertEqual([e["answer"] for e in revealed], ["we cooked together"])

    def test_together_needs_a_together_prompt(self):
        self.link()
        r = self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "x", "--together")
        self.assertEqual(r.returncode, 2)

    def test_share_without_partner(self):
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "x"))
        r = self.alex.run("share", "1", "--yes")
        self.assertEqual(r.returncode, 2)
        self.assertIn("no partner", r.stderr)
        self.assertEqual(self.alex.run("share", "1", "--yes", passphrase=None).returncode, 3)
        self.assertEqual(self.sam.run("share", "1", "--yes").returncode, 1, "no journal yet")
