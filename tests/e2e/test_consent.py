"""Consent both ways and the link's first moment: declines that say exactly what
the person chose, names never sent silently, leaving a link, taking a share
back, competing answers, and a shared folder someone else can write to."""

import getpass
import glob
import json
import os
import re
import sqlite3
import subprocess

from duettest import DUET, DuetTestCase, World, read_text

CODE = re.compile(r"safety code: (\d{4}(?: \d{4}){4})")
TALLY = re.compile(r"\d+ entr(y|ies)\b.*\d+ entr(y|ies)\b", re.I | re.S)


class Consent(DuetTestCase):
    def setUp(self):
        super().setUp()
        self.alex = self.me
        self.sam = World(self.root, "sam")
        self.eve = World(self.root, "eve")
        self.shared = os.path.join(self.root, "shared")

    def invite(self, *extra):
        self.assertOk(self.alex.run("invite", "--name", "Alex", "--shared", self.shared, *extra))
        files = sorted(glob.glob(os.path.join(self.shared, "duet-invitation-*.txt")),
                       key=os.path.getmtime)
        return files[-1]

    def link(self, name="Sam"):
        invitation = self.invite()
        args = ["--name", name] if name else []
        r = self.sam.run("invite", "accept", invitation, "--yes", *args)
        self.assertOk(r)
        status = self.alex.run("invite", "status")
        self.assertOk(status)
        return CODE.search(r.stdout).group(1), CODE.search(status.stdout).group(1)

    def files(self, pattern):
        return sorted(glob.glob(os.path.join(self.shared, pattern)))

    def partner_answers(self, world):
        return [e["answer"] for e in world.entries("--partner")]

    # --- declines ---------------------------------------------------------------

    def test_a_decline_says_exactly_what_was_chosen_and_is_shown_first(self):
        invitation = self.invite()
        r = self.sam.run("invite", "decline", invitation, passphrase=None)
        self.assertOk(r)
        self.assertIn("This is exactly what Alex will read:", r.stdout)
        self.assertIn("No, thank you.", r.stdout)
        decline = self.files("duet-decline-*.txt")[0]
        text = read_text(decline)
        self.assertTrue(text.startswith("No, thank you.\n"), text)
        human = text.split("-- duet decline 1 --")[0].strip()
        self.assertEqual(human, "No, thank you.", "duet adds nothing of its own")
        status = self.alex.run("invite", "status")
        self.assertOk(status)
        self.assertIn("No, thank you.", status.stdout)
        for nudge in ("for now", "last word", "whenever you would like", "duet invite` writes",
                      "try again", "maybe"):
            self.assertNotIn(nudge, status.stdout.lower())
            self.assertNotIn(nudge, text.lower())
        # Both files have served their purpose once the answer is in Alex's journal.
        self.assertEqual(self.files("duet-decline-*.txt"), [])
        self.assertEqual(self.files("duet-invitation-*.txt"), [])
        self.assertIn("No, thank you.", self.alex.run("invite", "status").stdout, "kept in the journal")

    def test_not_now_and_own_words(self):
        invitation = self.invite()
        self.assertOk(self.sam.run("invite", "decline", invitation, "--not-now", "--message",
                                   "I need some time on my own.", passphrase=None))
        text = read_text(self.files("duet-decline-*.txt")[0])
        self.assertEqual(text.split("-- duet decline 1 --")[0].strip(),
                         "Not now.\nI need some time on my own.")

    def test_a_declined_invitation_cannot_be_accepted(self):
        invitation = self.invite()
        aside = os.path.join(self.root, "kept-copy.txt")
        with open(invitation) as src, open(aside, "w") as dst:
            dst.write(src.read())
        self.assertOk(self.sam.run("invite", "decline", invitation, passphrase=None))
        r = self.sam.run("invite", "accept", invitation, "--yes")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("declined", r.stderr)
        self.assertFalse(os.path.exists(self.sam.duet_home), "nothing was created")
        # Alex's duet takes the decline in; a later acceptance of a kept copy is refused there.
        self.assertOk(self.alex.run("invite", "status"))
        self.assertOk(self.sam.run("invite", "accept", aside, "--yes", "--shared", self.shared))
        r = self.alex.run("invite", "status")
        self.assertEqual(r.returncode, 4)
        self.assertIn("declined", r.stderr)
        self.assertIn("No partner is linked", r.stdout)
        r = self.alex.run("invite", "status")
        self.assertOk(r)
        self.assertNotIn("declined invitation", r.stderr, "a refusal is reported once")

    # --- names --------------------------------------------------------------------

    def test_accepting_never_sends_the_login_name(self):
        invitation = self.invite()
        r = self.sam.run("invite", "accept", invitation, "--yes")
        self.assertOk(r)
        self.assertIn("gives no name", r.stdout)
        status = self.alex.run("invite", "status")
        self.assertOk(status)
        self.assertIn("Linked with your partner", status.stdout)
        login = getpass.getuser()
        for out in (status.stdout, status.stderr):
            self.assertNotRegex(out, r"\b%s\b" % re.escape(login))

    # --- the invitation file ----------------------------------------------------------

    def test_the_invitation_puts_the_human_words_first(self):
        text = read_text(self.invite("--message", "Would you try this with me?"))
        first = text.splitlines()[0]
        self.assertEqual(first, "Alex would like to keep a duet journal alongside you.")
        head, machine = text.split("-- duet invitation 1 --")
        self.assertIn("Would you try this with me?", head)
        self.assertIn("fear, threats, violence or control", head)
        self.assertRegex(machine, r"^\nid: [0-9a-f]{32}\n")
        self.assertNotIn("is above", text)

    # --- leaving ----------------------------------------------------------------------

    def test_either_side_can_leave_and_both_can_link_again(self):
        self.link()
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "from alex"))
        self.assertOk(self.alex.run("share", "1", "--yes"))
        self.assertEqual(self.partner_answers(self.sam), ["from alex"])
        self.assertOk(self.sam.run("reflect", "--prompt", "e2e/note", "--answer", "from sam"))
        # Alex's entry arrived first, so Sam's own is entry 2 in Sam's journal.
        self.assertEqual([e["id"] for e in self.sam.entries("--mine")], [2])
        self.assertOk(self.sam.run("share", "2", "--yes"))

        r = self.sam.run("invite", "leave")
        self.assertEqual(r.returncode, 2, "no terminal and no --yes: leave refuses")
        r = self.sam.run("invite", "leave", "--yes", "--keep-received")
        self.assertOk(r)
        self.assertIn("has ended", r.stdout)
        # Nothing of Sam's is left in the folder but the notice.
        sams = [f for f in os.listdir(self.shared) if f.startswith(("duet-share", "duet-accept"))]
        self.assertEqual(len(self.files("duet-leave-*.duet")), 1)
        self.assertEqual(self.partner_answers(self.sam), ["from alex"], "kept, as asked")
        self.assertIn("No partner is linked", self.sam.run("invite", "status").stdout)

        first = self.alex.run("review")
        self.assertOk(first)
        self.assertIn("ended the link", first.stderr)
        self.assertNotRegex(first.stderr, r"(?i)why|reason|sorry|hope")
        again = self.alex.run("review")
        self.assertOk(again)
        self.assertNotIn("ended", again.stderr, "said once")
        self.assertIn("No partner is linked", self.alex.run("invite", "status").stdout)
        self.assertEqual(self.files("*.duet"), [], "every sealed file has left the folder")
        self.assertEqual(sams, [f for f in sams if not os.path.exists(os.path.join(self.shared, f))])

        # Linking again works, from either side.
        self.assertOk(self.sam.run("invite", "--name", "Sam", "--shared", self.shared))
        invitation = [f for f in self.files("duet-invitation-*.txt")][0]
        self.assertOk(self.alex.run("invite", "accept", invitation, "--yes", "--name", "Alex"))
        # Alex shares at once: Sam's duet takes in the new acceptance and the entry in one run,
        # and must not mistake the entry for a message from the link that ended.
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "second time"))
        self.assertOk(self.alex.run("share", "2", "--yes"))
        self.assertIn("second time", self.partner_answers(self.sam))

        # Leaving from the other side, removing what was received.
        r = self.alex.run("invite", "leave", "--yes", "--remove-received", "--message", "Take care.")
        self.assertOk(r)
        self.assertEqual(self.partner_answers(self.alex), [])
        r = self.sam.run("invite", "status")
        self.assertIn("ended the link", r.stderr)
        self.assertIn("Take care.", r.stderr)

    # --- taking a share back ---------------------------------------------------------

    def test_withdraw_before_and_after_reading(self):
        self.link()
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "unread one"))
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "read one"))
        self.assertOk(self.alex.run("share", "2", "--yes"))
        self.assertEqual(self.partner_answers(self.sam), ["read one"])
        self.assertOk(self.alex.run("share", "1", "--yes"))
        r = self.alex.run("share", "--withdraw", "1", "2")
        self.assertOk(r)
        self.assertIn("cannot undo", r.stdout)
        self.assertEqual(self.files("duet-share-*.duet"), [], "the shared files are gone")
        self.assertEqual(self.partner_answers(self.sam), [])
        self.assertEqual(self.files("duet-withdraw-*.duet"), [], "read withdrawals are removed")
        self.assertNotIn("#1", self.alex.run("share", "--list").stdout)
        # What is not shared cannot be withdrawn; nothing changes.
        r = self.alex.run("share", "--withdraw", "1")
        self.assertEqual(r.returncode, 2)
        # Sharing again later works, and is not mistaken for the withdrawn copy.
        self.assertOk(self.alex.run("share", "2", "--yes"))
        self.assertEqual(self.partner_answers(self.sam), ["read one"])

    def test_withdraw_a_pending_reveal_and_out_of_order(self):
        self.link()
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/pair", "--answer", "our walk",
                                    "--together"))
        share = self.files("duet-share-*.duet")[0]
        kept = os.path.join(self.root, "late.duet")
        os.rename(share, kept)  # the sync engine has not brought it yet
        self.assertOk(self.alex.run("share", "--withdraw", "1"))
        self.assertOk(self.sam.run("review", "--partner"))  # the withdrawal arrives first
        os.rename(kept, share)  # then the entry, late
        self.assertOk(self.sam.run("reflect", "--prompt", "e2e/pair", "--skip"))
        self.assertEqual(self.partner_answers(self.sam), [], "never revealed")

    # --- one number per entry -----------------------------------------------------------

    def test_partner_entries_get_numbers_of_this_journal(self):
        self.link()
        self.assertOk(self.sam.run("reflect", "--prompt", "e2e/note", "--answer", "Sam one"))
        self.assertOk(self.sam.run("reflect", "--prompt", "e2e/note", "--answer", "Sam two"))
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "Alex one"))
        self.assertOk(self.sam.run("share", "1", "2", "--yes"))
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "Alex two"))

        numbers = {e["answer"]: e["id"] for e in self.alex.entries()}
        self.assertEqual(sorted(numbers), ["Alex one", "Alex two", "Sam one", "Sam two"])
        self.assertEqual(len(set(numbers.values())), 4, f"one number per entry: {numbers}")
        self.assertEqual(numbers["Alex one"], 1)
        # Every format shows the same numbers.
        text = self.alex.run("review").stdout
        markdown = self.alex.run("review", "--format", "markdown").stdout
        for answer, n in numbers.items():
            self.assertRegex(text, rf"(?m)^#{n}\b")
            self.assertIn(f"#{n} ", markdown)
        self.assertEqual(numbers, {e["answer"]: e["id"] for e in self.alex.entries()},
                         "stable from one run to the next")

        # A number of the partner's entry is theirs to share or take back.
        for args in (("share", str(numbers["Sam one"]), "--yes"),
                     ("share", "--withdraw", str(numbers["Sam two"]))):
            r = self.alex.run(*args)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("your partner shared", r.stderr)
        # Every number review shows for Alex's own entries is what share takes.
        r = self.alex.run("share", str(numbers["Alex two"]), "--yes")
        self.assertOk(r)
        self.assertIn("Alex two", r.stdout)
        self.assertOk(self.alex.run("share", "--withdraw", str(numbers["Alex two"])))

        # A new copy of Sam's entry keeps its number; a withdrawn one leaves the rest alone.
        self.assertOk(self.sam.run("share", "1", "--yes"))
        self.assertOk(self.sam.run("share", "--withdraw", "2"))
        after = {e["answer"]: e["id"] for e in self.alex.entries()}
        self.assertEqual(after, {k: v for k, v in numbers.items() if k != "Sam two"})
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "Alex three"))
        newest = {e["answer"]: e["id"] for e in self.alex.entries()}["Alex three"]
        self.assertGreater(newest, max(numbers.values()), "numbers are never given twice")

    # --- no tallies, no activity outside status and review --partner -------------------

    def test_no_counts_side_by_side_and_quiet_elsewhere(self):
        self.link()
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "a"))
        self.assertOk(self.alex.run("share", "1", "--yes"))
        self.assertOk(self.sam.run("reflect", "--prompt", "e2e/note", "--answer", "b"))
        r = self.sam.run("share", "1", "--yes")
        self.assertOk(r)
        self.assertNotIn("arrived", r.stderr, "share does not speak of what the partner sent")
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/pair", "--answer", "c", "--together"))
        for world in (self.alex, self.sam):
            for args in (("invite", "status"), ("review",), ("review", "--partner"),
                         ("share", "--list"), ("review", "--summary")):
                r = world.run(*args)
                self.assertOk(r)
                self.assertIsNone(TALLY.search(r.stdout + r.stderr), (args, r.stdout, r.stderr))
                self.assertNotIn("will show once", r.stdout + r.stderr)

    # --- the link's first moment -------------------------------------------------------

    def test_a_competing_acceptance_puts_the_link_on_hold(self):
        invitation = self.invite()
        # Eve can write to the shared folder, and answers first.
        r = self.eve.run("invite", "accept", invitation, "--yes", "--name", "Sam")
        self.assertOk(r)
        self.assertOk(self.alex.run("invite", "status"))
        self.assertTrue(os.path.exists(invitation), "kept until the safety code is compared")
        r = self.sam.run("invite", "accept", invitation, "--yes", "--name", "Sam")
        self.assertOk(r)
        sam_code = CODE.search(r.stdout).group(1)
        status = self.alex.run("invite", "status")
        self.assertOk(status)
        self.assertIn("on hold", status.stdout)
        self.assertEqual(len(CODE.findall(status.stdout)), 2)
        self.assertIn(sam_code, status.stdout)
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "for sam only"))
        r = self.alex.run("share", "1", "--yes")
        self.assertEqual(r.returncode, 2)
        self.assertIn("on hold", r.stderr)
        self.assertEqual(self.files("duet-share-*.duet"), [])
        r = self.alex.run("invite", "verify", "1111 2222 3333 4444 5555")
        self.assertEqual(r.returncode, 3, "a code that matches nobody")
        self.assertOk(self.alex.run("invite", "verify", sam_code))
        self.assertOk(self.alex.run("share", "1", "--yes"))
        self.assertEqual(self.partner_answers(self.sam), ["for sam only"])
        self.assertEqual(self.partner_answers(self.eve), [])
        self.assertIn("Compared in person", self.alex.run("invite", "status").stdout)
        self.assertFalse(os.path.exists(invitation), "answered and verified: removed")

    def test_safety_codes_match_and_are_long(self):
        sam_code, alex_code = self.link()
        self.assertEqual(sam_code, alex_code)
        self.assertEqual(len(sam_code.replace(" ", "")), 20)
        self.assertIn("Not yet compared", self.alex.run("invite", "status").stdout)
        r = self.sam.run("invite", "verify")
        self.assertEqual(r.returncode, 2, "no terminal and no code")
        self.assertOk(self.sam.run("invite", "verify", "--yes"))
        self.assertIn("Compared in person", self.sam.run("invite", "status").stdout)

    # --- a shared folder someone else can write to --------------------------------------

    def test_links_fifos_and_junk_in_the_folder(self):
        self.link()
        for i in range(3):
            self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", f"entry {i}"))
        os.symlink(os.path.join(self.alex.duet_home, "journal.db"),
                   os.path.join(self.shared, "a.duet"))
        os.mkfifo(os.path.join(self.shared, "b.duet"))
        with open(os.path.join(self.shared, "junk.duet"), "wb") as f:
            f.write(b"\0" * 200)
        r = self.alex.run("share", "1", "--yes")
        self.assertOk(r)  # an unrelated file never changes a command's exit code
        for name in ("a.duet", "b.duet", "junk.duet"):
            self.assertIn(name, r.stderr)
        r = self.alex.run("share", "2", "--yes")
        self.assertOk(r)
        self.assertNotIn("junk.duet", r.stderr, "named once, then remembered")
        r = self.alex.run("review", "--format", "json")
        self.assertOk(r)
        self.assertEqual(len(json.loads(r.stdout)["entries"]), 3)
        db = sqlite3.connect(os.path.join(self.alex.duet_home, "journal.db"))
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        db.close()

    def test_a_link_to_the_journal_never_breaks_concurrent_writers(self):
        """Audit finding 1: the folder was read inside the write transaction, through the
        link, which dropped SQLite's locks. Now the folder is read before, without links."""
        self.link()
        os.symlink(os.path.join(self.alex.duet_home, "journal.db"),
                   os.path.join(self.shared, "a.duet"))
        for i in range(400):
            with open(os.path.join(self.shared, f"junk-{i:04}.duet"), "wb") as f:
                f.write(b"x" * 100)
        env = self.alex.env()
        written = 0
        for rnd in range(3):
            procs = [subprocess.Popen([DUET, "reflect", "--prompt", "e2e/note", "--answer",
                                       f"r{rnd} w{i}"], env=env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for i in range(8)]
            procs += [subprocess.Popen([DUET, "review", "--format", "json"], env=env,
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True) for _ in range(4)]
            for p in procs:
                out, err = p.communicate(timeout=120)
                if "Saved" in out:
                    written += 1
                self.assertNotIn("malformed", err)
        r = self.alex.run("review", "--format", "json")
        self.assertOk(r)
        self.assertEqual(len(json.loads(r.stdout)["entries"]), written)
        db = sqlite3.connect(os.path.join(self.alex.duet_home, "journal.db"))
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        db.close()

    # --- erase ------------------------------------------------------------------------

    def test_erase_leaves_nothing_of_duet_behind(self):
        self.link()
        secret = "a sentence only this journal knows"
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", secret))
        self.assertOk(self.alex.run("share", "1", "--yes"))
        leftover = os.path.join(self.alex.runtime, "duet-edit-abc123")
        os.makedirs(leftover)
        in_use = os.path.join(self.alex.runtime, f"duet-edit-{os.getpid()}-abc123")
        os.makedirs(in_use)  # a draft of a duet that is still running is left alone
        with open(os.path.join(leftover, "answer.txt"), "w") as f:
            f.write(secret)
        own_packs = os.path.join(self.alex.duet_home, "prompts")
        os.makedirs(own_packs)
        with open(os.path.join(own_packs, "mine.prompts"), "w") as f:
            f.write("pack: mine\ntitle: Mine\n\n[one]\ntext: Hello?\n")

        r = self.alex.run("erase")
        self.assertEqual(r.returncode, 2, "no terminal and no --yes: nothing is removed")
        self.assertTrue(os.path.exists(os.path.join(self.alex.duet_home, "journal.db")))

        r = self.alex.run("erase", "--yes")
        self.assertOk(r)
        self.assertIn("crontab", r.stdout, "names the reminder lines to remove")
        self.assertEqual(sorted(os.listdir(self.alex.duet_home)), ["prompts"],
                         "only the person's own packs are kept")
        self.assertFalse(os.path.exists(leftover))
        self.assertTrue(os.path.exists(in_use))
        self.assertEqual(self.alex.files_containing(secret), [])
        # In the shared folder, only the notice for Sam is left; Sam's duet reads and removes it.
        self.assertEqual([os.path.basename(f) for f in self.files("duet-share-*")], [])
        self.assertEqual(len(self.files("duet-leave-*.duet")), 1)
        r = self.sam.run("invite", "status")
        self.assertIn("ended the link", r.stderr)
        leftovers = [f for f in os.listdir(self.shared)]
        self.assertEqual([f for f in leftovers if f.startswith("duet-leave")], [])
        self.assertEqual(self.alex.run("review").returncode, 1, "no journal any more")

    def test_a_swapped_public_key_in_the_file_is_refused(self):
        """Audit finding 9: the journal's own public key was read unauthenticated."""
        self.link()
        self.assertOk(self.alex.run("reflect", "--prompt", "e2e/note", "--answer", "for sam"))
        db = sqlite3.connect(os.path.join(self.alex.duet_home, "journal.db"))
        db.execute("UPDATE meta SET value = ? WHERE name = 'link_public_key'", (bytes(range(32)),))
        db.commit()
        db.close()
        r = self.alex.run("share", "1", "--yes")
        self.assertEqual(r.returncode, 4)
        self.assertIn("does not belong to this journal", r.stderr)
        self.assertEqual(self.files("duet-share-*.duet"), [])
        r = self.alex.run("check")
        self.assertEqual(r.returncode, 4)
        self.assertIn("partner-link key", r.stdout)
