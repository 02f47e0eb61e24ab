"""graders.confine: Landlock confinement, tried for real in fresh child processes.

A confined process can never be freed, so every confinement happens in a
`python -c` child; the pytest process only simulates kernels (a fake
`_syscall`) and never calls landlock_restrict_self.
"""
import ctypes
import errno
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graders import confine as confine_module
from graders.confine import Confinement, confine, landlock_abi
from conftest import require_landlock

ROOT = Path(__file__).resolve().parents[1]

# The child's prelude: `attempt(fn)` is "ok" or the exception's class name;
# `python_roots` is what Python itself reads (stdlib, site-packages, this project).
PRELUDE = """
import json, os, socket, sys, threading
from graders.confine import confine

def attempt(fn):
    try:
        fn()
        return "ok"
    except Exception as error:
        return type(error).__name__

def write(path, text="x"):
    with open(path, "w") as f:
        f.write(text)

def read(path):
    with open(path) as f:
        return f.read()

python_roots = [sys.prefix, sys.base_prefix, sys.exec_prefix, *(p or os.getcwd() for p in sys.path)]
allowed, forbidden = sys.argv[1], sys.argv[2]
out = {}
"""


@pytest.fixture
def folders(tmp_path):
    """(allowed, forbidden): sibling folders, the forbidden one holding secret.txt."""
    allowed, forbidden = tmp_path / "allowed", tmp_path / "forbidden"
    allowed.mkdir()
    forbidden.mkdir()
    (forbidden / "secret.txt").write_text("secret")
    return allowed, forbidden


