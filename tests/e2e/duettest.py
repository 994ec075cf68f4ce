"""Shared helpers for duet's end-to-end tests: each test gets a private world
(HOME, XDG folders, TMPDIR, DUET_HOME) and runs the real binary in it."""

import glob
import hashlib
import json
import os
import subprocess
import tempfile
import unittest

DUET = os.environ.get("DUET_BIN", os.path.join(os.getcwd(), "duet"))
SOURCE_DIR = os.environ.get("DUET_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PASSPHRASE = "a long and quiet passphrase"


LIBFAKETIME = next(iter(sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))), None)


def fake_time(env, stamp):
    """Runs under libfaketime from `stamp` on. The library is preloaded directly:
    the `faketime` wrapper keeps a semaphore per PID in /dev/shm, and one left
    behind by a killed run makes a later run with the same PID fail."""
    assert LIBFAKETIME, "libfaketime is installed by .ci/install-deps --test"
    env = dict(env)
    env["LD_PRELOAD"] = LIBFAKETIME
    env["FAKETIME"] = "@" + stamp
    return env


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class World:
    """One partner's machine: a temporary home with duet's folders inside."""

    def __init__(self, root, name="me"):
        self.root = os.path.join(root, name)
        self.home = os.path.join(self.root, "home")
        self.data = os.path.join(self.home, ".local", "share")
        self.duet_home = os.path.join(self.data, "duet")
        self.tmp = os.path.join(self.root, "tmp")
        self.runtime = os.path.join(self.root, "run")
        for d in (self.home, self.tmp, self.runtime):
            os.makedirs(d, exist_ok=True)
        os.chmod(self.runtime, 0o700)

    def env(self, passphrase=PASSPHRASE, **extra):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "XDG_DATA_HOME": self.data,
            "XDG_RUNTIME_DIR": self.runtime,
            "TMPDIR": self.tmp,
            "DUET_KDF": "interactive",
            "LANG": "C.UTF-8",
            "TERM": "xterm",
            "DUET_PROMPTS_PATH": os.path.join(SOURCE_DIR, "tests", "data", "packs"),
        }
        if passphrase is not None:
            env["DUET_PASSPHRASE"] = passphrase
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def run(self, *args, passphrase=PASSPHRASE, input=None, faketime=None, pass_fds=(), env=None, **extra):
        e = self.env(passphrase, **extra)
        if env:
            e.update(env)
        if faketime:
            e = fake_time(e, faketime)
        return subprocess.run([DUET, *args], env=e, input=input, capture_output=True, text=True,
                              stdin=None if input is not None else subprocess.DEVNULL,
                              pass_fds=pass_fds, timeout=60)

    def entries(self, *args, **kw):
        r = self.run("review", "--format", "json", *args, **kw)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["entries"]

    def snapshot(self):
        """Name -> sha256 of every file under this world's root."""
        out = {}
        for base, _, files in os.walk(self.root):
            for f in files:
                p = os.path.join(base, f)
                with open(p, "rb") as fh:
                    out[os.path.relpath(p, self.root)] = hashlib.sha256(fh.read()).hexdigest()
        return out

    def files_containing(self, needle):
        """Every file under the world (and duet's editor folders in /dev/shm) holding needle."""
        hits = []
        roots = [self.root] + [os.path.join("/dev/shm", d) for d in os.listdir("/dev/shm") if d.startswith("duet-")]
        for r in roots:
            for base, _, files in os.walk(r):
                for f in files:
                    p = os.path.join(base, f)
                    try:
                        with open(p, "rb") as fh:
                            if needle.encode() in fh.read():
                                hits.append(p)
                    except OSError:
                        pass
        return hits


class DuetTestCase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="duet-e2e-")
        self.root = self._tmp.name
        self.me = World(self.root, "me")

    def tearDown(self):
        self._tmp.cleanup()

    def assertOk(self, r, msg=None):
        self.assertEqual(r.returncode, 0, msg or f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")

    def write(self, path, text, mode=0o644):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(path, mode)
        return path
