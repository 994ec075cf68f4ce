"""The everyday rough edges: prose fitted to the terminal (never cut inside a
word, never wrapped off a terminal), unknown pack names, help, and the
passphrase that is not an option."""

import io
import os
import re
import unicodedata
import unittest

import pexpect

from duettest import DUET, DuetTestCase, PASSPHRASE, World

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
READING_WIDTH = 80

# A pack whose words are too long for one line anywhere duet shows them.
LONG_PACK = """\
pack: wrapping
title: A pack with a title long enough that the session cannot show it on one line of any usual terminal
order: sequence

[long]
text: When you think back over this week, which small and ordinary moment would you most like to keep, and what made it feel like yours?

[wide]
text: 今週いちばん心に残った小さな出来事は何でしたか。その時どんな気持ちでしたか。ゆっくり思い出してみてください。 それを誰かに話したいと思いましたか。

[options]
kind: choice
options: a slow walk somewhere green, without any particular place to reach in mind | a long conversation over dinner about nothing in particular and everything else
text: Which of these would you like more of?
"""


def columns(line):
    """Display columns, as a terminal counts them."""
    n = 0
    for ch in line:
        if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d":
            continue
        n += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return n


def plain(text):
    return ANSI.sub("", text).replace("\r\n", "\n")


def collapsed(text):
    return " ".join(plain(text).split())


class Everyday(DuetTestCase):
    def setUp(self):
        super().setUp()
        self.packs = os.path.join(self.root, "packs")
        self.write(os.path.join(self.packs, "wrapping.prompts"), LONG_PACK)

    def tty(self, *args, world=None, passphrase=PASSPHRASE, send=(), status=0, **extra):
        """Runs duet in a 100-column pseudo-terminal, answering each (expected, line)
        of send; returns everything the terminal showed."""
        world = world or self.me
        child = pexpect.spawn(DUET, ["--prompts", self.packs, *args], env=world.env(passphrase, **extra),
                              encoding="utf-8", timeout=30, dimensions=(40, 100))
        self.addCleanup(child.close, force=True)
        log = io.StringIO()
        child.logfile_read = log
        for expected, line in send:
            child.expect(expected)
            child.sendline(line)
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, status, log.getvalue())
        return plain(log.getvalue())

    def pipe(self, *args, world=None, **kw):
        return (world or self.me).run("--prompts", self.packs, *args, **kw)

    def assertFitsWithWholeWords(self, shown, *sentences):
        """No line wider than the reading width, unless it is a single word that
        no line could hold; each sentence appears with its words whole. What the
        person typed after a prompt (\u203a) is theirs, and not measured."""
        for line in shown.split("\n"):
            line = line.split("\u203a ")[0]
            if columns(line) > READING_WIDTH:
                self.assertEqual(len(line.split()), 1,
                                 f"a line of {columns(line)} columns:\n{line}\n\nin:\n{shown}")
        for sentence in sentences:
            self.assertIn(" ".join(sentence.split()), collapsed(shown))

    def assertSameWords(self, shown, r):
        """The terminal showed the words of the piped run, only laid out differently."""
        self.assertEqual(sorted(collapsed(shown).split()), sorted(collapsed(r.stdout + r.stderr).split()))

    def test_a_session_at_100_columns(self):
        hint = "Enter on an empty answer skips"
        shown = self.tty("reflect", "--pack", "wrapping",
                         send=[(hint, "a walk by the river"), (hint, ""), (hint, "2")])
        self.assertFitsWithWholeWords(
            shown,
            "Any prompt can be skipped: press Enter on an empty answer. Nothing leaves your journal "
            "unless you choose to share it.",
            "If the passphrase is lost, so is the journal: there is no reset.",
            "A pack with a title long enough that the session cannot show it on one line of any "
            "usual terminal",
            "When you think back over this week, which small and ordinary moment would you most "
            "like to keep, and what made it feel like yours?",
            "a long conversation over dinner about nothing in particular and everything else",
            "Thank you for taking this time. `duet review` shows what you have written.")
        # A continued line keeps the indentation of the line it continues.
        lines = shown.split("\n")
        first = next(i for i, line in enumerate(lines) if "When you think back" in line)
        self.assertTrue(lines[first].startswith("  When"), lines[first])
        self.assertRegex(lines[first + 1], r"^  \S", "the question's second line")
        # Two columns for each of these characters, and lines break between them.
        wide = [line for line in shown.split("\n") if re.search("[\u3040-\u30ff\u4e00-\u9fff]", line)]
        self.assertGreater(len(wide), 1)
        for line in wide:
            self.assertLessEqual(columns(line), READING_WIDTH, line)
            self.assertTrue(line.startswith("  "), "continued under the first line")
        self.assertIn("今週いちばん心に残った小さな出来事は何でしたか。", "".join(w.strip() for w in wide))
        self.assertEqual([e["answer"] for e in self.me.entries()],
                         ["a walk by the river", None,
                          "a long conversation over dinner about nothing in particular and everything else"])

        again = self.tty("reflect", "--pack", "wrapping")
        self.assertFitsWithWholeWords(again, "For another one: duet reflect --pack NAME, or --prompt "
                                             "PACK/ID; `duet reflect --list` shows them.")
        self.assertSameWords(again, self.pipe("reflect", "--pack", "wrapping"))

    def test_errors_at_100_columns(self):
        self.assertOk(self.pipe("reflect", "--prompt", "e2e/mood", "--answer", "3"))
        for args, status in ((("reflect", "--pack", "nosuch"), 2),
                             (("reflect", "--remind", "--pack", "nosuch"), 2),
                             (("review", "--since", "a-day-that-is-not-a-day-at-all"), 2)):
            shown = self.tty(*args, status=status)
            self.assertIn("duet: error:", shown)
            self.assertFitsWithWholeWords(shown)
            piped = self.pipe(*args)
            self.assertEqual(piped.returncode, status)
            self.assertSameWords(shown, piped)
            # Off a terminal the message is one line, however long.
            self.assertEqual(piped.stderr.count("\n"), 1, piped.stderr)
            self.assertGreater(len(piped.stderr), READING_WIDTH)

    def test_invitation_safety_code_and_share_list_at_100_columns(self):
        sam = World(self.root, "sam")
        shared = os.path.join(self.root, "shared")
        shown = self.tty("invite", "--name", "Alex", "--shared", shared)
        self.assertFitsWithWholeWords(
            shown, "Your partner can read it with any text viewer, and accept it, decline it, or "
                   "simply leave it; all three are fine.")
        invitation = [f for f in os.listdir(shared) if f.startswith("duet-invitation-")][0]
        self.assertOk(sam.run("invite", "accept", os.path.join(shared, invitation), "--yes",
                              "--name", "Sam"))
        self.assertOk(self.pipe("invite", "status"))  # takes in the acceptance
        shown = self.tty("invite", "status")
        self.assertFitsWithWholeWords(
            shown, "Not yet compared in person. When you are together, check that Sam sees the "
                   "same digits, then run `duet invite verify`.")
        self.assertSameWords(shown, self.pipe("invite", "status"))

        self.assertOk(self.pipe("reflect", "--prompt", "wrapping/long", "--answer", "the market"))
        self.assertOk(self.pipe("share", "1", "--yes"))
        shown = self.tty("share", "--list")
        self.assertFitsWithWholeWords(shown, "which small and ordinary moment would you most like to keep")
        self.assertRegex(shown, r"^#1  shared .*\n    \S", "a continued line hangs under the text after '#1'")
        self.assertSameWords(shown, self.pipe("share", "--list"))

    def test_help_without_excludes_noise(self):
        for args in (("--help",), ("reflect", "--help"), ("review", "--help"), ("invite", "leave", "--help")):
            shown = self.tty(*args)
            piped = self.pipe(*args)
            self.assertOk(piped)
            for out in (shown, piped.stdout):
                self.assertNotIn("Excludes", out)
                self.assertNotIn("Needs:", out)
            self.assertFitsWithWholeWords(shown)
            self.assertSameWords(shown, piped)
        reflect_help = self.pipe("reflect", "--help").stdout
        self.assertIn("--remind", reflect_help)
        self.assertIn("for cron: a gentle reminder if nothing was written today", reflect_help)
        # Off a terminal, each option is one line, whatever its length.
        self.assertTrue(any(len(line) > READING_WIDTH for line in reflect_help.split("\n")))


