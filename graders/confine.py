"""Confining a process with Linux Landlock: which files it reads and writes, no TCP, no signals out.

Landlock is unprivileged: any process can restrict itself (and what it starts
afterwards), never undo it. `confine` handles only the access rights the
running kernel knows (its Landlock ABI), as the kernel documentation's
sandboxer does, so an older kernel gives a weaker sandbox rather than an
error; a kernel without Landlock, or not Linux, gives none and says so.
No third-party package: the three system calls go through libc's `syscall`.
"""
import ctypes
import errno
import os
import stat
import sys
from dataclasses import dataclass

# Same numbers on x86_64 and aarch64 (the unified syscall table).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1  # no net-port rules: no TCP port is allowed
_PR_SET_NO_NEW_PRIVS = 38

# Filesystem access rights (uapi linux/landlock.h), by the ABI that introduced them.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_ABI1 = (1 << 13) - 1  # EXECUTE .. MAKE_SYM: the 13 rights of ABI 1
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15  # ABI 2, 3, 5
# The only rights the kernel accepts in a rule whose root is a file, not a directory.
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
_READ_RIGHTS = EXECUTE | READ_FILE | READ_DIR
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # packed in the uapi header: 12 bytes, not 16
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


@dataclass(frozen=True)
class Confinement:
    applied: bool  # True when the process is now confined
    abi: int  # the kernel's Landlock ABI, 0 when none
    detail: str  # one line: what is confined, or why nothing is


_libc = None


def _libc_call(name, *args):
    """Call a libc function, every argument as a C long; raise OSError on failure, else return the result."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = _libc.prctl.restype = ctypes.c_long
    result = getattr(_libc, name)(*(ctypes.c_long(arg or 0) for arg in args))
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return result


def _syscall(number, *args):
    """A raw system call through libc (the Landlock calls have no libc wrappers)."""
    return _libc_call("syscall", number, *args)


def landlock_abi():
    """The running kernel's Landlock ABI version.

    Returns:
        The version (1, 2, ...), or 0 when not Linux or Landlock is missing or disabled.
    """
    if not sys.platform.startswith("linux"):
        return 0
    try:
        return _syscall(_CREATE_RULESET, None, 0, _CREATE_RULESET_VERSION)
    except OSError:  # ENOSYS: not built in; EOPNOTSUPP: disabled at boot
        return 0


def _handled(abi):
    """(fs rights, net rights, scopes, ruleset attr size) this ABI knows."""
    fs = _FS_ABI1 | (REFER if abi >= 2 else 0) | (TRUNCATE if abi >= 3 else 0) | (IOCTL_DEV if abi >= 5 else 0)
    net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    return fs, net, scoped, 24 if scoped else 16 if net else 8


def _thread_count():
    """Threads of this process, native ones (OpenBLAS, TensorFlow) included."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # no /proc: the threads Python knows of are the best guess left
        import threading

        return threading.active_count()


def confine(read_roots, write_roots):
    """Confine this process (the calling thread and the threads and processes it starts afterwards).

    Call it while the process has a single thread: Landlock restricts the
    calling thread only, threads started before stay free. So with more than
    one thread, nothing is confined.

    Args:
        read_roots: directories (or files) beneath which reading files, listing
            directories and executing are allowed. Missing ones are skipped.
        write_roots: directories beneath which everything is allowed (read, write,
            create, remove, rename/link via REFER, truncate, ioctl on devices).
            Missing ones are skipped.

    Returns:
        A Confinement; applied is False (never an exception) when the kernel cannot confine.
    """
    if not sys.platform.startswith("linux"):
        return Confinement(False, 0, "not Linux")
    abi = landlock_abi()
    if abi == 0:
        return Confinement(False, 0, "Landlock not supported by this kernel (or disabled at boot)")
    threads = _thread_count()
    if threads > 1:
        return Confinement(False, abi, f"{threads} threads already running: Landlock would confine only the calling one")
    fs, net, scoped, size = _handled(abi)
    attr = _RulesetAttr(fs, net, scoped)
    while True:
        try:
            ruleset = _syscall(_CREATE_RULESET, ctypes.addressof(attr), size, 0)
            break
        except OSError as error:
            if not (attr.scoped and error.errno == errno.EINVAL):
                return Confinement(False, abi, f"landlock_create_ruleset failed: {error.strerror}")
            # Some vendor kernels claim ABI 6 without every scope: keep the rest of the sandbox.
            scoped = attr.scoped = 0
    skipped, added = [], {"read": 0, "write": 0}
    try:
        for kind, roots, rights in (("read", read_roots, _READ_RIGHTS & fs), ("write", write_roots, fs)):
            for root in roots:
                try:
                    fd = os.open(root, os.O_PATH | os.O_CLOEXEC)
                except OSError as error:
                    if error.errno not in (errno.ENOENT, errno.ENOTDIR):
                        skipped.append(f"{root} ({error.strerror})")
                    continue  # a root that does not exist grants nothing
                try:
                    is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
                    rule = _PathBeneathAttr(rights if is_dir else rights & _FILE_RIGHTS, fd)
                    _syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.addressof(rule), 0)
                    added[kind] += 1
                except OSError as error:
                    skipped.append(f"{root} ({error.strerror})")
                finally:
                    os.close(fd)
        # No net rule: with TCP bind and connect handled, every port is refused.
        try:
            _libc_call("prctl", _PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        except OSError as error:
            return Confinement(False, abi, f"prctl(PR_SET_NO_NEW_PRIVS) failed: {error.strerror}")
        try:
            _syscall(_RESTRICT_SELF, ruleset, 0)
        except OSError as error:
            return Confinement(False, abi, f"landlock_restrict_self failed: {error.strerror}")
    finally:
        os.close(ruleset)
    parts = [f"Landlock ABI {abi}: reads beneath {added['read']} roots, writes beneath {added['write']}"]
    parts.append("no TCP bind/connect" if net else "TCP not restricted (ABI < 4)")
    parts.append("signals and abstract unix sockets scoped" if scoped else "signals not scoped")
    if skipped:
        parts.append("skipped " + ", ".join(skipped))
    return Confinement(True, abi, "; ".join(parts))



_PR_CAPBSET_DROP = 24
_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities():
    """Drop every capability of this process for good: bounding set, then effective, permitted and inheritable.

    A root process without capabilities is bound by file permissions and by
    ptrace's rules like anyone: it cannot read an undumpable process's
    /proc/PID/environ, and a later exec gives it nothing back (the bounding
    set is empty). Returns "" when done, else why not.
    """
    if not sys.platform.startswith("linux"):
        return "not Linux"
    try:
        for capability in range(64):
            try:
                _libc_call("prctl", _PR_CAPBSET_DROP, capability, 0, 0, 0)
            except OSError as error:
                if error.errno == errno.EINVAL:  # past the last capability this kernel knows
                    break
                raise
        header = _CapHeader(_CAPABILITY_VERSION_3, 0)
        data = (_CapData * 2)()
        if _libc.capset(ctypes.byref(header), data) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))
    except OSError as error:
        return f"dropping capabilities failed: {error.strerror}"
    return ""
