"""The kernel keyring from Python, for the unlock tests: libkeyutils (which duet
itself links) through ctypes, so the tests need no keyctl program. They join a
fresh session keyring of their own, look at what duet keeps, and read it back."""

import ctypes
import os

SESSION, USER, USER_SESSION = -3, -4, -5
PREFIX = "duet-unlock:"

_lib = ctypes.CDLL("libkeyutils.so.1", use_errno=True)
_libc = ctypes.CDLL(None)
_serial = ctypes.c_int32

_lib.keyctl_join_session_keyring.argtypes = [ctypes.c_char_p]
_lib.keyctl_join_session_keyring.restype = _serial
_lib.keyctl_get_keyring_ID.argtypes = [_serial, ctypes.c_int]
_lib.keyctl_get_keyring_ID.restype = _serial
_lib.keyctl_read_alloc.argtypes = [_serial, ctypes.POINTER(ctypes.c_void_p)]
_lib.keyctl_read_alloc.restype = ctypes.c_int
_lib.keyctl_describe_alloc.argtypes = [_serial, ctypes.POINTER(ctypes.c_void_p)]
_lib.keyctl_describe_alloc.restype = ctypes.c_int
_lib.keyctl_read.argtypes = [_serial, ctypes.c_char_p, ctypes.c_size_t]
_lib.keyctl_read.restype = ctypes.c_long
_lib.add_key.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
                         _serial]
_lib.add_key.restype = _serial
_lib.keyctl_invalidate.argtypes = [_serial]
_lib.keyctl_invalidate.restype = ctypes.c_long
_libc.free.argtypes = [ctypes.c_void_p]


def _check(result):
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def join_fresh_session():
    """This process (and what it starts from now on) gets a new, empty session keyring."""
    return _check(_lib.keyctl_join_session_keyring(None))


def ring_id(spec):
    return _lib.keyctl_get_keyring_ID(spec, 0)


def has_own_session():
    """False when the session keyring is only the user's default one (containers, CI)."""
    session = ring_id(SESSION)
    return session >= 0 and session != ring_id(USER_SESSION)


def listing(ring):
    """(id, type, description) of every key linked in the keyring."""
    buf = ctypes.c_void_p()
    n = _lib.keyctl_read_alloc(ring, ctypes.byref(buf))
    if n < 0 or not buf.value:
        return []
    ids = list((_serial * (n // 4)).from_address(buf.value))
    _libc.free(buf)
    out = []
    for key in ids:
        d = ctypes.c_void_p()
        if _lib.keyctl_describe_alloc(key, ctypes.byref(d)) < 0:
            continue
        text = ctypes.string_at(d.value).decode()
        _libc.free(d)
        fields = text.split(";", 4)
        out.append((key, fields[0], fields[4]))
    return out


def duet_keys(ring):
    """(id, name) of the keys duet keeps in that keyring."""
    return [(k, d) for k, t, d in listing(ring) if t == "user" and d.startswith(PREFIX)]


def read(key):
    """The key's payload, or None when it cannot be read (gone, expired, not ours)."""
    buf = ctypes.create_string_buffer(4096)
    n = _lib.keyctl_read(key, buf, len(buf))
    return buf.raw[:n] if 0 <= n <= len(buf) else None


def plant(name, payload, ring=SESSION):
    """Puts a key of our own making where duet looks for one."""
    return _check(_lib.add_key(b"user", name.encode(), payload, len(payload), ring))


def invalidate(key):
    _lib.keyctl_invalidate(key)
