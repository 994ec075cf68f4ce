"""Real sync engines for the end-to-end tests, started and stopped by the tests
themselves on this machine only.

- Syncthing: two instances, each with its own config folder, talking to each
  other over 127.0.0.1 with static addresses; global and local discovery,
  relays, NAT traversal, STUN, usage reporting, crash reporting and upgrades
  all off. Every wait is bounded, and stop() kills what start() started.
- git: a bare repository and two clones, each side running duet through the
  small wrapper the README shows (pull before, commit and push after).

Both keep the same log of how long each change took to reach the other side.
"""

import ctypes
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request

SYNCTHING = shutil.which("syncthing")
GIT = shutil.which("git")


def wait_for(predicate, timeout, what, interval=0.05):
    """Polls predicate() until it returns something true; fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def free_ports(n):
    """n TCP ports on 127.0.0.1 that were free a moment ago."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def visible_files(folder):
    """Name -> sha256 of the plain files a sync engine would carry (no dot-files,
    no engine temporaries) directly in folder."""
    out = {}
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return out
    for name in names:
        path = os.path.join(folder, name)
        if name.startswith((".", "~syncthing~")) or not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as f:
                out[name] = hashlib.sha256(f.read()).hexdigest()
        except FileNotFoundError:
            pass
    return out


class Crossings:
    """How long the engine took to bring the two folders in step, each time."""

    def __init__(self, what):
        self.what = what
        self.seconds = []

    def add(self, seconds):
        self.seconds.append(seconds)

    def summary(self):
        if not self.seconds:
            return f"{self.what}: never measured"
        s = sorted(self.seconds)
        return (f"{self.what}: median {statistics.median(s):.2f} s over {len(s)}, "
                f"fastest {s[0]:.2f} s, slowest {s[-1]:.2f} s")


# --- Syncthing ---------------------------------------------------------------------


def _die_with_parent():
    """In the child: the kernel ends it if the test process dies, however it dies."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class SyncthingInstance:
    """One Syncthing on 127.0.0.1, with its own home, config and database."""

    def __init__(self, root, name):
        self.name = name
        self.root = os.path.join(root, name)
        self.home = os.path.join(self.root, "home")
        self.config = os.path.join(self.root, "config")
        self.folder = os.path.join(self.root, "synced")
        self.log_path = os.path.join(self.root, "syncthing.log")
        self.api_key = secrets.token_hex(16)
        self.listen_port = 0
        self.gui_port = 0
        self.device_id = ""
        self.proc = None
        for d in (self.home, self.config, os.path.join(self.folder, ".stfolder")):
            os.makedirs(d, exist_ok=True)

    def env(self):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_DATA_HOME": os.path.join(self.home, ".local", "share"),
            "XDG_STATE_HOME": os.path.join(self.home, ".local", "state"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            "LANG": "C.UTF-8",
            # One process, never a monitor that restarts it; no upgrades; no default folder.
            "STNORESTART": "1",
            "STNOUPGRADE": "1",
            "STNODEFAULTFOLDER": "1",
            "GOMAXPROCS": "2",
        }
        return env

    def generate(self):
        """Makes the key and certificate; returns the device ID."""
        r = subprocess.run([SYNCTHING, "generate", f"--home={self.config}", "--no-default-folder",
                            "--skip-port-probing"], env=self.env(), capture_output=True,
                           text=True, timeout=60, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise AssertionError(f"syncthing generate failed: {r.stdout}{r.stderr}")
        m = re.search(r"Device ID: ([A-Z0-9-]{63})", r.stdout + r.stderr)
        if not m:
            raise AssertionError(f"syncthing generate printed no device ID: {r.stdout}{r.stderr}")
        self.device_id = m.group(1)
        return self.device_id

    def write_config(self, folder_id, peer):
        """Everything written out explicitly, so no default can reach the network."""
        xml = f"""<configuration version="36">
    <folder id="{folder_id}" label="duet" path="{self.folder}" type="sendreceive"
            rescanIntervalS="5" fsWatcherEnabled="true" fsWatcherDelayS="1"
            ignorePerms="false" autoNormalize="true">
        <filesystemType>basic</filesystemType>
        <device id="{self.device_id}" introducedBy=""></device>
        <device id="{peer.device_id}" introducedBy=""></device>
        <minDiskFree unit="%">0</minDiskFree>
        <versioning></versioning>
        <order>random</order>
        <maxConflicts>10</maxConflicts>
        <markerName>.stfolder</markerName>
    </folder>
    <device id="{self.device_id}" name="{self.name}" compression="metadata" introducer="false">
        <address>dynamic</address>
    </device>
    <device id="{peer.device_id}" name="{peer.name}" compression="metadata" introducer="false">
        <address>tcp://127.0.0.1:{peer.listen_port}</address>
        <autoAcceptFolders>false</autoAcceptFolders>
    </device>
    <gui enabled="true" tls="false" debugging="false">
        <address>127.0.0.1:{self.gui_port}</address>
        <apikey>{self.api_key}</apikey>
        <theme>default</theme>
    </gui>
    <options>
        <listenAddress>tcp://127.0.0.1:{self.listen_port}</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <stunKeepaliveStartS>0</stunKeepaliveStartS>
        <stunKeepaliveMinS>0</stunKeepaliveMinS>
        <announceLANAddresses>false</announceLANAddresses>
        <urAccepted>-1</urAccepted>
        <urSeen>3</urSeen>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <crashReportingEnabled>false</crashReportingEnabled>
        <startBrowser>false</startBrowser>
        <restartOnWakeup>false</restartOnWakeup>
        <reconnectionIntervalS>1</reconnectionIntervalS>
        <minHomeDiskFree unit="%">0</minHomeDiskFree>
        <setLowPriority>false</setLowPriority>
    </options>
