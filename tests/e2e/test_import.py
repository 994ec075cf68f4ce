"""reflect --import: duet, jrnl and Day One exports through the real binary."""

import json
import os
import subprocess
import sys
import unittest
from datetime import datetime, timedelta, timezone

import pexpect

from duettest import DUET, PASSPHRASE, DuetTestCase, SOURCE_DIR, World, read_text

SAMPLES = os.path.join(SOURCE_DIR, "tests", "data", "import")
BAD = os.path.join(SAMPLES, "bad")
# Central European time without needing tzdata: +01:00 in winter, +02:00 in summer.
CET = "CET-1CEST,M3.5.0,M10.5.0/3"


def sample(name):
    return os.path.join(SAMPLES, name)


def bad_cases():
    """(file, expected message fragment) from bad/EXPECTED."""
    for line in read_text(os.path.join(BAD, "EXPECTED")).splitlines():
        if line and not line.startswith("#"):
            name, expect = line.split("\t", 1)
            yield os.path.join(BAD, name), expect


def jrnl_export(count):
    entries = [{"title": f"Evening {i}.", "body": f"We talked about day {i}.",
                "date": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}", "time": f"{i % 24:02d}:{i % 60:02d}",
                "tags": [], "starred": False} for i in range(count)]
    return json.dumps({"tags": {}, "entries": entries})


def duet_export(count):
    """A duet export of `count` entries, each with a few hundred bytes of text."""
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    text = "a walk by the river, café au lait, \"quiet\" {braces} [and] more; " * 4
    records = []
    for i in range(count):
        at = start + timedelta(minutes=97 * i)
        records.append(json.dumps({
            "id": i + 1, "created_at": at.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "day": at.strftime("%Y-%m-%d"), "pack": "daily", "prompt_id": "noticed",
            "prompt": "What did I notice today?", "kind": "text", "answer": f"Entry {i}: {text}",
            "skipped": False, "for_session": False, "together": False, "imported": False,
            "author": "me"}, ensure_ascii=False))
    return '{"format":"duet-export","version":1,"entries":[\n' + ",\n".join(records) + "\n]}"


# Runs argv and prints its exit status and peak resident memory (KiB), then what it said.
MEASURE = """
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True, text=True)
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stdout.write(r.stdout + r.stderr)
"""


