"""The journal as a script and cron use it: no terminal, every passphrase source."""

import json
import os
import stat
import unittest

from duettest import DuetTestCase, PASSPHRASE, World


class Basics(DuetTestCase):
    def test_version_and_help(self):
        r = self.me.run("--version")
        self.assertOk(r)
        self.assertTrue(r.stdout.startswith("duet "))
        for cmd in ([], ["reflect"], ["review"]):
            r = self.me.run(*cmd, "--help")
            self.assertOk(r)
            self.assertIn("--", r.stdout)

    def test_usage_errors_exit_2(self):
        self.assertEqual(self.me.run("no-such-command").returncode, 2)
        self.assertEqual(self.me.run("reflect", "--answer", "x", "--skip").returncode, 2)
        r = self.me.run("reflect", "--answer", "x", "--passphrase", "secret")
        self.assertEqual(r.returncode, 2, "a passphrase is never accepted as an argument")

    def test_review_without_journal(self):
        r = self.me.run("review")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no journal", r.stderr)


class Writing(DuetTestCase):
    def test_answer_then_review_json(self):
        r = self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "4", "--for-session")
        self.assertOk(r)
        self.assertIn("entry 1", r.stdout)
        r = self.me.run("reflect", "--prompt", "e2e/note", "--answer", "tender, tired")
        self.assertOk(r)
        self.assertIn("entry 2", r.stdout)
        entries = self.me.entries()
        self.assertEqual([e["id"] for e in entries], [1, 2])
        first = entries[0]
        for key in ("id", "created_at", "pack", "prompt_id", "prompt", "kind", "answer",
                    "skipped", "for_session", "author"):
            self.assertIn(key, first)
        self.assertEqual(first["pack"], "e2e")
        self.assertEqual(first["prompt_id"], "mood")
        self.assertEqual(first["kind"], "scale")
        self.assertEqual(first["answer"], "4")
        self.assertTrue(first["for_session"])
        self.assertFalse(first["skipped"])
        self.assertEqual(first["author"], "me")
        self.assertRegex(first["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
        self.assertEqual(entries[1]["answer"], "tender, tired")

    def test_skip_records_a_skip(self):
        r = self.me.run("reflect", "--prompt", "e2e/mood", "--skip")
        self.assertOk(r)
        e = self.me.entries()[0]
        self.assertTrue(e["skipped"])
        self.assertIsNone(e["answer"])

    def test_todays_prompt_and_answer_from_stdin(self):
        r = self.me.run("reflect", "--pack", "e2e", "--prompt", "x-no-such", "--answer", "x")
        self.assertEqual(r.returncode, 2)
        r = self.me.run("reflect", "--prompt", "e2e/note", "--answer", "-", input="line one\nline two\n")
        self.assertOk(r)
        self.assertEqual(self.me.entries()[0]["answer"], "line one\nline two")
        # Without --prompt: today's prompt of the pack (a sequence pack starts at its first).
        r = self.me.run("reflect", "--pack", "e2e-steps", "--answer", "first answer")
        self.assertOk(r)
        r = self.me.run("reflect", "--pack", "e2e-steps", "--answer", "2")
        self.assertOk(r)
        got = [(e["prompt_id"], e["answer"]) for e in self.me.entries("--pack", "e2e-steps")]
        self.assertEqual(got, [("one", "first answer"), ("two", "2")])

    def test_choice_by_number_or_name(self):
        r = self.me.run("reflect", "--prompt", "evening", "--answer", "2")
        self.assertEqual(r.returncode, 2, "a bare id in two packs is ambiguous")
        self.assertIn("e2e/evening", r.stderr)
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/evening", "--answer", "2"))
        self.assertOk(self.me.run("reflect", "--pack", "e2e", "--prompt", "evening", "--answer", "Talk a little"))
        self.assertEqual([e["answer"] for e in self.me.entries()], ["sit together quietly", "talk a little"])
        self.assertEqual(self.me.run("reflect", "--prompt", "e2e/evening", "--answer", "7").returncode, 2)

    def test_scale_and_choice_validation(self):
        r = self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "9")
        self.assertEqual(r.returncode, 2)
        self.assertIn("from 1 to 5", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.me.duet_home, "journal.db")),
                         "a rejected answer creates nothing")

    def test_files_are_private(self):
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3"))
        self.assertEqual(stat.S_IMODE(os.stat(self.me.duet_home).st_mode), 0o700)
        for f in os.listdir(self.me.duet_home):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.me.duet_home, f)).st_mode), 0o600, f)

    def test_no_plaintext_anywhere(self):
        secret = "the blue kettle we bought in Porto"
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/note", "--answer", secret))
        self.assertOk(self.me.run("review"))
        self.assertOk(self.me.run("review", "--format", "json"))
        self.assertEqual(self.me.files_containing(secret), [])
        self.assertEqual(self.me.files_containing("one-word"), [])

    def test_home_option_and_env(self):
        other = os.path.join(self.root, "elsewhere")
        self.assertOk(self.me.run("--home", other, "reflect", "--prompt", "e2e/mood", "--answer", "2"))
        self.assertTrue(os.path.exists(os.path.join(other, "journal.db")))
        self.assertEqual(len(self.me.entries("--home", other)), 1)
        self.assertEqual(len(self.me.entries(DUET_HOME=other)), 1)