</configuration>
"""
        with open(os.path.join(self.config, "config.xml"), "w", encoding="utf-8") as f:
            f.write(xml)

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [SYNCTHING, "serve", f"--home={self.config}", "--no-browser", "--no-restart",
             "--no-upgrade", "--logflags=3"],
            env=self.env(), stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent)

    def api(self, path, method="GET", timeout=5):
        req = urllib.request.Request(f"http://127.0.0.1:{self.gui_port}{path}", method=method,
                                     headers={"X-API-Key": self.api_key})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body.strip().startswith((b"{", b"[")) else body

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def answers(self):
        if not self.alive():
            raise AssertionError(f"syncthing ({self.name}) exited early; its log:\n{self.log_text()}")
        try:
            return self.api("/rest/system/ping").get("ping") == "pong"
        except (OSError, urllib.error.URLError, ValueError):
            return False

    def connected_to(self, peer):
        conns = self.api("/rest/system/connections").get("connections", {})
        return conns.get(peer.device_id, {}).get("connected", False)

    def idle(self, folder_id):
        return self.api(f"/rest/db/status?folder={folder_id}").get("state") == "idle"

    def scan(self, folder_id):
        self.api(f"/rest/db/scan?folder={folder_id}", method="POST")

    def log_text(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.api("/rest/system/shutdown", method="POST", timeout=2)
            except (OSError, urllib.error.URLError, ValueError):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.proc.poll() is not None:
                break
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.proc = None
        self.log.close()


class SyncthingPair:
    """Alex's and Sam's Syncthing, sharing one folder; each test works in a
    subfolder of it, so the two instances are started once per test class."""

    FOLDER_ID = "duet-e2e"

    def __init__(self, root):
        self.a = SyncthingInstance(root, "alex-syncthing")
        self.b = SyncthingInstance(root, "sam-syncthing")
        self.crossings = Crossings("a change in one folder, until the other matched")

    def start(self, timeout=60):
        ports = free_ports(4)
        self.a.listen_port, self.a.gui_port, self.b.listen_port, self.b.gui_port = ports
        for inst in (self.a, self.b):
            inst.generate()
        self.a.write_config(self.FOLDER_ID, self.b)
        self.b.write_config(self.FOLDER_ID, self.a)
        for inst in (self.a, self.b):
            inst.start()
        wait_for(lambda: self.a.answers() and self.b.answers(), timeout, "both Syncthings to answer")
        wait_for(lambda: self.a.connected_to(self.b) and self.b.connected_to(self.a), timeout,
                 "the two Syncthings to connect over 127.0.0.1")
        wait_for(lambda: self.a.idle(self.FOLDER_ID) and self.b.idle(self.FOLDER_ID), timeout,
                 "both Syncthings to be idle")

    def stop(self):
        for inst in (self.a, self.b):
            inst.stop()

    def sockets_not_on_loopback(self):
        """Internet sockets of the two processes bound or connected anywhere but
        the loopback interface (there should be none), read from /proc."""
        bad = []
        for inst in (self.a, self.b):
            if inst.alive():
                bad += [f"{inst.name}: {s}" for s in _foreign_sockets(inst.proc.pid)]
        return bad


def _hex_address(text):
    """An address of /proc/net/{tcp,udp}[6]: (ip as text, port)."""
    host, port = text.split(":")
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        ip = socket.inet_ntop(socket.AF_INET, raw[::-1])
    else:
        words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
        ip = socket.inet_ntop(socket.AF_INET6, words)
    return ip, int(port, 16)


def _loopback_or_unset(ip):
    return ip.startswith("127.") or ip in ("::1", "0.0.0.0", "::") or ip.startswith("::ffff:127.")


def _foreign_sockets(pid):
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    found = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        try:
            with open(f"/proc/{pid}/net/{proto}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[9] not in inodes:
                continue
            local, remote = _hex_address(fields[1]), _hex_address(fields[2])
            listening_anywhere = local[0] in ("0.0.0.0", "::")
            if listening_anywhere or not (_loopback_or_unset(local[0]) and _loopback_or_unset(remote[0])):
                found.append(f"{proto} {local[0]}:{local[1]} -> {remote[0]}:{remote[1]}")
    return found


# --- git --------------------------------------------------------------------------


def readme_block(marker):
    """The fenced code block that follows the line containing marker in README.md."""
    from duettest import SOURCE_DIR
    with open(os.path.join(SOURCE_DIR, "README.md"), encoding="utf-8") as f:
        text = f.read()
    at = text.index(marker)
    start = text.index("```", at)
    start = text.index("\n", start) + 1
    end = text.index("\n```", start)
    return text[start:end] + "\n"


class GitPair:
    """A bare repository standing in for the server, and Alex's and Sam's clones;
    duet runs through the README's wrapper script."""

    def __init__(self, root):
        self.root = root
        self.bare = os.path.join(root, "server", "duet.git")
        self.a = os.path.join(root, "alex-clone")
        self.b = os.path.join(root, "sam-clone")
        self.crossings = Crossings("one `duet-git --sync` (pull, and push if needed)")
        self.wrapper = os.path.join(root, "bin", "duet-git")
        os.makedirs(os.path.dirname(self.wrapper), exist_ok=True)
        with open(self.wrapper, "w", encoding="utf-8") as f:
            f.write(readme_block("`duet-git --sync` only"))
        os.chmod(self.wrapper, 0o755)

    def env(self, home):
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "LANG": "C.UTF-8",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "duet test", "GIT_AUTHOR_EMAIL": "duet@example.invalid",
            "GIT_COMMITTER_NAME": "duet test", "GIT_COMMITTER_EMAIL": "duet@example.invalid",
            "GIT_TERMINAL_PROMPT": "0",
        }

    def git(self, cwd, *args, home=None, check=True):
        r = subprocess.run([GIT, *args], cwd=cwd, env=self.env(home or self.root),
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed in {cwd}:\n{r.stdout}{r.stderr}")
        return r

    def setup(self):
        os.makedirs(os.path.dirname(self.bare), exist_ok=True)
        self.git(self.root, "init", "--quiet", "--bare", "--initial-branch=main", self.bare)
        seed = os.path.join(self.root, "seed")
        self.git(self.root, "clone", "--quiet", self.bare, seed)
        self.git(seed, "checkout", "--quiet", "-b", "main")
        recipe = readme_block("stops git from ever")
        attributes = re.search(r"printf '([^']*)' > \.gitattributes", recipe).group(1)
        with open(os.path.join(seed, ".gitattributes"), "w") as f:
            f.write(attributes.replace("\\n", "\n"))
        self.git(seed, "add", "-A")
        self.git(seed, "commit", "--quiet", "-m", "A folder for duet")
        self.git(seed, "push", "--quiet", "origin", "main")
        shutil.rmtree(seed)
        for clone in (self.a, self.b):
            self.git(self.root, "clone", "--quiet", self.bare, clone)