class Import(DuetTestCase):
    def journal(self, world=None):
        return os.path.join((world or self.me).duet_home, "journal.db")

    def do_import(self, path, world=None, **kw):
        r = (world or self.me).run("reflect", "--import", path, TZ=CET, **kw)
        self.assertOk(r)
        return r

    def entries(self, world=None):
        return (world or self.me).entries(TZ=CET)

    def test_jrnl_keeps_dates_and_is_marked_imported(self):
        r = self.do_import(sample("jrnl.json"))
        self.assertIn("Imported 2 entries from jrnl.", r.stdout)
        self.assertIn("1 entry without any text", r.stdout)
        got = self.entries()
        self.assertEqual([e["created_at"] for e in got],
                         ["2024-01-05T20:14:00+01:00", "2024-07-14T08:30:00+02:00"])
        self.assertEqual(got[0]["prompt"], "Long walk by the river with @walk today.")
        self.assertEqual(got[0]["answer"], "We talked about the summer and\nwho we want to visit.")
        self.assertEqual(got[1]["prompt"], "Imported from jrnl")
        self.assertEqual(got[1]["answer"], "Quiet breakfast, café au lait on the balcony.")
        for e in got:
            self.assertTrue(e["imported"])
            self.assertEqual((e["pack"], e["prompt_id"], e["kind"]), ("imported", "jrnl", "text"))
            self.assertEqual(e["author"], "me")
            self.assertFalse(e["skipped"])
        self.assertEqual([e["id"] for e in self.me.entries("--since", "2024-07-01", TZ=CET)], [2])

    def test_dayone_keeps_the_instant_in_the_local_zone(self):
        r = self.do_import(sample("dayone.json"))
        self.assertIn("Imported 2 entries from Day One.", r.stdout)
        got = self.entries()
        self.assertEqual([e["created_at"] for e in got],
                         ["2024-01-05T21:14:03+01:00", "2024-07-01T00:30:00+02:00"])
        self.assertEqual(got[0]["answer"],
                         "We cooked together and the kitchen smelled of cardamom.\n\nTags: home, us")
        self.assertEqual(got[1]["prompt_id"], "dayone")
        self.assertTrue(all(e["imported"] for e in got))
        # Imported on a machine in another zone: the same instant, on the writer's clock.
        other = World(self.root, "other")
        self.assertOk(other.run("reflect", "--import", sample("dayone.json"), TZ="UTC0"))
        got = other.entries()
        self.assertEqual(got[1]["created_at"], "2024-07-01T00:30:00+02:00")
        self.assertEqual(got[1]["day"], "2024-07-01")

    def test_duet_export_leaves_partner_entries_out(self):
        r = self.do_import(sample("duet.json"))
        self.assertIn("Imported 4 entries from duet.", r.stdout)
        self.assertIn("Left out 1 entry your partner shared", r.stdout)
        got = self.entries()
        self.assertEqual([e["prompt_id"] for e in got], ["noticed", "closeness", "evening", "closeness"])
        self.assertTrue(got[0]["for_session"])
        self.assertEqual(got[0]["created_at"], "2025-03-02T21:05:10+01:00")
        self.assertEqual((got[1]["kind"], got[1]["answer"]), ("scale", "4"))
        self.assertTrue(got[3]["skipped"])
        self.assertIsNone(got[3]["answer"])
        self.assertFalse(got[2]["together"], "an import never shares")
        self.assertTrue(all(e["author"] == "me" and e["imported"] for e in got))
        self.assertNotIn("theirs", json.dumps(got))

    def test_importing_twice_adds_nothing(self):
        for name, title in (("jrnl.json", "jrnl"), ("dayone.json", "Day One"), ("duet.json", "duet")):
            self.do_import(sample(name))
            before = self.entries()
            r = self.do_import(sample(name))
            self.assertIn(f"Imported 0 entries from {title} (", r.stdout)
            self.assertIn("already in your journal", r.stdout)
            self.assertEqual(self.entries(), before)
        self.assertEqual(len(self.entries()), 8)

    def test_round_trip_into_a_fresh_journal(self):
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/note", "--answer", "tea on the stairs",
                                  "--for-session", faketime="2026-02-03 21:00:00"))
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "4",
                                  faketime="2026-02-04 08:00:00"))
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--skip",
                                  faketime="2026-02-05 08:00:00"))
        self.do_import(sample("jrnl.json"))
        export = os.path.join(self.root, "export.json")  # outside both data folders
        self.assertOk(self.me.run("review", "--format", "json", "-o", export, TZ=CET))
        mine = self.entries()

        r = self.do_import(export)
        self.assertIn("Imported 0 entries from duet (5 were already", r.stdout,
                      "a journal's own export adds nothing to it")

        other = World(self.root, "other")
        r = self.do_import(export, world=other)
        self.assertIn("Imported 5 entries from duet.", r.stdout)
        theirs = self.entries(other)
        keys = ("created_at", "day", "pack", "prompt_id", "prompt", "kind", "answer", "skipped",
                "for_session", "author")
        self.assertEqual([{k: e[k] for k in keys} for e in theirs],
                         [{k: e[k] for k in keys} for e in mine])
        self.assertTrue(all(e["imported"] for e in theirs))
        self.assertIn("Imported 0 entries", self.do_import(export, world=other).stdout)

    def test_malformed_files_exit_4_and_create_nothing(self):
        cases = list(bad_cases())
        self.assertGreaterEqual(len(cases), 20)
        for path, expect in cases:
            with self.subTest(file=os.path.basename(path)):
                r = self.me.run("reflect", "--import", path, passphrase=None)
                self.assertEqual(r.returncode, 4, r.stderr)
                self.assertIn(path, r.stderr)
                self.assertIn(expect, r.stderr)
                self.assertEqual(r.stdout, "")
                self.assertFalse(os.path.exists(self.journal()), "nothing is created for a bad file")

    def test_a_bad_record_imports_nothing_into_an_existing_journal(self):
        self.do_import(sample("jrnl.json"))
        before = self.me.snapshot()
        r = self.me.run("reflect", "--import", os.path.join(BAD, "jrnl-bad-date.json"))
        self.assertEqual(r.returncode, 4)
        self.assertIn("entry 2", r.stderr)
        self.assertEqual(self.me.snapshot(), before)

    def test_no_plaintext_in_the_data_folder(self):
        for name in ("jrnl.json", "dayone.json", "duet.json"):
            self.do_import(sample(name))
        for secret in ("cardamom", "café au lait", "bike light", "Long walk by the river",
                       "Imported from Day One", "2024-01-05"):
            self.assertEqual(self.me.files_containing(secret), [], secret)

    def test_usage_and_missing_file(self):
        r = self.me.run("reflect", "--import", sample("jrnl.json"), "--answer", "x")
        self.assertEqual(r.returncode, 2)
        r = self.me.run("reflect", "--import", sample("jrnl.json"), "--pack", "daily")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--import", r.stderr)
        r = self.me.run("reflect", "--import", os.path.join(self.root, "no-such.json"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("no-such.json", r.stderr)
        self.assertFalse(os.path.exists(self.journal()))
        self.assertIn("--import", self.me.run("reflect", "--help").stdout)

    def test_empty_export_needs_no_passphrase(self):
        path = self.write(os.path.join(self.root, "empty.json"), '{"tags": {}, "entries": []}')
        r = self.me.run("reflect", "--import", path, passphrase=None)
        self.assertOk(r)
        self.assertEqual(r.stdout, f"Nothing to import from {path}: this jrnl export has no entries.\n")
        self.assertFalse(os.path.exists(self.journal()))

    def test_an_empty_file_is_nothing_to_import(self):
        # jrnl prints nothing at all for an empty journal.
        for name, text in (("nothing.json", ""), ("blank.json", "\n  \n")):
            with self.subTest(file=name):
                path = self.write(os.path.join(self.root, name), text)
                r = self.me.run("reflect", "--import", path, passphrase=None)
                self.assertOk(r)
                self.assertEqual(r.stdout, f"Nothing to import from {path}: it is empty.\n")
                self.assertEqual(r.stderr, "")
                self.assertFalse(os.path.exists(self.journal()))

    def test_nothing_to_import_reads_right_for_each_kind(self):
        dayone = self.write(os.path.join(self.root, "Journal.json"), json.dumps({
            "metadata": {"version": "1.0"},
            "entries": [{"uuid": "AB12", "creationDate": "2024-01-05T20:14:03Z", "text": "",
                         "photos": [{"identifier": "X"}]}]}))
        r = self.me.run("reflect", "--import", dayone, passphrase=None)
        self.assertOk(r)
        self.assertEqual(r.stdout, f"Nothing to import from {dayone}.\nLeft out 1 entry without any text.\n")
        duet = json.loads(read_text(sample("duet.json")))
        duet["entries"] = [e for e in duet["entries"] if e["author"] == "partner"]
        theirs = self.write(os.path.join(self.root, "theirs.json"), json.dumps(duet))
        r = self.me.run("reflect", "--import", theirs, passphrase=None)
        self.assertOk(r)
        self.assertIn(f"Nothing to import from {theirs}.\nLeft out 1 entry your partner shared", r.stdout)
        self.assertFalse(os.path.exists(self.journal()))

    def test_the_same_entry_twice_in_a_file_is_kept_twice(self):
        r = self.do_import(sample("jrnl-fidelity.json"))
        self.assertEqual(r.stdout, "Imported 5 entries from jrnl.\n", "a fresh journal holds nothing yet")
        calls = [e for e in self.entries() if e["prompt"] == "Called @mum."]
        self.assertEqual(len(calls), 2)
        self.assertEqual({(e["created_at"], e["answer"]) for e in calls},
                         {("2024-04-02T19:05:00+02:00", "She sounded well.")})
        # Importing the file again, or the journal's own export, adds nothing.
        r = self.do_import(sample("jrnl-fidelity.json"))
        self.assertEqual(r.stdout, "Imported 0 entries from jrnl (5 were already in your journal).\n")
        export = os.path.join(self.root, "export.json")
        self.assertOk(self.me.run("review", "--format", "json", "-o", export, TZ=CET))
        r = self.do_import(export)
        self.assertEqual(r.stdout, "Imported 0 entries from duet (5 were already in your journal).\n")
        self.assertEqual(len(self.entries()), 5)
        # That export into another journal: both again, once.
        other = World(self.root, "other")
        self.assertIn("Imported 5 entries from duet.", self.do_import(export, world=other).stdout)
        self.assertIn("Imported 0 entries", self.do_import(export, world=other).stdout)

    def test_a_time_the_clocks_skipped_shows_as_jrnl_shows_it(self):
        # 2024-03-31 02:30 does not exist in Berlin (02:00 became 03:00); jrnl shows 02:30.
        for n, zone in enumerate((CET, "Europe/Berlin")):
            with self.subTest(zone=zone):
                world = World(self.root, f"zone-{n}")
                self.assertOk(world.run("reflect", "--import", sample("jrnl-fidelity.json"), TZ=zone))
                got = {e["prompt"]: e for e in world.entries(TZ=zone)}
                night = got["Could not sleep, so I wrote."]
                self.assertEqual(night["created_at"], "2024-03-31T02:30:00+01:00")
                self.assertEqual(night["day"], "2024-03-31")
                # 02:30 happened twice the night summer time ended: the first one.
                self.assertEqual(got["Imported from jrnl"]["created_at"], "2024-10-27T02:30:00+02:00")
                text = world.run("review", "--since", "2024-03-31", "--until", "2024-03-31", TZ=zone)
                self.assertOk(text)
                self.assertIn("2024-03-31 02:30", text.stdout)
                self.assertNotIn("03:30", text.stdout)

    def test_dayone_entries_belong_to_the_writers_day(self):
        # This machine is in UTC; the writers were in Berlin, California and Tokyo.
        r = self.me.run("reflect", "--import", sample("dayone-fidelity.json"), TZ="UTC0")
        self.assertOk(r)
        self.assertEqual(r.stdout, "Imported 4 entries from Day One.\nLeft out 1 entry without any text.\n")
        got = self.me.entries(TZ="UTC0")
        self.assertEqual([(e["created_at"], e["day"]) for e in got], [
            ("2024-03-10T00:40:12+01:00", "2024-03-10"),  # Berlin, after midnight
            ("2024-05-01T10:00:00+00:00", "2024-05-01"),  # a zone not known here: this machine's
            ("2024-07-03T22:15:00-07:00", "2024-07-03"),  # California, the evening before in UTC
            ("2025-01-01T00:30:00+09:00", "2025-01-01"),  # Tokyo, New Year
        ])
        day = self.me.run("review", "--since", "2024-07-03", "--until", "2024-07-03",
                          "--format", "json", TZ="UTC0")
        self.assertOk(day)
        self.assertEqual([e["answer"].split("\n")[0] for e in json.loads(day.stdout)["entries"]],
                         ["Fireworks from the roof."])

    def test_dayone_tags_rich_text_and_markdown(self):
        self.assertOk(self.me.run("reflect", "--import", sample("dayone-fidelity.json"), TZ="UTC0"))
        answers = [e["answer"] for e in self.me.entries(TZ="UTC0")]
        self.assertEqual(answers[0],
                         "Couldn't sleep. Read on the sofa - the new novel!\n\n[photo]\n\n1. Tea\n"
                         "2. Blanket\n\nPath: `C:\\temp\\.` stays\n\nTags: night, books")
        self.assertEqual(answers[2], "Fireworks from the roof.\n\n[video]\n\nTomorrow:\n1. Pack\n"
                                     "2. Drive north\n\nTags: summer")
        # Only in richText: its words, the photo as a line of its own, the tags.
        self.assertEqual(answers[3], "New Year in Tokyo\n[photo]\nWe watched the lanterns from the "
                                     "bridge; neither of us wanted to go home.\n\nTags: travel, us")
        shown = self.me.run("review", TZ="UTC0", NO_COLOR="1")
        self.assertOk(shown)
        self.assertNotIn("dayone-moment", shown.stdout)
        self.assertNotIn("\\.", shown.stdout.replace("C:\\temp\\.", ""))
        self.assertIn("Tags: night, books", shown.stdout)
        for secret in ("lanterns", "Fireworks", "Tags: night"):
            self.assertEqual(self.me.files_containing(secret), [], secret)

    def test_large_import_in_one_go(self):
        path = self.write(os.path.join(self.root, "big.json"), jrnl_export(2500))
        r = self.do_import(path)
        self.assertIn("Imported 2500 entries from jrnl.", r.stdout)
        self.assertNotIn("\r", r.stdout + r.stderr, "no progress line without a terminal")
        self.assertEqual(len(self.entries()), 2500)

    def peak_memory_kib(self, world, path, passphrase=PASSPHRASE):
        """Runs an import and returns its exit status, output and peak resident memory. A fresh,
        small interpreter starts it: a child's peak starts from its parent's, and this one's is
        large."""
        # Under AddressSanitizer (.ci/sanitize) freed memory waits in a quarantine
        # of up to 256 MB, so the peak would follow the work done instead of what
        # is kept; without the quarantine it shows the same as a plain build.
        # Other builds ignore the variable.
        env = world.env(passphrase, TZ=CET, ASAN_OPTIONS="quarantine_size_mb=0")
        r = subprocess.run([sys.executable, "-c", MEASURE, DUET, "reflect", "--import", path],
                           env=env, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        code, kib = map(int, r.stdout.split("\n", 1)[0].split())
        return code, r.stdout.split("\n", 1)[1], kib

    def test_memory_does_not_grow_with_the_file(self):
        paths = {n: self.write(os.path.join(self.root, f"export-{n}.json"), duet_export(n))
                 for n in (2000, 20000)}
        # Ten times the entries (10 MB more file) may cost a few bytes each, not a copy of it.
        limit = 16 * 1024
        # Checking the whole file, before the passphrase is asked for: no passphrase, exit 3.
        checked = {}
        for n, path in paths.items():
            code, said, checked[n] = self.peak_memory_kib(World(self.root, f"check-{n}"), path,
                                                          passphrase=None)
            self.assertEqual(code, 3, said)
        self.assertLess(checked[20000] - checked[2000], limit, f"checking: {checked} KiB")
        # The whole import; unlocking (Argon2id) has a large floor of its own.
        imported = {}
        for n, path in paths.items():
            code, said, imported[n] = self.peak_memory_kib(World(self.root, f"import-{n}"), path)
            self.assertEqual(code, 0, said)
            self.assertIn(f"Imported {n} entries from duet.", said)
        self.assertLess(imported[20000] - imported[2000], limit, f"importing: {imported} KiB")

    def test_format_told_after_the_entries(self):
        entries = json.loads(jrnl_export(3))["entries"]
        path = self.write(os.path.join(self.root, "late.json"),
                          json.dumps({"entries": entries, "tags": {}}))
        r = self.do_import(path)
        self.assertIn("Imported 3 entries from jrnl.", r.stdout)
        duet = json.loads(duet_export(2))
        path = self.write(os.path.join(self.root, "late-duet.json"),
                          json.dumps({"entries": duet["entries"], "version": 1, "format": "duet-export"}))
        r = self.do_import(path)
        self.assertIn("Imported 2 entries from duet.", r.stdout)
        self.assertEqual(len(self.entries()), 5)

    def test_a_bad_last_record_of_a_long_file_imports_nothing(self):
        doc = json.loads(jrnl_export(3000))
        doc["entries"][-1]["date"] = "2023-13-01"
        path = self.write(os.path.join(self.root, "long.json"), json.dumps(doc))
        r = self.me.run("reflect", "--import", path, passphrase=None)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn(f"{path}: entry 3000: \"date\"", r.stderr)
        self.assertNotIn("passphrase", r.stderr)
        self.assertFalse(os.path.exists(self.journal()), "nothing is created for a bad file")
        self.do_import(sample("jrnl.json"))
        before = self.me.snapshot()
        r = self.me.run("reflect", "--import", path)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertEqual(self.me.snapshot(), before)

    def test_import_from_a_pipe(self):
        r = self.me.run("reflect", "--import", "/dev/stdin", input=jrnl_export(5), TZ=CET)
        self.assertOk(r)
        self.assertIn("Imported 5 entries from jrnl.", r.stdout)
        r = self.me.run("reflect", "--import", "/dev/stdin", input=jrnl_export(5), TZ=CET)
        self.assertIn("Imported 0 entries from jrnl (5 were already", r.stdout)

    def test_import_from_standard_input(self):
        text = read_text(sample("jrnl-fidelity.json"))
        r = self.me.run("reflect", "--import", "-", input=text, TZ=CET)
        self.assertOk(r)
        self.assertEqual(r.stdout, "Imported 5 entries from jrnl.\n")
        r = self.me.run("reflect", "--import", "-", input=text, TZ=CET)
        self.assertEqual(r.stdout, "Imported 0 entries from jrnl (5 were already in your journal).\n")
        # Standard input redirected from a file is read in place, the same way.
        with open(sample("dayone.json"), encoding="utf-8") as f:
            r = subprocess.run([DUET, "reflect", "--import", "-"], stdin=f, capture_output=True,
                               text=True, env=self.me.env(TZ=CET), timeout=60)
        self.assertOk(r)
        self.assertEqual(r.stdout, "Imported 2 entries from Day One.\nLeft out 1 entry without any text.\n")
        # The same checks and messages, naming standard input.
        r = self.me.run("reflect", "--import", "-", input="", passphrase=None)
        self.assertOk(r)
        self.assertEqual(r.stdout, "Nothing to import from standard input: it is empty.\n")
        before = self.me.snapshot()
        r = self.me.run("reflect", "--import", "-", input='{"tags": {}, "entries": [1,', passphrase=None)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("duet: error: standard input: ", r.stderr)
        self.assertIn("not valid JSON", r.stderr)
        r = self.me.run("reflect", "--import", "-", input=read_text(os.path.join(BAD, "jrnl-bad-date.json")))
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn('standard input: entry 2: "date"', r.stderr)
        self.assertEqual(self.me.snapshot(), before)

    def test_import_from_standard_input_on_a_terminal_is_refused(self):
        child = pexpect.spawn(DUET, ["reflect", "--import", "-"], env=self.me.env(TZ=CET),
                              encoding="utf-8", timeout=30)
        self.addCleanup(child.close, force=True)
        child.expect("standard input, which is a terminal")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 2)
        self.assertFalse(os.path.exists(self.journal()))

    def test_progress_on_a_terminal(self):
        path = self.write(os.path.join(self.root, "big.json"), jrnl_export(2500))
        child = pexpect.spawn(DUET, ["reflect", "--import", path], env=self.me.env(TZ=CET),
                              encoding="utf-8", timeout=60, dimensions=(40, 100))
        self.addCleanup(child.close, force=True)
        child.expect("Importing: 2000 of 2500 entries")
        child.expect("Imported 2500 entries from jrnl.")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)


if __name__ == "__main__":
    unittest.main()