class Passphrases(DuetTestCase):
    def setUp(self):
        super().setUp()
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3"))

    def test_every_source(self):
        pfile = self.write(os.path.join(self.root, "pass.txt"), PASSPHRASE + "\nsecond line\n", 0o600)
        self.assertEqual(len(self.me.entries(passphrase=None, DUET_PASSPHRASE_FILE=pfile)), 1)
        self.assertEqual(len(self.me.entries(passphrase=None, DUET_PASSPHRASE_COMMAND=f"printf '%s\\n' '{PASSPHRASE}'")), 1)
        rfd, wfd = os.pipe()
        os.write(wfd, (PASSPHRASE + "\n").encode())
        os.close(wfd)
        r = self.me.run("--passphrase-fd", str(rfd), "review", passphrase="wrong", pass_fds=(rfd,))
        os.close(rfd)
        self.assertOk(r, "--passphrase-fd comes first, before DUET_PASSPHRASE")

    def test_order_file_before_env(self):
        pfile = self.write(os.path.join(self.root, "pass.txt"), PASSPHRASE + "\n", 0o600)
        self.assertOk(self.me.run("review", passphrase="wrong", DUET_PASSPHRASE_FILE=pfile))

    def test_no_source_without_terminal(self):
        r = self.me.run("review", passphrase=None)
        self.assertEqual(r.returncode, 3)
        for name in ("--passphrase-fd", "DUET_PASSPHRASE_FILE", "DUET_PASSPHRASE_COMMAND", "DUET_PASSPHRASE"):
            self.assertIn(name, r.stderr)

    def test_wrong_passphrase_changes_nothing(self):
        before = self.me.snapshot()
        r = self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "5", passphrase="not it")
        self.assertEqual(r.returncode, 3)
        self.assertIn("passphrase", r.stderr)
        r = self.me.run("review", passphrase="not it")
        self.assertEqual(r.returncode, 3)
        self.assertEqual(self.me.snapshot(), before)

    def test_change_passphrase(self):
        rfd, wfd = os.pipe()
        os.write(wfd, b"a brand new passphrase\n")
        os.close(wfd)
        r = self.me.run("passphrase", "--new-passphrase-fd", str(rfd), pass_fds=(rfd,))
        os.close(rfd)
        self.assertOk(r)
        self.assertEqual(self.me.run("review").returncode, 3, "the old passphrase no longer opens it")
        self.assertEqual(len(self.me.entries(passphrase="a brand new passphrase")), 1)

    def test_failing_command(self):
        r = self.me.run("review", passphrase=None, DUET_PASSPHRASE_COMMAND="exit 1")
        self.assertEqual(r.returncode, 3)
        # The message names the command, so an ignored variable cannot pass.
        self.assertIn("DUET_PASSPHRASE_COMMAND failed", r.stderr)


class Remind(DuetTestCase):
    DAY = "2026-11-26 09:00:00"
    NEXT = "2026-11-27 09:00:00"

    def test_remind_without_journal(self):
        r = self.me.run("reflect", "--remind", passphrase=None, faketime=self.DAY)
        self.assertOk(r)
        self.assertIn("skip", r.stdout)
        self.assertIn("Today's prompt", r.stdout)

    def test_remind_without_the_question(self):
        quoted = self.me.run("reflect", "--remind", passphrase=None, faketime=self.DAY).stdout
        question = quoted.split('"')[1]
        r = self.me.run("reflect", "--remind", "--no-quote", passphrase=None, faketime=self.DAY)
        self.assertOk(r)
        self.assertIn("duet reflect", r.stdout)
        self.assertNotIn("Today's prompt", r.stdout)
        self.assertNotIn(question[:20], r.stdout)
        self.assertEqual(self.me.run("reflect", "--no-quote", "--skip").returncode, 2)

    def test_remind_quiet_after_writing_today(self):
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--skip", faketime=self.DAY))
        r = self.me.run("reflect", "--remind", passphrase=None, faketime=self.DAY)
        self.assertOk(r)
        self.assertEqual(r.stdout, "")
        r = self.me.run("reflect", "--remind", passphrase=None, faketime=self.NEXT)
        self.assertOk(r)
        self.assertIn("duet reflect", r.stdout)

    def test_same_prompt_for_two_journals_on_the_same_day(self):
        partner = World(self.root, "partner")
        for w in (self.me, partner):
            self.assertOk(w.run("reflect", "--pack", "appreciation", "--skip", faketime=self.DAY))
        a = self.me.entries()[0]["prompt_id"]
        b = partner.entries()[0]["prompt_id"]
        self.assertEqual(a, b)

    def test_no_repeat_until_the_pack_is_used_up(self):
        r = self.me.run("reflect", "--list", passphrase=None)
        self.assertOk(r)
        count = next(int(line.split()[1]) for line in r.stdout.splitlines()
                     if line.startswith("appreciation "))
        for day in range(count):
            stamp = f"2027-{1 + day // 28:02d}-{1 + day % 28:02d} 12:00:00"
            self.assertOk(self.me.run("reflect", "--pack", "appreciation", "--skip", faketime=stamp))
        ids = [e["prompt_id"] for e in self.me.entries()]
        self.assertEqual(len(ids), count)
        self.assertEqual(len(set(ids)), count, "N days over an N-prompt pack give N different prompts")

if __name__ == "__main__":
    unittest.main()
