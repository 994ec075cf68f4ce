"""duet review through the real binary: filters, formats, the pre-session
summary, session dates, files written with -o, and the pager."""

import glob
import json
import os
import stat
import unittest
from html.parser import HTMLParser

import pexpect

from duettest import DUET, DuetTestCase, PASSPHRASE, World, fake_time, read_text

SKIPPED_PROMPT = "What would feel good this evening?"
CLOSING = "Whatever you bring, or don't, is yours to choose."
VOID = {"meta", "br", "hr", "img", "link", "input", "wbr", "source", "col", "area", "base"}


class TagChecker(HTMLParser):
    """Fails on any closing tag that does not match the innermost open one."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.seen = set()
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.seen.add(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.seen.add(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            raise AssertionError(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse_html(document):
    checker = TagChecker()
    checker.feed(document)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    return checker


class Review(DuetTestCase):
    def at(self, day, clock="09:00:00"):
        return f"2026-11-{day:02d} {clock}"

    def reflect(self, day, *args, clock="09:00:00"):
        self.assertOk(self.me.run("reflect", *args, faketime=self.at(day, clock)))

    def setUp(self):
        super().setUp()
        self.reflect(2, "--prompt", "e2e/mood", "--answer", "2")
        self.reflect(2, "--prompt", "e2e/note", "--answer", "a slow walk by the River", clock="20:00:00")
        self.reflect(3, "--prompt", "e2e/mood", "--answer", "4")
        self.reflect(3, "--prompt", "e2e/note", "--answer", "we laughed <script>alert(1)</script> & more",
                     "--for-session", clock="21:00:00")
        self.reflect(4, "--prompt", "e2e/evening", "--skip")
        self.reflect(5, "--prompt", "e2e/mood", "--answer", "5")
        self.reflect(5, "--prompt", "e2e/pair", "--answer", "cooking on Sunday", "--together",
                     clock="10:00:00")
        self.reflect(6, "--pack", "e2e-steps", "--answer", "a first step")

    def review(self, *args, day=6, **kw):
        return self.me.run("review", *args, faketime=self.at(day, "18:00:00"), **kw)

    def ids(self, *args, day=6):
        r = self.review("--format", "json", *args, day=day)
        self.assertOk(r)
        return [e["id"] for e in json.loads(r.stdout)["entries"]]


class Filters(Review):
    def test_dates(self):
        self.assertEqual(self.ids(), [1, 2, 3, 4, 5, 6, 7, 8])
        self.assertEqual(self.ids("--since", "2026-11-03"), [3, 4, 5, 6, 7, 8])
        self.assertEqual(self.ids("--until", "2026-11-03"), [1, 2, 3, 4])
        self.assertEqual(self.ids("--since", "2026-11-03", "--until", "2026-11-04"), [3, 4, 5])
        self.assertEqual(self.ids("--since", "today"), [8])
        self.assertEqual(self.ids("--since", "yesterday", "--until", "yesterday"), [6, 7])
        self.assertEqual(self.ids("--until", "yesterday", day=5), [1, 2, 3, 4, 5])
        r = self.review("--since", "2026-02-30")
        self.assertEqual(r.returncode, 2)
        self.assertIn("YYYY-MM-DD", r.stderr)

    def test_last_pack_grep_author(self):
        self.assertEqual(self.ids("--last", "2"), [7, 8])
        self.assertEqual(self.ids("--pack", "e2e-steps"), [8])
        self.assertEqual(self.ids("--grep", "river"), [2])
        self.assertEqual(self.ids("--grep", "SUNDAY", "--last", "5"), [7])
        self.assertEqual(self.ids("--mine", "--pack", "e2e", "--last", "1"), [7])
        self.assertEqual(self.ids("--partner"), [])
        self.assertEqual(self.review("--mine", "--partner").returncode, 2)
        self.assertEqual(self.review("--last", "0").returncode, 2)

    def test_last_session(self):
        r = self.review("--since", "last-session")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--session-done", r.stderr)
        r = self.review("--session-done", "2026-11-03")
        self.assertOk(r)
        self.assertIn("Tuesday 3 November 2026", r.stdout)
        self.assertEqual(self.ids("--since", "last-session"), [3, 4, 5, 6, 7, 8])
        self.assertEqual(self.ids("--until", "last-session"), [1, 2, 3, 4])


class SessionDone(Review):
    def test_default_is_today_and_words_work(self):
        r = self.review("--session-done", day=4)
        self.assertOk(r)
        self.assertIn("Recorded a session on Wednesday 4 November 2026", r.stdout)
        self.assertEqual(self.ids("--since", "last-session"), [5, 6, 7, 8])
        self.assertOk(self.review("--session-done", "yesterday", day=6))
        self.assertEqual(self.ids("--since", "last-session"), [6, 7, 8])
        r = self.review("--session-done", "yesterday", day=6)
        self.assertOk(r)
        self.assertIn("already recorded", r.stdout)

    def test_an_earlier_date_keeps_the_latest_session(self):
        self.assertOk(self.review("--session-done", "2026-11-05"))
        self.assertOk(self.review("--session-done", "2026-11-02"))
        self.assertEqual(self.ids("--since", "last-session"), [6, 7, 8])

    def test_a_future_date_counts_once_it_comes(self):
        self.assertOk(self.review("--session-done", "2026-11-03"))
        r = self.review("--session-done", "2026-11-20")
        self.assertOk(r)
        self.assertIn("still ahead", r.stdout)
        self.assertEqual(self.ids("--since", "last-session"), [3, 4, 5, 6, 7, 8])
        self.assertEqual(self.ids("--since", "last-session", day=21), [])

    def test_bad_dates_and_combinations(self):
        for bad in ("tomorrow", "2026-13-01", "last-session"):
            r = self.review("--session-done", bad)
            self.assertEqual(r.returncode, 2, bad)
        self.assertEqual(self.review("--session-done", "--summary").returncode, 2)
        self.assertEqual(self.review("--session-done", "today", "--since", "today").returncode, 2)

    def test_needs_a_journal_and_the_passphrase(self):
        self.assertEqual(self.review("--session-done", passphrase="not it").returncode, 3)
        r = self.me.run("--home", os.path.join(self.root, "none"), "review", "--session-done")
        self.assertEqual(r.returncode, 1)


class Formats(Review):
    def test_text(self):
        r = self.review()
        self.assertOk(r)
        self.assertIn("#1  2026-11-02 09:00  e2e/mood", r.stdout)
        self.assertIn("2 (on a scale of 1 to 5)", r.stdout)
        self.assertIn("(skipped)", r.stdout)
        self.assertIn("· for session", r.stdout)
        self.assertNotIn("\x1b[", r.stdout, "no colour when stdout is not a terminal")

    def test_markdown(self):
        r = self.review("--format", "markdown")
        self.assertOk(r)
        self.assertTrue(r.stdout.startswith("# duet journal\n"))
        self.assertIn("## #4 · 2026-11-03 21:00 · e2e/note · for session", r.stdout)
        self.assertIn(r"\<script\>", r.stdout)

    def test_json(self):
        r = self.review("--format", "json")
        self.assertOk(r)
        doc = json.loads(r.stdout)
        self.assertEqual(len(doc["entries"]), 8)
        self.assertEqual(doc["entries"][3]["answer"], "we laughed <script>alert(1)</script> & more")
        self.assertTrue(doc["entries"][4]["skipped"])

    def test_html(self):
        r = self.review("--format", "html")
        self.assertOk(r)
        self.assertTrue(r.stdout.startswith("<!DOCTYPE html>"))
        parsed = parse_html(r.stdout)
        self.assertNotIn("script", parsed.seen, "an answer's <script> comes out escaped")
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more", r.stdout)
        self.assertIn("we laughed <script>alert(1)</script> & more", "".join(parsed.text))
        for outside in ("src=", "href=", "url(", "@import"):
            self.assertNotIn(outside, r.stdout)
        self.assertIn("@media print", r.stdout)

    def test_unknown_format(self):
        self.assertEqual(self.review("--format", "pdf").returncode, 2)


class Summary(Review):
    def assertNoSkips(self, out):
        self.assertNotIn(SKIPPED_PROMPT, out)
        self.assertNotIn("e2e/evening", out)
        self.assertNotIn("skip", out.lower())

    def test_text_since_the_last_session(self):
        self.assertOk(self.review("--session-done", "2026-11-03"))
        r = self.review("--summary")
        self.assertOk(r)
        self.assertNotIn("Prompts I answered", r.stdout, "the list of answered prompts is opt-in")
        r = self.review("--summary", "--with-answered")
        self.assertOk(r)
        out = r.stdout
        self.assertIn("Since the session on Tuesday 3 November 2026", out)
        self.assertIn("Marked for the session", out)
        self.assertIn("we laughed <script>alert(1)</script> & more", out)
        self.assertIn("Check-ins over time", out)
        self.assertIn("▆█  (1 to 5)", out)
        self.assertIn("11-03: 4  11-05: 5", out)
        # No partner is linked: the together answer stayed private, so nothing was shared.
        self.assertNotIn("What I shared", out)
        self.assertIn("Prompts I answered", out)
        self.assertIn("  How light did today feel? (e2e/mood)\n      2026-11-03, 2026-11-05\n", out)
        self.assertIn("  First step? (e2e-steps/one)\n      2026-11-06\n", out)
        self.assertNotIn("a slow walk", out, "before the session")
        self.assertNotIn("Shared with me", out, "nothing from a partner: no section, no remark")
        self.assertTrue(out.rstrip().endswith(CLOSING))
        self.assertNoSkips(out)

    def test_everything_without_a_session_and_since(self):
        r = self.review("--summary")
        self.assertOk(r)
        self.assertIn("Everything so far", r.stdout)
        self.assertIn("▃▆█  (1 to 5)", r.stdout)
        self.assertNoSkips(r.stdout)
        r = self.review("--summary", "--since", "2026-11-05")
        self.assertOk(r)
        self.assertIn("Since Thursday 5 November 2026", r.stdout)
        self.assertNotIn("Marked for the session", r.stdout)
        r = self.review("--summary", "--since", "2026-11-04", "--until", "2026-11-04")
        self.assertOk(r)
        self.assertIn("nothing from this period", r.stdout)
        self.assertNoSkips(r.stdout)

    def test_every_format(self):
        md = self.review("--summary", "--format", "markdown")
        self.assertOk(md)
        self.assertTrue(md.stdout.startswith("# Before the next session\n"))
        self.assertIn("    ▃▆█  (1 to 5)", md.stdout)
        self.assertNoSkips(md.stdout)

        self.assertEqual(json.loads(self.review("--summary", "--format", "json").stdout)
                         ["summary"]["answered"], [], "opt-in")
        js = self.review("--summary", "--format", "json", "--with-answered")
        self.assertOk(js)
        self.assertNoSkips(js.stdout)
        s = json.loads(js.stdout)["summary"]
        self.assertEqual([e["id"] for e in s["for_session"]], [4])
        self.assertEqual([p["value"] for p in s["scales"][0]["points"]], [2, 4, 5])
        self.assertEqual([p["day"] for p in s["scales"][0]["points"]],
                         ["2026-11-02", "2026-11-03", "2026-11-05"])
        self.assertEqual(s["shared_by_me"], [])
        self.assertEqual(s["shared_with_me"], [])
        self.assertEqual([(a["prompt_id"], [x["id"] for x in a["answers"]]) for a in s["answered"]],
                         [("mood", [1, 3, 6]), ("note", [2, 4]), ("pair", [7]), ("one", [8])])
        self.assertEqual(s["closing"], CLOSING)

        html = self.review("--summary", "--format", "html")
        self.assertOk(html)
        self.assertNoSkips(html.stdout)
        parsed = parse_html(html.stdout)
        self.assertIn("svg", parsed.seen)
        self.assertIn("polyline", parsed.seen)
        self.assertNotIn("script", parsed.seen)
        self.assertIn("&lt;script&gt;", html.stdout)
        for label in (">2 Nov<", ">5 Nov<", ">1<", ">5<"):
            self.assertIn(label, html.stdout)

    def test_pack_filter_narrows_the_summary(self):
        r = self.review("--summary", "--pack", "e2e-steps", "--with-answered")
        self.assertOk(r)
        self.assertIn("First step?", r.stdout)
        self.assertNotIn("Check-ins over time", r.stdout)


class SharedBothWays(DuetTestCase):
    def test_summary_shows_what_went_each_way(self):
        sam = World(self.root, "sam")
        shared = os.path.join(self.root, "shared")
        self.assertOk(self.me.run("invite", "--name", "Alex", "--shared", shared))
        invitation = glob.glob(os.path.join(shared, "duet-invitation-*.txt"))[0]
        self.assertOk(sam.run("invite", "accept", invitation, "--yes", "--name", "Sam"))
        self.assertOk(self.me.run("invite", "status"))
        day = "2026-11-10 09:00:00"
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/note", "--answer", "mine to share",
                                  faketime=day))
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3", faketime=day))
        self.assertOk(self.me.run("share", "1", "--yes", faketime=day))
        self.assertOk(sam.run("reflect", "--prompt", "e2e/evening", "--answer", "1", faketime=day))
        self.assertOk(sam.run("reflect", "--prompt", "e2e/pair", "--skip", faketime=day))
        self.assertOk(sam.run("share", "1", "--yes", faketime=day))
        r = self.me.run("review", "--summary", faketime="2026-11-11 09:00:00")
        self.assertOk(r)
        out = r.stdout
        shared_with_me = out[out.index("Shared with me"):out.index("What I shared")]
        self.assertIn("What would feel good this evening? (e2e/evening)", shared_with_me)
        what_i_shared = out[out.index("What I shared"):out.index(CLOSING)]
        self.assertIn("What would I like to remember about today? (e2e/note)", what_i_shared)
        self.assertNotIn("e2e/mood", what_i_shared, "entry 2 was never shared")
        self.assertNotIn("e2e/pair", out, "Sam's skip is Sam's own")
        js = json.loads(self.me.run("review", "--summary", "--format", "json",
                                    faketime="2026-11-11 09:00:00").stdout)["summary"]
        self.assertEqual([x["prompt_id"] for x in js["shared_with_me"]], ["evening"])
        self.assertEqual([x["id"] for x in js["shared_by_me"]], [1])


class SafetyTagged(DuetTestCase):
    """A prompt tagged `safety` stays out of every summary unless its entry is marked."""

    def test_safety_answers_only_when_marked(self):
        secret = "the night the door was locked"
        self.assertOk(self.me.run("reflect", "--prompt", "e2e-care/felt-afraid", "--answer", secret))
        self.assertOk(self.me.run("reflect", "--prompt", "e2e-care/steady", "--answer", "2"))
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/note", "--answer", "an ordinary day"))
        for fmt in ("text", "markdown", "json", "html"):
            r = self.me.run("review", "--summary", "--with-answered", "--format", fmt)
            self.assertOk(r)
            for needle in ("felt-afraid", "afraid", secret, "e2e-care", "steady"):
                self.assertNotIn(needle, r.stdout, (fmt, needle))
            self.assertIn("What would I like to remember about today?", r.stdout, fmt)
        # Marked for the session, it is the person's choice to bring it.
        self.assertOk(self.me.run("reflect", "--prompt", "e2e-care/felt-afraid", "--answer",
                                  "something I want to say there", "--for-session"))
        r = self.me.run("review", "--summary")
        self.assertOk(r)
        self.assertIn("something I want to say there", r.stdout)
        self.assertNotIn(secret, r.stdout, "only the marked entry")
        # The journal itself still holds and shows everything.
        self.assertIn(secret, self.me.run("review").stdout)


class ScaleWords(DuetTestCase):
    def test_summary_gives_scale_answers_in_the_prompts_words(self):
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "5", "--for-session"))
        self.assertOk(self.me.run("reflect", "--prompt", "e2e/mood", "--answer", "3", "--for-session"))
        for fmt in ("text", "markdown", "html"):
            out = self.me.run("review", "--summary", "--format", fmt).stdout
            self.assertIn("5 (light)", out, fmt)
            self.assertIn("3 on a scale from 1 (heavy) to 5 (light)", out, fmt)
            self.assertNotIn("3 (on a scale of 1 to 5)", out, fmt)
        # The journal's own export keeps its plain form.
        self.assertIn("5 (on a scale of 1 to 5)", self.me.run("review").stdout)


class OutputFiles(Review):
    def test_private_file_and_no_overwrite(self):
        out = os.path.join(self.root, "before-session.html")
        r = self.review("--summary", "--format", "html", "-o", out)
        self.assertOk(r)
        self.assertEqual(r.stdout, "")
        self.assertIn(out, r.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
        self.assertIn("<svg", read_text(out))
        before = read_text(out)
        r = self.review("--format", "markdown", "-o", out)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--force", r.stderr)
        self.assertEqual(read_text(out), before)
        r = self.review("--format", "markdown", "-o", out, "--force")
        self.assertOk(r)
        self.assertTrue(read_text(out).startswith("# duet journal"))
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)


class Pager(Review):
    def spawn(self, *args, rows=10, **extra):
        env = fake_time(self.me.env(PASSPHRASE, **extra), self.at(6, "18:00:00"))
        child = pexpect.spawn(DUET, list(args), env=env,
                              encoding="utf-8", timeout=30, dimensions=(rows, 80))
        self.addCleanup(child.close, force=True)
        return child

    def test_long_text_goes_through_the_pager_without_secrets(self):
        pager = "echo PAGER-START; env | grep -q '^DUET_PASSPHRASE' && echo LEAK || echo CLEAN; cat"
        child = self.spawn("review", PAGER=pager)
        child.expect("PAGER-START")
        child.expect("CLEAN")
        child.expect("First step")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)

    def test_short_text_is_printed_directly(self):
        child = self.spawn("review", "--last", "1", rows=40, PAGER="echo PAGER-START; cat")
        child.expect(pexpect.EOF)
        self.assertIn("First step", child.before)
        self.assertNotIn("PAGER-START", child.before)

    def test_missing_pager_falls_back(self):
        child = self.spawn("review", PAGER="no-such-pager-here")
        child.expect("could not be started")
        child.expect("First step")
        child.expect(pexpect.EOF)

    def test_never_without_a_terminal(self):
        r = self.review(PAGER="echo PAGER-START; cat")
        self.assertOk(r)
        self.assertNotIn("PAGER-START", r.stdout)


if __name__ == "__main__":
    unittest.main()