def run_child(body, allowed, forbidden, *extra_args, env=None, timeout=60):
    """Run PRELUDE + body in a fresh interpreter; return the `out` dict it prints as its last line."""
    code = PRELUDE + textwrap.dedent(body) + "\nprint(json.dumps(out))\n"
    completed = subprocess.run(
        [sys.executable, "-c", code, str(allowed), str(forbidden), *map(str, extra_args)],
        cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


# Real confinement, one child each ----------------------------------------------


def test_confined_child_reads_and_writes_only_in_the_allowed_folder(folders):
    require_landlock()
    allowed, forbidden = folders
    out = run_child("""
        out["before"] = attempt(lambda: read(os.path.join(forbidden, "secret.txt")))
        c = confine(python_roots + [allowed], [allowed])
        out["applied"], out["detail"] = c.applied, c.detail
        out["write allowed"] = attempt(lambda: write(os.path.join(allowed, "a.txt"), "hello"))
        out["read allowed"] = read(os.path.join(allowed, "a.txt"))
        out["mkdir allowed"] = attempt(lambda: os.mkdir(os.path.join(allowed, "sub")))
        out["remove allowed"] = attempt(lambda: os.remove(os.path.join(allowed, "a.txt")))
        out["write forbidden"] = attempt(lambda: write(os.path.join(forbidden, "secret.txt"), "pwned"))
        out["read forbidden"] = attempt(lambda: read(os.path.join(forbidden, "secret.txt")))
        out["list forbidden"] = attempt(lambda: os.listdir(forbidden))
        out["create forbidden"] = attempt(lambda: write(os.path.join(forbidden, "new.txt")))
        out["remove forbidden"] = attempt(lambda: os.remove(os.path.join(forbidden, "secret.txt")))
        out["read /etc/passwd"] = attempt(lambda: read("/etc/passwd"))
    """, allowed, forbidden)
    assert out["before"] == "ok"
    assert out["applied"] is True, out["detail"]
    assert (out["write allowed"], out["read allowed"], out["mkdir allowed"], out["remove allowed"]) == ("ok", "hello", "ok", "ok")
    for action in ("write forbidden", "read forbidden", "list forbidden", "create forbidden", "remove forbidden", "read /etc/passwd"):
        assert out[action] == "PermissionError", action
    assert sorted(p.name for p in forbidden.iterdir()) == ["secret.txt"]
    assert (forbidden / "secret.txt").read_text() == "secret"
    assert (allowed / "sub").is_dir()


def test_confined_child_cannot_connect_or_bind_tcp(folders):
    require_landlock(4)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    try:
        out = run_child("""
            port = int(sys.argv[3])
            out["before"] = attempt(lambda: socket.create_connection(("127.0.0.1", port), timeout=5).close())
            out["applied"] = confine(python_roots, []).applied
            out["connect"] = attempt(lambda: socket.create_connection(("127.0.0.1", port), timeout=5).close())
            out["bind"] = attempt(lambda: socket.socket().bind(("127.0.0.1", 0)))
        """, *folders, listener.getsockname()[1])
    finally:
        listener.close()
    assert out == {"before": "ok", "applied": True, "connect": "PermissionError", "bind": "PermissionError"}


def test_confined_child_cannot_signal_its_parent(folders):
    require_landlock(6)
    out = run_child("""
        parent = int(sys.argv[3])
        out["before"] = attempt(lambda: os.kill(parent, 0))
        out["applied"] = confine(python_roots, []).applied
        out["after"] = attempt(lambda: os.kill(parent, 0))
        out["self"] = attempt(lambda: os.kill(os.getpid(), 0))
    """, *folders, os.getpid())
    assert out == {"before": "ok", "applied": True, "after": "PermissionError", "self": "ok"}


def test_thread_started_after_confine_is_confined_too(folders):
    require_landlock()
    out = run_child("""
        out["applied"] = confine(python_roots + [allowed], [allowed]).applied
        def work():
            out["thread read forbidden"] = attempt(lambda: read(os.path.join(forbidden, "secret.txt")))
            out["thread write allowed"] = attempt(lambda: write(os.path.join(allowed, "t.txt")))
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    """, *folders)
    assert out == {"applied": True, "thread read forbidden": "PermissionError", "thread write allowed": "ok"}


def test_process_started_after_confine_is_confined_too(folders):
    require_landlock()
    out = run_child("""
        import subprocess
        # the grandchild's exec needs the dynamic loader and libc too
        out["applied"] = confine(python_roots + ["/usr", "/lib", "/lib64", allowed], [allowed]).applied
        secret = os.path.join(forbidden, "secret.txt")
        grandchild = subprocess.run([sys.executable, "-c", f"open({secret!r}).read()"], capture_output=True, text=True)
        out["grandchild"] = grandchild.stderr.strip().splitlines()[-1].split(":")[0]
    """, *folders)
    assert out == {"applied": True, "grandchild": "PermissionError"}


def test_thread_running_before_confine_prevents_confinement(folders):
    require_landlock()
    out = run_child("""
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        c = confine(python_roots + [allowed], [allowed])
        out["applied"], out["detail"] = c.applied, c.detail
        out["read forbidden"] = attempt(lambda: read(os.path.join(forbidden, "secret.txt")))
        stop.set()
    """, *folders)
    assert out["applied"] is False
    assert "thread" in out["detail"]
    assert out["read forbidden"] == "ok"  # nothing was confined, not even this thread


def test_file_root_grants_that_file_only_and_missing_roots_are_skipped(folders):
    require_landlock()
    allowed, forbidden = folders
    (forbidden / "other.txt").write_text("other")
    out = run_child("""
        secret = os.path.join(forbidden, "secret.txt")
        c = confine(python_roots + [secret, os.path.join(allowed, "missing")], [os.path.join(forbidden, "missing")])
        out["applied"], out["detail"] = c.applied, c.detail
        out["read file root"] = read(secret)
        out["write file root"] = attempt(lambda: write(secret))
        out["read sibling"] = attempt(lambda: read(os.path.join(forbidden, "other.txt")))
        out["list parent"] = attempt(lambda: os.listdir(forbidden))
    """, allowed, forbidden)
    assert out["applied"] is True, out["detail"]
    assert "skipped" not in out["detail"]
    assert out["read file root"] == "secret"
    assert out["write file root"] == out["read sibling"] == out["list parent"] == "PermissionError"


# Simulated kernels, in this process (nothing is confined here) -----------------


@pytest.mark.parametrize("code", [errno.ENOSYS, errno.EOPNOTSUPP])
def test_confine_without_landlock_returns_not_applied(monkeypatch, code):
    def no_landlock(number, *args):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(confine_module, "_syscall", no_landlock)
    monkeypatch.setattr(confine_module, "_libc_call", pytest.fail)  # prctl must not be reached
    assert landlock_abi() == 0
    result = confine(["/usr"], ["/tmp"])
    if sys.platform.startswith("linux"):
        assert result == Confinement(False, 0, "Landlock not supported by this kernel (or disabled at boot)")
    else:
        assert result == Confinement(False, 0, "not Linux")


def test_confine_off_linux_returns_not_applied(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(confine_module, "_syscall", pytest.fail)
    assert landlock_abi() == 0
    assert confine(["/usr"], ["/tmp"]) == Confinement(False, 0, "not Linux")


class FakeKernel:
    """A kernel of a given Landlock ABI: records rulesets and rules, refuses what a real one would."""

    def __init__(self, abi, scopes=(1 << 0) | (1 << 1), create_error=None, refuse_files=False):
        self.abi, self.scopes, self.create_error, self.refuse_files = abi, scopes, create_error, refuse_files
        self.rulesets, self.rules, self.restricted = [], [], False

    def __call__(self, number, *args):
        if number == 444 and args[2] == 1:
            return self.abi
        if number == 444:
            attr = confine_module._RulesetAttr.from_buffer_copy(ctypes.string_at(args[0], args[1]).ljust(24, b"\0"))
            self.rulesets.append((attr.handled_access_fs, attr.handled_access_net, attr.scoped, args[1]))
            if self.create_error or attr.scoped & ~self.scopes:
                raise OSError(self.create_error or errno.EINVAL, os.strerror(self.create_error or errno.EINVAL))
            return os.open(os.devnull, os.O_RDONLY)  # confine() closes it
        if number == 445:
            rule = confine_module._PathBeneathAttr.from_address(args[2])
            is_dir = os.path.isdir(f"/proc/self/fd/{rule.parent_fd}")
            if self.refuse_files and not is_dir:
                raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
            self.rules.append((rule.allowed_access, is_dir))
            return 0
        assert number == 446
        self.restricted = True
        return 0


def fake(monkeypatch, kernel):
    monkeypatch.setattr(confine_module, "_syscall", kernel)
    monkeypatch.setattr(confine_module, "_libc_call", lambda name, *args: 0)  # no prctl on pytest itself
    monkeypatch.setattr(confine_module, "_thread_count", lambda: 1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="O_PATH and /proc/self/fd are Linux's")
@pytest.mark.parametrize("abi", [1, 2, 3, 4, 5, 6, 7])
def test_rules_use_only_the_rights_the_kernel_abi_handles(monkeypatch, tmp_path, abi):
    kernel = FakeKernel(abi)
    fake(monkeypatch, kernel)
    (tmp_path / "file").write_text("")
    result = confine([tmp_path, tmp_path / "file"], [tmp_path])
    assert result.applied and result.abi == abi and kernel.restricted
    (fs, net, scoped, size), = kernel.rulesets
    assert fs == {1: 0x1FFF, 2: 0x3FFF, 3: 0x7FFF, 4: 0x7FFF}.get(abi, 0xFFFF)
    assert (net, scoped, size) == ((0, 0, 8) if abi < 4 else (3, 0, 16) if abi < 6 else (3, 3, 24))
    read_dir, read_file, write_dir = kernel.rules
    assert read_dir == (0b1101, True) and read_file == (0b0101, False) and write_dir == (fs, True)
    assert ("no TCP bind/connect" in result.detail) == (abi >= 4)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="O_PATH is Linux's")
def test_kernel_refusing_the_signal_scope_keeps_the_rest(monkeypatch, tmp_path):
    kernel = FakeKernel(6, scopes=1 << 0)  # claims ABI 6 but only knows the unix-socket scope
    fake(monkeypatch, kernel)
    result = confine([tmp_path], [tmp_path])
    assert result.applied and "signals not scoped" in result.detail
    assert [scoped for _, _, scoped, _ in kernel.rulesets] == [3, 0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="O_PATH and /proc/self/fd are Linux's")
def test_a_refused_rule_skips_that_root_only(monkeypatch, tmp_path):
    kernel = FakeKernel(7, refuse_files=True)
    fake(monkeypatch, kernel)
    (tmp_path / "file").write_text("")
    result = confine([tmp_path / "file", tmp_path], [tmp_path])
    assert result.applied and kernel.restricted and len(kernel.rules) == 2
    assert f"skipped {tmp_path / 'file'} ({os.strerror(errno.EINVAL)})" in result.detail


def test_create_ruleset_error_returns_not_applied_with_the_errno_text(monkeypatch, tmp_path):
    kernel = FakeKernel(3, create_error=errno.E2BIG)
    fake(monkeypatch, kernel)
    result = confine([tmp_path], [tmp_path])
    assert result == Confinement(False, 3, f"landlock_create_ruleset failed: {os.strerror(errno.E2BIG)}")
    assert not kernel.restricted


# TensorFlow and the scientific stack under the grader's confinement -------------


@pytest.mark.slow
def test_tensorflow_matplotlib_and_friends_work_confined(folders):
    require_landlock()
    allowed, forbidden = folders
    home = allowed / "home"
    env = {"HOME": home, "TMPDIR": allowed / "tmp", "MPLCONFIGDIR": allowed / "mpl", "XDG_CACHE_HOME": allowed / "cache"}
    for path in env.values():
        path.mkdir()
    out = run_child("""
        import glob
        system = ["/usr", "/lib", "/lib64", "/etc", "/proc", "/sys", "/dev"]
        c = confine(python_roots + system + [allowed], [allowed, "/dev"])
        out["applied"], out["detail"] = c.applied, c.detail
        import tensorflow as tf
        tf.compat.v1.disable_v2_behavior()
        x = tf.compat.v1.placeholder(tf.float32, (None, 2))
        w = tf.compat.v1.get_variable("w", (2, 1), initializer=tf.compat.v1.ones_initializer())
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            out["tf"] = session.run(tf.matmul(x, w), {x: [[1.0, 2.0]]}).tolist()
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        plt.plot([1, 2])
        plt.savefig(os.path.join(allowed, "x.png"))
        import numpy, h5py, scipy, PIL, scipy.linalg, PIL.Image
        with h5py.File(os.path.join(allowed, "x.h5"), "w") as f:
            f["a"] = numpy.arange(3)
        out["png"] = PIL.Image.open(os.path.join(allowed, "x.png")).size
        out["read forbidden"] = attempt(lambda: read(os.path.join(forbidden, "secret.txt")))
    """, allowed, forbidden, env={key: str(value) for key, value in env.items()}, timeout=300)
    assert out["applied"] is True, out["detail"]
    assert out["tf"] == [[3.0]]
    assert out["png"][0] > 0 and (allowed / "x.png").stat().st_size > 0 and (allowed / "x.h5").exists()
    assert out["read forbidden"] == "PermissionError"