class PackNames(DuetTestCase):
    def test_remind_with_an_unknown_pack_is_an_error_naming_the_packs(self):
        r = self.me.run("reflect", "--remind", "--pack", "nosuch", passphrase=None)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stdout, "", "no reminder with a prompt line missing")
        self.assertIn("'nosuch'", r.stderr)
        for known in ("e2e", "e2e-steps", "daily"):
            self.assertIn(known, r.stderr)
        # The same on a day with an entry: a typo is found on any day.
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3"))
        self.assertEqual(self.me.run("reflect", "--remind", "--pack", "nosuch", passphrase=None).returncode, 2)
        self.assertOk(self.me.run("reflect", "--remind", "--pack", "e2e", passphrase=None))

    def test_review_with_an_unknown_pack_warns_and_still_answers(self):
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3"))
        r = self.me.run("review", "--pack", "e2ee")
        self.assertOk(r)
        self.assertIn("No entries to show.", r.stdout)
        self.assertIn("'e2ee'", r.stderr)
        self.assertIn("e2e-steps", r.stderr, "names the installed packs")
        # A pack known from the entries only (its file gone) is no typo.
        r = self.me.run("review", "--pack", "e2e", env={"DUET_PROMPTS_PATH": os.path.join(self.root, "none")})
        self.assertOk(r)
        self.assertEqual(r.stderr, "")
        self.assertIn("How light", r.stdout)
        # A real pack without entries yet: no warning either.
        r = self.me.run("review", "--pack", "e2e-steps", "--format", "json")
        self.assertOk(r)
        self.assertEqual(r.stderr, "")


class PassphraseArgument(DuetTestCase):
    def test_a_passphrase_on_the_command_line_is_refused_with_the_sources(self):
        for args in (("review", "--passphrase", "open sesame"), ("--passphrase=open sesame", "review"),
                     ("passphrase", "--new-passphrase", "open sesame")):
            r = self.me.run(*args)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertNotIn("open sesame", r.stderr + r.stdout, "the passphrase is not repeated")
            self.assertIn("--passphrase-fd" if "--new-passphrase" not in args else "--new-passphrase-fd",
                          r.stderr)
        r = self.me.run("review", "--passphrase", "x")
        for source in ("DUET_PASSPHRASE_FILE", "DUET_PASSPHRASE_COMMAND", "DUET_PASSPHRASE ",
                       "--passphrase-fd", "terminal"):
            self.assertIn(source, r.stderr)
        self.assertFalse(os.path.exists(self.me.duet_home), "nothing was done")


if __name__ == "__main__":
    unittest.main()
