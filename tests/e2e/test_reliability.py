"""Crash safety, concurrency, damaged data and hostile input, from the outside."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import time

from duettest import DUET, DuetTestCase, PASSPHRASE

KILLS = int(os.environ.get("DUET_KILL_ROUNDS", "60"))


class CrashSafety(DuetTestCase):
    def test_writers_killed_at_random_moments(self):
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/note", "--answer", "first"))
        # Kill within about one writer's lifetime, however fast this machine is. The
        # first write also creates the journal, so the lifetime is that of later
        # writes: the middle one of three, so one slow or fast run does not skew it.
        reported, killed = ["first"], 0
        durations = []
        for i in range(3):
            started = time.monotonic()
            self.assertOk(self.me.run("reflect", "--prompt", "e2e/note", "--answer", f"warm {i}"))
            durations.append(time.monotonic() - started)
            reported.append(f"warm {i}")
        window = sorted(durations)[1] * 1.2
        rng = random.Random(int(os.environ.get("DUET_KILL_SEED", "20261126")))
        env = self.me.env()
        for i in range(KILLS):
            answer = f"answer number {i}"
            p = subprocess.Popen([DUET, "reflect", "--prompt", "e2e/note", "--answer", answer],
                                 env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            time.sleep(rng.uniform(0.0, window))
            p.send_signal(signal.SIGKILL)
            out, _ = p.communicate()
            if p.returncode == 0 and "Saved" in out:
                reported.append(answer)
            elif p.returncode == -signal.SIGKILL:
                killed += 1
        print(f"\ncrash safety: {KILLS} writers, {killed} killed mid-run, "
              f"{len(reported) - 4} finished first")
        self.assertGreater(killed, KILLS // 5, "the test must really kill writers mid-run")
        r = self.me.run("review", "--format", "json")
        self.assertOk(r)
        answers = [e["answer"] for e in json.loads(r.stdout)["entries"]]
        for a in reported:
            self.assertIn(a, answers, "every entry reported as saved survives")
        ids = [e["id"] for e in json.loads(r.stdout)["entries"]]
        self.assertEqual(len(ids), len(set(ids)))
        db = sqlite3.connect(os.path.join(self.me.duet_home, "journal.db"))
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        db.close()


class Concurrency(DuetTestCase):
    def test_writers_and_cron_at_once(self):
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3"))
        env = self.me.env()
        procs = [subprocess.Popen([DUET, "reflect", "--prompt", "e2e/note", "--answer", f"w{i}"],
                                  env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for i in range(6)]
        procs += [subprocess.Popen([DUET, "reflect", "--remind"], env=self.me.env(passphrase=None),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True) for _ in range(4)]
        procs += [subprocess.Popen([DUET, "review"], env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for _ in range(2)]
        for p in procs:
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)
            self.assertNotIn("locked", err)
        answers = [e["answer"] for e in self.me.entries()]
        for i in range(6):
            self.assertIn(f"w{i}", answers)
        self.assertEqual(len(answers), 7)


class DamagedData(DuetTestCase):
    def setUp(self):
        super().setUp()
        for text in ("one", "two", "three"):
            self.assertOk(self.me.run("reflect", "--prompt", "e2e/note", "--answer", text))
        self.db = os.path.join(self.me.duet_home, "journal.db")

    def test_a_flipped_byte_in_one_entry(self):
        db = sqlite3.connect(self.db)
        blob = bytearray(db.execute("SELECT sealed FROM entries WHERE id = 2").fetchone()[0])
        blob[40] ^= 0x01
        db.execute("UPDATE entries SET sealed = ? WHERE id = 2", (bytes(blob),))
        db.commit()
        db.close()
        r = self.me.run("review", "--format", "json")
        self.assertEqual(r.returncode, 4)
        self.assertIn("entry 2", r.stderr)
        self.assertEqual([e["answer"] for e in json.loads(r.stdout)["entries"]], ["one", "three"])
        r = self.me.run("check")
        self.assertEqual(r.returncode, 4)
        self.assertIn("2 intact, 1 damaged: 2", r.stdout)
        # Writing still works, and the damaged entry is not silently replaced.
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/note", "--answer", "four"))

    def test_entries_removed_outside_duet_are_noticed(self):
        """Audit finding 9: deleting rows passed `duet check`."""
        for victim in (2, 3):  # one in the middle, then the newest
            db = sqlite3.connect(self.db)
            db.execute("DELETE FROM entries WHERE id = ?", (victim,))
            db.commit()
            db.close()
            r = self.me.run("check")
            self.assertEqual(r.returncode, 4, r.stdout)
            self.assertIn("entries were removed", r.stdout)
            self.assertIn("duet wrote 3 entries up to number 3", r.stdout)

    def test_answer_lengths_are_not_visible_exactly(self):
        """Audit finding 10: sealed sizes gave away each answer's length."""
        for text in ("ok", "a somewhat longer answer about the walk home and the rain", "x" * 150):
            self.assertOk(self.me.run("reflect", "--prompt", "e2e/note", "--answer", text))
        db = sqlite3.connect(self.db)
        sizes = [n for (n,) in db.execute("SELECT length(sealed) FROM entries WHERE id > 3")]
        db.close()
        self.assertEqual(sizes[0], sizes[1], f"short answers share one size: {sizes}")
        self.assertEqual(sizes[2] - sizes[1], 256, f"a longer one takes the next size: {sizes}")
        for text in ("one", "two", "three"):
            self.assertIn(text, [e["answer"] for e in self.me.entries()])

    def test_check_on_an_intact_journal(self):
        r = self.me.run("check")
        self.assertOk(r)
        self.assertIn("3 intact", r.stdout)

    def test_truncated_journal(self):
        size = os.path.getsize(self.db)
        with open(self.db, "r+b") as f:
            f.truncate(size // 2)
        r = self.me.run("review")
        self.assertIn(r.returncode, (1, 4))
        self.assertIn("journal.db", r.stderr)

    def test_wrong_file_in_place_of_the_journal(self):
        with open(self.db, "wb") as f:
            f.write(b"Dear diary, this is not a database.\n" * 100)
        r = self.me.run("review")
        self.assertEqual(r.returncode, 4)
        self.assertIn("journal.db", r.stderr)
        self.assertIn("not a duet journal", r.stderr)

    def test_journal_from_a_newer_duet(self):
        db = sqlite3.connect(self.db)
        db.execute("PRAGMA user_version = 42")
        db.commit()
        db.close()
        r = self.me.run("review")
        self.assertEqual(r.returncode, 4)
        self.assertIn("newer version", r.stderr)


def zero_a_leaf_of(db_path, table):
    """Zero one page in the middle of a table's b-tree (audit finding 4); returns its number."""
    db = sqlite3.connect(db_path)
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    with open(db_path, "r+b") as f:
        f.seek((root - 1) * page_size)
        page = f.read(page_size)
        header = 100 if root == 1 else 0
        assert page[header] == 0x05, "the table spans more than one page (an interior root)"
        cells = int.from_bytes(page[header + 3:header + 5], "big")
        pointer = header + 12 + 2 * (cells // 2)  # the middle child
        cell = int.from_bytes(page[pointer:pointer + 2], "big")
        child = int.from_bytes(page[cell:cell + 4], "big")
        f.seek((child - 1) * page_size)
        f.write(b"\0" * page_size)
    return child


def import_many(test, n, words=40):
    """Fill test.me's journal with n entries through one import."""
    entries = [{"id": i, "created_at": f"2025-01-{1 + i % 28:02d}T{8 + i % 12:02d}:{i % 60:02d}:00+00:00",
                "day": f"2025-01-{1 + i % 28:02d}", "pack": "e2e", "prompt_id": "note",
                "prompt": "What would I like to remember about today?", "kind": "text",
                "answer": f"entry number {i} " + "words " * words, "skipped": False,
                "for_session": False, "together": False, "imported": False, "author": "me"}
               for i in range(1, n + 1)]
    export = os.path.join(test.root, "many.json")
    with open(export, "w") as f:
        json.dump({"format": "duet-export", "version": 1, "entries": entries}, f)
    test.assertOk(test.me.run("reflect", "--import", export))
    os.remove(export)


class InterruptedExport(DuetTestCase):
    def test_a_killed_export_leaves_no_temporary_file(self):
        """Audit finding 10: a killed `review -o` left a hidden plaintext .tmp file."""
        import_many(self, 3000, words=20)
        out_dir = os.path.join(self.root, "exports")
        os.mkdir(out_dir)
        args = [DUET, "review", "--format", "json", "-o", os.path.join(out_dir, "out.json")]
        # The shortest of three whole runs (the first one may be cold), so kills land inside.
        lifetimes = []
        for _ in range(3):
            start = time.monotonic()
            self.assertOk(subprocess.run(args, env=self.me.env(), stdin=subprocess.DEVNULL,
                                         capture_output=True, timeout=120))
            lifetimes.append(time.monotonic() - start)
            os.remove(os.path.join(out_dir, "out.json"))
        lifetime = min(lifetimes)
        rng = random.Random(4)
        killed = 0
        for round_ in range(24):
            p = subprocess.Popen(args, env=self.me.env(), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # Late in its life, when the export is being written.
            time.sleep(lifetime * rng.uniform(0.3, 0.95))
            p.send_signal((signal.SIGTERM, signal.SIGHUP, signal.SIGINT)[round_ % 3])
            killed += p.wait(timeout=60) < 0
            left = [f for f in os.listdir(out_dir) if ".tmp-" in f]
            self.assertEqual(left, [], f"round {round_}")
            for f in os.listdir(out_dir):
                os.remove(os.path.join(out_dir, f))
        self.assertGreater(killed, 0, "some rounds stopped duet before it finished")


class DamagedPage(DuetTestCase):
    """Audit finding 4: one damaged page hid everything after it."""

    def test_one_damaged_page_loses_only_what_was_on_it(self):
        import_many(self, 300)
        db_path = os.path.join(self.me.duet_home, "journal.db")
        zero_a_leaf_of(db_path, "entries")

        # What sqlite3 itself can still read, row by row.
        db = sqlite3.connect(db_path)
        readable = set()
        for i in range(1, 301):
            try:
                if db.execute("SELECT id FROM entries WHERE id = ?", (i,)).fetchone():
                    readable.add(i)
            except sqlite3.DatabaseError:
                pass
        db.close()
        lost = set(range(1, 301)) - readable
        self.assertTrue(0 < len(lost) < 60, f"one page held a few entries: {sorted(lost)}")

        r = self.me.run("review", "--format", "json")
        self.assertEqual(r.returncode, 4, r.stderr)
        shown = json.loads(r.stdout)["entries"]  # well-formed, whatever was lost
        self.assertEqual({e["id"] for e in shown}, readable)
        self.assertIn(f"entry {min(lost)} ", r.stderr)
        r = self.me.run("review", "--last", "5", "--format", "json")
        self.assertEqual(len(json.loads(r.stdout)["entries"]), 5)

        r = self.me.run("check")
        self.assertEqual(r.returncode, 4)
        self.assertIn(f"{len(readable)} intact, {len(lost)} damaged: {min(lost)}-{max(lost)}", r.stdout)
        self.assertIn("--salvage", r.stdout)

        r = self.me.run("check", "--salvage")
        self.assertOk(r)
        self.assertIn(f"Copied {len(readable)} entries", r.stdout, sorted(lost))
        self.assertIn(f"{min(lost)}-{max(lost)}", r.stdout)
        kept = [f for f in os.listdir(self.me.duet_home) if f.startswith("journal.db.damaged-")]
        self.assertEqual(len(kept), 1, "the damaged file is kept beside it")
        r = self.me.run("check")
        self.assertOk(r)
        self.assertIn(f"ok, {len(readable)} intact", r.stdout)
        self.assertEqual({e["id"] for e in self.me.entries()}, readable, "same numbers as before")
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/note", "--answer", "after"))
        self.assertEqual(self.me.entries("--last", "1")[0]["id"], 301)
        r = self.me.run("check", passphrase="not it")
        self.assertEqual(r.returncode, 3, "the salvaged journal keeps its passphrase")


class HostileInput(DuetTestCase):
    def test_escape_sequences_never_reach_the_terminal_raw(self):
        evil = "hello \x1b]0;pwned\x07 \x1b[2J\x1b[31mred\x9b"
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/note", "--answer", evil))
        for fmt in ("text", "markdown"):
            r = self.me.run("review", "--format", fmt)
            self.assertOk(r)
            self.assertNotIn("\x1b", r.stdout)
            self.assertNotIn("\x07", r.stdout)
        # JSON keeps the text exactly, escaped.
        self.assertEqual(self.me.entries()[0]["answer"], evil)

    def test_huge_binary_and_empty_answers(self):
        r = self.me.run("reflect", "--prompt", "e2e/note", "--answer", "-", input="x" * (2 * 1024 * 1024))
        self.assertEqual(r.returncode, 4)
        p = subprocess.run([DUET, "reflect", "--prompt", "e2e/note", "--answer", "-"],
                           input=b"\xff\xfe binary \x00 junk", env=self.me.env(),
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 4)
        r = self.me.run("reflect", "--prompt", "e2e/note", "--answer", "   ")
        self.assertEqual(r.returncode, 2)
        self.assertFalse(os.path.exists(os.path.join(self.me.duet_home, "journal.db")))

    def test_hostile_packs(self):
        folder = os.path.join(self.root, "hostile")
        os.makedirs(folder)
        with open(os.path.join(folder, "huge.prompts"), "wb") as f:
            f.write(b"pack: huge\ntitle: H\n" + b"[a]\ntext: " + b"x" * (2 * 1024 * 1024) + b"\n")
        with open(os.path.join(folder, "binary.prompts"), "wb") as f:
            f.write(bytes(range(256)) * 64)
        with open(os.path.join(folder, "empty.prompts"), "wb") as f:
            pass
        with open(os.path.join(folder, "deep.prompts"), "w") as f:
            f.write("pack: deep\ntitle: D\n[a]\ntext: t\n" + "  more\n" * 50000)
        for name in ("huge", "binary", "empty"):
            r = self.me.run("reflect", "--check", os.path.join(folder, name + ".prompts"), passphrase=None)
            self.assertEqual(r.returncode, 4, name)
            self.assertIn(name + ".prompts:", r.stderr)
        r = self.me.run("reflect", "--check", os.path.join(folder, "deep.prompts"), passphrase=None)
        self.assertOk(r, "a long continued value is fine")
        r = self.me.run("--prompts", folder, "reflect", "--list", passphrase=None)
        self.assertEqual(r.returncode, 4)
        self.assertIn("daily", r.stdout)

    def test_passphrase_never_in_argv_of_children(self):
        log = os.path.join(self.root, "cmdline.log")
        cmd = f"cat /proc/$PPID/cmdline > {log}; printf '%s\\n' '{PASSPHRASE}'"
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3",
                                  passphrase=None, DUET_PASSPHRASE_COMMAND=cmd))
        with open(log, "rb") as f:
            self.assertNotIn(PASSPHRASE.encode(), f.read())


class PassphraseSources(DuetTestCase):
    """Audit finding 10: a passphrase command that hangs, floods or lingers, and
    a passphrase longer than duet takes."""

    def test_a_hanging_command_is_stopped(self):
        r = self.me.run("reflect", "--prompt", "e2e/note", "--answer", "x", passphrase=None,
                        DUET_PASSPHRASE_COMMAND="sleep 30", DUET_PASSPHRASE_TIMEOUT="1")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("DUET_PASSPHRASE_TIMEOUT", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.me.duet_home, "journal.db")))

    def test_a_flooding_or_lingering_command_still_gives_its_first_line(self):
        r = self.me.run("reflect", "--prompt", "e2e/note", "--answer", "x", passphrase=None,
                        DUET_PASSPHRASE_COMMAND="yes")
        self.assertOk(r)
        r = self.me.run("review", passphrase=None,
                        DUET_PASSPHRASE_COMMAND="echo y; sleep 30 &")
        self.assertOk(r)
        self.assertIn("x", r.stdout)

    def test_an_overlong_passphrase_is_refused_not_cut(self):
        path = os.path.join(self.root, "long-passphrase")
        with open(path, "w") as f:
            f.write("p" * 1500 + "\n")
        r = self.me.run("reflect", "--prompt", "e2e/note", "--answer", "x", passphrase=None,
                        DUET_PASSPHRASE_FILE=path)
        self.assertEqual(r.returncode, 3)
        self.assertIn("longer than 1024 bytes", r.stderr)
        with open(path, "w") as f:
            f.write("p" * 1024 + "\n")
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/note", "--answer", "x",
                                  passphrase=None, DUET_PASSPHRASE_FILE=path))
