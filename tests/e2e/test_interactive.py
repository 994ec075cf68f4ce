"""reflect and review as a person uses them, in a real pseudo-terminal."""

import glob
import os
import signal
import unittest

import pexpect

from duettest import DUET, DuetTestCase, PASSPHRASE, World, read_text

SKIP_HINT = "Enter on an empty answer skips"


class Interactive(DuetTestCase):
    def spawn(self, *args, passphrase=PASSPHRASE, **extra):
        env = self.me.env(passphrase, **extra)
        child = pexpect.spawn(DUET, list(args), env=env, encoding="utf-8", timeout=30,
                              dimensions=(40, 100))
        self.addCleanup(child.close, force=True)
        return child

    def finish(self, child, status=0):
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, status, child.before)

    def test_first_session_creates_journal_and_walks_the_pack(self):
        child = self.spawn("reflect", "--pack", "e2e-steps", passphrase=None)
        child.expect("New passphrase: ")
        child.sendline("tea at four")
        child.expect("again: ")
        child.sendline("tea at four")
        child.expect("Any prompt can be skipped")
        self.assertNotIn("tea at four", child.before, "the passphrase is never echoed")

        child.expect("First step\\?")
        child.expect(SKIP_HINT)
        child.sendline("")  # empty Enter skips
        child.expect("Skipped")

        child.expect("Second step\\?")
        child.expect(SKIP_HINT)
        child.sendline("7")  # out of range: a friendly retry
        child.expect("from 0 to 3")
        child.sendline("2")
        child.expect("Saved as entry 2")

        child.expect("Third step\\?")
        child.expect(SKIP_HINT)
        child.sendcontrol("d")  # Ctrl-D on an empty answer is a skip too
        child.expect("Skipped")

        child.expect("skipping is always fine")  # the reminder in a longer session
        child.expect("Fourth step\\?")
        child.expect(SKIP_HINT)
        child.sendline("1")
        child.expect("Saved as entry 4")
        self.finish(child)

        entries = self.me.entries(passphrase="tea at four")
        self.assertEqual([(e["prompt_id"], e["skipped"], e["answer"]) for e in entries],
                         [("one", True, None), ("two", False, "2"), ("three", True, None),
                          ("four", False, "yes")])

    def test_ctrl_c_saves_nothing_in_progress(self):
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3"))
        child = self.spawn("reflect", "--prompt", "e2e/note")
        child.expect(SKIP_HINT)
        child.send("half a thought")
        child.sendintr()
        child.expect("Stopped")
        self.finish(child, 130)
        self.assertEqual(len(self.me.entries()), 1)

    def editor_script(self, body):
        path = os.path.join(self.root, "editor.sh")
        self.write(path, "#!/bin/sh\n" + body, 0o755)
        return path

    def test_edit_opens_a_private_tmpfs_file_and_removes_it(self):
        log = os.path.join(self.root, "editor.log")
        editor = self.editor_script(f"""
echo "$1" > {log}
stat -c '%a' "$1" >> {log}
stat -c '%a' "$(dirname "$1")" >> {log}
stat -f -c '%T' "$1" >> {log}
env | grep -c '^DUET_PASSPHRASE' >> {log}
printf 'from the editor\\nsecond line\\n' > "$1"
""")
        child = self.spawn("reflect", "--prompt", "e2e/note", EDITOR=editor, VISUAL=None)
        child.expect(SKIP_HINT)
        child.sendline("/edit")
        child.expect("Saved as entry 1")
        self.finish(child)
        path, mode, dir_mode, fstype, leaked = read_text(log).split()
        self.assertEqual(mode, "600")
        self.assertEqual(dir_mode, "700")
        self.assertEqual(fstype, "tmpfs")
        self.assertEqual(leaked, "0", "the editor never sees a passphrase")
        self.assertFalse(os.path.exists(path))
        self.assertFalse(os.path.exists(os.path.dirname(path)))
        self.assertEqual(self.me.entries()[0]["answer"], "from the editor\nsecond line")

    def test_ctrl_c_in_the_editor_cleans_up(self):
        log = os.path.join(self.root, "editor.log")
        editor = self.editor_script(f"""
echo "$1" > {log}
echo "very private words" > "$1"
sleep 30
""")
        child = self.spawn("reflect", "--prompt", "e2e/note", EDITOR=editor, VISUAL=None)
        child.expect(SKIP_HINT)
        child.sendline("/edit")
        for _ in range(100):
            if os.path.exists(log) and read_text(log).strip():
                break
            pexpect.run("sleep 0.05")
        child.sendintr()
        child.expect("nothing from it was kept")
        child.expect(SKIP_HINT)
        child.sendintr()
        self.finish(child, 130)
        path = read_text(log).strip()
        self.assertFalse(os.path.exists(os.path.dirname(path)))
        self.assertEqual(glob.glob("/dev/shm/duet-edit-*") + glob.glob(self.me.runtime + "/duet-edit-*"), [])
        self.assertEqual(self.me.files_containing("very private words"), [])

    def test_sigterm_or_a_closed_terminal_in_the_editor_cleans_up(self):
        """Audit finding 3: the draft outlived duet when the terminal closed."""
        for sig in (signal.SIGTERM, signal.SIGHUP):
            log = os.path.join(self.root, f"editor-{sig}.log")
            editor = self.editor_script(f"""
echo "$1" > {log}
echo "words for nobody else" > "$1"
sleep 30
""")
            child = self.spawn("reflect", "--prompt", "e2e/note", EDITOR=editor, VISUAL=None)
            child.expect(SKIP_HINT)
            child.sendline("/edit")
            for _ in range(200):
                if os.path.exists(log) and read_text(log).strip():
                    break
                pexpect.run("sleep 0.05")
            path = read_text(log).strip()
            self.assertTrue(os.path.exists(path))
            os.kill(child.pid, sig)
            child.expect(pexpect.EOF, timeout=30)
            child.close()
            self.assertNotEqual(child.exitstatus, 0)
            self.assertFalse(os.path.exists(os.path.dirname(path)), sig)
            self.assertEqual(self.me.files_containing("words for nobody else"), [])
        self.assertEqual(self.me.entries(), [])

    def test_vim_keeps_no_copies_of_the_draft(self):
        bin_dir = os.path.join(self.root, "bin")
        log = os.path.join(self.root, "vim.log")
        self.write(os.path.join(bin_dir, "vim"),
                   f'#!/bin/sh\nprintf "%s " "$@" > {log}\nfor last; do :; done\n'
                   'printf "typed in vim\\n" > "$last"\n', 0o755)
        child = self.spawn("reflect", "--prompt", "e2e/note", EDITOR="vim", VISUAL=None,
                           PATH=bin_dir + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
        child.expect(SKIP_HINT)
        child.sendline("/edit")
        child.expect("Saved as entry 1")
        self.finish(child)
        args = read_text(log)
        for option in ("-n", "-i NONE", "nobackup", "nowritebackup", "noundofile", "viminfo="):
            self.assertIn(option, args)
        self.assertEqual(self.me.entries()[0]["answer"], "typed in vim")

    def test_a_mutual_reveal_is_offered_once_a_session_in_plain_words(self):
        sam = World(self.root, "sam")
        shared = os.path.join(self.root, "shared")
        self.assertOk(self.me.run("invite", "--name", "Alex", "--shared", shared))
        invitation = glob.glob(os.path.join(shared, "duet-invitation-*.txt"))[0]
        self.assertOk(sam.run("invite", "accept", invitation, "--yes", "--name", "Sam"))
        self.assertOk(self.me.run("invite", "status"))
        child = self.spawn("reflect", "--pack", "e2e-pair")
        child.expect(SKIP_HINT)
        child.sendline("the walk on Sunday")
        child.expect(r"Sam can answer this question too\. Share your answers")
        self.assertNotIn("together prompt", child.before)
        child.sendline("y")
        child.expect(SKIP_HINT)
        child.sendline("more quiet evenings")
        child.expect(SKIP_HINT)  # the third prompt: asked no second time
        self.assertNotIn("Share your answers", child.before)
        child.sendline("")
        self.finish(child)
        shares = glob.glob(os.path.join(shared, "duet-share-*.duet"))
        self.assertEqual(len(shares), 2, "the one choice held for both questions")

    def test_wrong_passphrase_on_a_terminal_may_be_retried(self):
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3"))
        child = self.spawn("review", passphrase=None, NO_COLOR="1")
        child.expect("Passphrase for your journal: ")
        child.sendline("not it")
        child.expect("does not unlock")
        child.expect("Passphrase for your journal: ")
        child.sendline(PASSPHRASE)
        child.expect("How light did today feel")
        self.finish(child)

    def test_three_wrong_passphrases_exit_3(self):
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3"))
        child = self.spawn("review", passphrase=None)
        for _ in range(3):
            child.expect("Passphrase for your journal: ")
            child.sendline("nope")
        self.finish(child, 3)

    def test_colour_only_when_allowed(self):
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3"))
        child = self.spawn("review")
        child.expect(pexpect.EOF)
        self.assertIn("\x1b[", child.before)
        for extra_args, env in (((), {"NO_COLOR": "1"}), (("--no-color",), {})):
            child = self.spawn(*extra_args, "review", **env)
            child.expect(pexpect.EOF)
            self.assertIn("How light", child.before)
            self.assertNotIn("\x1b[", child.before)

    def test_todays_prompt_already_done(self):
        child = self.spawn("reflect", "--pack", "e2e")
        child.expect(SKIP_HINT)
        child.sendline("")
        child.expect("Skipped")
        self.finish(child)
        # Other prompts of the same pack, answered later the same day.
        today = self.me.entries()[0]["prompt_id"]
        for other in ("mood", "note", "evening", "pair"):
            if other != today:
                self.assertOk(self.me.run("reflect", "--prompt", "e2e/" + other, "--skip"))
        self.assertEqual(len(self.me.entries()), 4)
        child = self.spawn("reflect", "--pack", "e2e")
        child.expect(r"already in your journal \(entry (\d+)\)")
        self.assertEqual(child.match.group(1), "1", "the entry that holds today's prompt")
        self.finish(child)

    def test_edit_draft_shows_the_question_and_drops_comment_lines(self):
        log = os.path.join(self.root, "draft.log")
        editor = self.editor_script(f"""
cat "$1" > {log}
printf 'first line\\n# a comment of mine\\n #kept with a space\\n' > "$1"
cat {log} >> "$1"
""")
        child = self.spawn("reflect", "--prompt", "e2e/note", EDITOR=editor, VISUAL=None)
        child.expect(SKIP_HINT)
        child.sendline("/edit")
        child.expect("Saved as entry 1")
        self.finish(child)
        draft = read_text(log)
        self.assertTrue(draft.startswith("\n"), "an empty first line for the answer")
        self.assertIn("# Test check-in\n", draft)
        self.assertIn("# What would I like to remember about today?\n", draft)
        self.assertIn("# Write your answer above. Lines starting with # are left out", draft)
        self.assertEqual(self.me.entries()[0]["answer"], "first line\n #kept with a space")

    def test_edit_with_only_comments_left_keeps_nothing(self):
        editor = self.editor_script("true\n")  # saved as it was: comments only
        child = self.spawn("reflect", "--prompt", "e2e/note", EDITOR=editor, VISUAL=None)
        child.expect(SKIP_HINT)
        child.sendline("/edit")
        child.expect("came back empty")
        child.expect(SKIP_HINT)
        child.sendline("")
        child.expect("Skipped")
        self.finish(child)
        self.assertIsNone(self.me.entries()[0]["answer"])

    def test_changing_the_passphrase_says_which_one_it_asks_for(self):
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3"))
        child = self.spawn("passphrase", passphrase=None)
        child.expect("Current passphrase: ")
        child.sendline(PASSPHRASE)
        child.expect("New passphrase: ")
        child.sendline("a fresh one for us")
        child.expect("again: ")
        child.sendline("a fresh one for us")
        child.expect("Your passphrase is changed")
        self.finish(child)
        self.assertEqual(len(self.me.entries(passphrase="a fresh one for us")), 1)

if __name__ == "__main__":
    unittest.main()
