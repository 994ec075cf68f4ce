"""Prompt packs from the outside: checking, listing, search order, overrides."""

import glob
import gzip
import os
import subprocess
import unittest

from duettest import DuetTestCase, SOURCE_DIR

BUNDLED = sorted(glob.glob(os.path.join(SOURCE_DIR, "share", "prompts", "*.prompts")))
BAD = sorted(glob.glob(os.path.join(SOURCE_DIR, "tests", "data", "bad-packs", "*.prompts")))


class Packs(DuetTestCase):
    def test_every_bundled_pack_passes_check(self):
        self.assertGreaterEqual(len(BUNDLED), 6)
        r = self.me.run("reflect", "--check", *BUNDLED, passphrase=None)
        self.assertOk(r)
        total = sum(int(line.split(" with ")[1].split()[0]) for line in r.stdout.splitlines())
        self.assertGreaterEqual(total, 150)

    def test_each_malformed_pack_is_rejected_with_its_line(self):
        self.assertGreater(len(BAD), 10)
        for path in BAD:
            with self.subTest(pack=os.path.basename(path)):
                expect = read_text_safe(path).splitlines()[0].removeprefix("# expect: ")
                r = self.me.run("reflect", "--check", path, passphrase=None)
                self.assertEqual(r.returncode, 4)
                self.assertIn(f"{path}:{expect}", r.stderr)

    def test_check_reports_all_files(self):
        good = os.path.join(SOURCE_DIR, "tests", "data", "packs", "e2e.prompts")
        r = self.me.run("reflect", "--check", good, BAD[0], BAD[1], passphrase=None)
        self.assertEqual(r.returncode, 4)
        self.assertIn("ok", r.stdout)
        self.assertIn(BAD[0], r.stderr)
        self.assertIn(BAD[1], r.stderr)

    def test_list_needs_no_passphrase_and_shows_where_packs_come_from(self):
        r = self.me.run("reflect", "--list", passphrase=None)
        self.assertOk(r)
        self.assertIn("daily", r.stdout)
        self.assertIn("bundled", r.stdout)
        self.assertIn("e2e", r.stdout)
        r = self.me.run("reflect", "--list", "--pack", "e2e", passphrase=None)
        self.assertOk(r)
        self.assertIn("e2e/mood", r.stdout)
        self.assertIn("scale 1-5", r.stdout)

    def test_a_user_pack_overrides_the_bundled_one_by_name(self):
        user = os.path.join(self.me.data, "duet", "prompts", "mine.prompts")
        self.write(user, "pack: daily\ntitle: My own daily\n\n[only]\ntext: My only question?\n")
        r = self.me.run("reflect", "--list", passphrase=None)
        self.assertOk(r)
        self.assertIn("My own daily", r.stdout)
        self.assertIn("hidden", r.stdout)
        self.assertOk(self.me.run("reflect", "--pack", "daily", "--answer", "mine"))
        self.assertEqual(self.me.entries()[0]["prompt_id"], "only")

    def test_prompts_option_comes_first(self):
        first = os.path.join(self.root, "first")
        self.write(os.path.join(first, "x.prompts"), "pack: e2e\ntitle: Overridden\n[z]\ntext: Z?\n")
        r = self.me.run("--prompts", first, "reflect", "--list", passphrase=None)
        self.assertOk(r)
        self.assertIn("Overridden", r.stdout)

    def test_a_broken_user_pack_does_not_stop_the_others(self):
        user_dir = os.path.join(self.me.data, "duet", "prompts")
        self.write(os.path.join(user_dir, "daily.prompts"), "pack: daily\ntitle: Mine\n[a]\nkind: odd\ntext: t\n")
        r = self.me.run("reflect", "--list", passphrase=None)
        self.assertEqual(r.returncode, 4, "the exit code says something is wrong")
        self.assertIn("appreciation", r.stdout)
        self.assertIn("daily.prompts:4: unknown kind", r.stderr)
        # Asking for that very pack explains instead of silently using the bundled one.
        r = self.me.run("reflect", "--pack", "daily", "--skip")
        self.assertEqual(r.returncode, 4)
        self.assertIn("daily.prompts:4", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.me.duet_home, "journal.db")))
        # Other packs still work.
        self.assertOk(self.me.run("reflect", "--pack", "e2e", "--skip"))

    def test_unknown_pack(self):
        r = self.me.run("reflect", "--pack", "nope", "--skip")
        self.assertEqual(r.returncode, 2)
        self.assertIn("nope", r.stderr)


class Install(DuetTestCase):
    def test_installed_binary_finds_its_packs_and_pages(self):
        build = os.environ.get("DUET_BUILD_DIR")
        self.assertTrue(build, "ctest sets DUET_BUILD_DIR")
        prefix = os.path.join(self.root, "prefix")
        r = subprocess.run(["cmake", "--install", build, "--prefix", prefix],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        duet = os.path.join(prefix, "bin", "duet")
        # Man pages go in gzipped, as Debian has them; man(1) reads them as they are.
        for page in ("man1/duet.1", "man1/duet-reflect.1", "man1/duet-review.1",
                     "man1/duet-invite.1", "man1/duet-share.1", "man5/duet-prompts.5"):
            path = os.path.join(prefix, "share", "man", page + ".gz")
            self.assertTrue(os.path.exists(path), page)
            with gzip.open(path, "rt", encoding="utf-8") as f:
                self.assertTrue(f.read().startswith('.\\"'), page)
        for doc in ("copyright", "changelog.Debian.gz"):
            self.assertTrue(os.path.exists(os.path.join(prefix, "share", "doc", "duet", doc)), doc)
        for completion in ("bash-completion/completions/duet", "zsh/vendor-completions/_duet",
                           "fish/vendor_completions.d/duet.fish"):
            self.assertTrue(os.path.exists(os.path.join(prefix, "share", completion)), completion)
        # No environment at all beyond a home: the packs come from PREFIX/share/duet/prompts.
        env = {"HOME": self.me.home, "PATH": "/usr/bin:/bin"}
        r = subprocess.run([duet, "reflect", "--list"], env=env, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(os.path.join(prefix, "share", "duet", "prompts", "daily.prompts"), r.stdout)
        env["DUET_PASSPHRASE"] = "pw"
        env["DUET_KDF"] = "interactive"
        r = subprocess.run([duet, "reflect", "--prompt", "daily/closeness", "--answer", "4"], env=env,
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)


def read_text_safe(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


if __name__ == "__main__":
    unittest.main()
