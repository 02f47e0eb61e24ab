"""How the child process is isolated: bubblewrap when it works, else Landlock (the fallback).

bubblewrap (`bwrap`, Debian package `bubblewrap`) runs the child in new PID,
network, IPC, UTS, mount and user namespaces with every capability dropped,
`--die-with-parent` and `--new-session`. Its file system is read-only and
holds only the system's libraries, Python with its installed packages, and
a staged copy of the few grader modules the child runs (`CHILD_FILES`, the
course helpers among them): tfsigns' reference, `bench/` and the grader's
cache are not in its view at all (where an installed package folder would
show them, an empty tmpfs covers it). Its only writable places are its own
size-capped tmpfs folders. It has no network at all (an empty namespace: no
TCP, UDP, raw or abstract unix sockets reach anything).

When the grader is root, the child runs as uid/gid 65534 ("nobody"): an
outer bwrap (root: namespaces and mounts) starts `setpriv` to drop to 65534,
which starts an inner, unprivileged bwrap that adds the user namespace and
drops capabilities. When the grader is not root, one unprivileged bwrap does
both.

Where bwrap is missing or cannot create namespaces, the fallback is the
child's own Landlock confinement (`graders.confine`), run as uid 65534 when
the grader is root and Python is readable by it; the report says which was
used, and the fallback is a warning. `GRADERS_SANDBOX=bubblewrap` makes a
missing bubblewrap an error, `GRADERS_SANDBOX=landlock` forces the fallback
(the tests use both).
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SANDBOX_ENV = "GRADERS_SANDBOX"
NOBODY = 65534
WORK_MB = 256  # the child's own folder (HOME, TMPDIR, the current folder): a tmpfs of this size
TMP_MB = 64  # /tmp in the child's view
CHILD_DIR = "/grader"  # where the staged child modules appear in bubblewrap's view
WORK_DIR = "/sandbox"  # the child's writable tmpfs in bubblewrap's view

# The grader modules the child runs, and the course helpers: nothing else of the project.
CHILD_FILES = (
    "graders/__init__.py",
    "graders/channel.py",
    "graders/child.py",
    "graders/confine.py",
    "graders/notebook.py",
    "graders/submission.py",
    "graders/compat/__init__.py",
    "graders/compat/minibatches.py",
    "graders/compat/tf_utils.py",
    "tfsigns/__init__.py",
    "tfsigns/_tf.py",
    "tfsigns/tf_utils.py",
)

# The environment the child gets, by name; nothing else of the grader's passes
# (no prefix pass-through: TF_TOKEN_* and TF_VAR_* are Terraform's secrets).
PASSED_ENV = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TF_CPP_MIN_LOG_LEVEL",  # TensorFlow's log level
    "TF_ENABLE_ONEDNN_OPTS",  # changes the numbers: the child must compute as the grader does
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "TF_DETERMINISTIC_OPS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
)

_SYSTEM_ROOTS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives")


class IsolationError(RuntimeError):
    """GRADERS_SANDBOX asks for what cannot be had: one line for the user."""


@dataclass(frozen=True)
class Isolation:
    """The isolation of this grader's children.

    Attributes:
        kind: "bubblewrap", "landlock" (the fallback) or "none" (GRADERS_CONFINE=0).
        uid: the uid the child runs as (outside any namespace).
        description: the report's header, e.g. "bubblewrap (uid 65534, no network)".
        warning: why the fallback is used ("" with bubblewrap).
    """

    kind: str
    uid: int
    description: str
    warning: str = ""
    stage: str = ""
    python_roots: tuple = field(default_factory=tuple)


_lock = threading.Lock()
_chosen = {}
_stage = None


def isolation():
    """The `Isolation` of this process's children, chosen (and probed) once per setting of the variables."""
    global _stage
    setting = (os.environ.get(SANDBOX_ENV, "auto"), os.environ.get("GRADERS_CONFINE", "1"))
    with _lock:
        if _stage is None:
            _stage = _stage_child_files()
        if setting not in _chosen:
            _chosen[setting] = _choose(_stage)
        return _chosen[setting]


def _choose(stage):
    roots = tuple(python_roots())
    wanted = os.environ.get(SANDBOX_ENV, "auto")
    if os.environ.get("GRADERS_CONFINE", "1") == "0":
        return Isolation("none", os.getuid(), "none (GRADERS_CONFINE=0)", "GRADERS_CONFINE=0 turned the sandbox off", stage, roots)
    problem = ""
    if wanted in ("auto", "bubblewrap"):
        problem = _probe_bwrap(stage, roots)
        if not problem:
            uid = NOBODY if os.geteuid() == 0 else os.getuid()
            return Isolation("bubblewrap", uid, f"bubblewrap (uid {uid}, no network)", "", stage, roots)
        if wanted == "bubblewrap":
            raise IsolationError(f"{SANDBOX_ENV}=bubblewrap but bubblewrap cannot run the child: {problem}")
    elif wanted != "landlock":
        raise IsolationError(f"{SANDBOX_ENV}: expected auto, bubblewrap or landlock, received {wanted!r}")
    reason = problem or f"{SANDBOX_ENV}=landlock"
    uid = os.getuid()
    if os.geteuid() == 0:
        uid = NOBODY if _readable_by_nobody(roots) else 0
    who = f"uid {uid}" if uid else "uid 0: Python is not readable by uid 65534"
    return Isolation("landlock", uid, f"Landlock fallback ({who})", f"bubblewrap not used ({reason}): the weaker Landlock fallback ran", stage, roots)


def _stage_child_files():
    """A private copy of `CHILD_FILES` (read-only for the child), removed when the grader exits."""
    stage = Path(tempfile.mkdtemp(prefix="graders-child-"))
    atexit.register(shutil.rmtree, stage, True)
    for name in CHILD_FILES:
        target = stage / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, target)
        target.chmod(0o644)
    # Who the child is, for the few libraries that ask (getpass, pwd): nobody, at home in its tmpfs.
    (stage / "etc").mkdir()
    (stage / "etc" / "passwd").write_text(f"nobody:x:{NOBODY}:{NOBODY}:nobody:{WORK_DIR}/home:/usr/sbin/nologin\n")
    (stage / "etc" / "group").write_text(f"nogroup:x:{NOBODY}:\n")
    for path in (stage / "etc").iterdir():
        path.chmod(0o644)
    for folder in [stage, *(path for path in stage.rglob("*") if path.is_dir())]:
        folder.chmod(0o755)
    return str(stage)


def python_roots():
    """Folders the child reads Python and its installed packages from (never the project's own folder)."""
    roots = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    roots += [entry for entry in sys.path if entry and os.path.isdir(entry)]
    kept = []
    for root in dict.fromkeys(os.path.realpath(root) for root in roots):
        if _inside(str(ROOT), root) or root == os.path.realpath(os.getcwd()):
            continue  # a folder holding the project (tfsigns' reference, bench/), or the grader's current folder
        if _inside(root, str(ROOT)) and not _inside(root, os.path.realpath(sys.prefix)):
            continue  # inside the project, and not its virtual environment
        if any(_inside(root, other) for other in kept):
            continue
        kept = [other for other in kept if not _inside(other, root)] + [root]
    # The venv's python is a symlink into the base installation: keep the link's own folder too.
    executable = os.path.abspath(sys.executable)
    if not any(_inside(executable, root) for root in kept):
        kept.append(os.path.dirname(executable))
    return kept


def hidden_folders():
    """Folders that must not be visible to the child even where a Python root contains them."""
    import graders
    import tfsigns

    folders = [Path(tfsigns.__file__).resolve().parent, Path(graders.__file__).resolve().parent, ROOT / "bench"]
    try:
        from tfsigns.data import cache_dir

        folders.append(Path(cache_dir()).resolve())
    except Exception:  # noqa: BLE001 - no cache folder: nothing to hide
        pass
    return [str(folder) for folder in folders]


def _inside(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


def child_environment(work):
    """The child's environment: the allow-listed variables, and its own HOME, caches and TMPDIR."""
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    home = os.path.join(work, "home")
    env.update(
        HOME=home,
        XDG_CACHE_HOME=os.path.join(home, ".cache"),
        XDG_CONFIG_HOME=os.path.join(home, ".config"),
        MPLCONFIGDIR=os.path.join(home, ".config", "matplotlib"),
        KERAS_HOME=os.path.join(home, ".keras"),
        TMPDIR=os.path.join(work, "tmp"),
        MPLBACKEND="Agg",  # plt.show() in a learner's model() draws nothing, opens nothing
        TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONHASHSEED="0",
        PYTHONNOUSERSITE="1",
        # glibc reserves 64 MB of address space per malloc arena (up to 8 per core): a
        # few arenas keep the memory limit about memory, not about the core count.
        MALLOC_ARENA_MAX=os.environ.get("MALLOC_ARENA_MAX", "4"),
    )
    env.setdefault("PATH", "/usr/bin:/bin")
    return env


def _ancestors(path):
    """"/a/b/c" -> ["/a", "/a/b"]."""
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: index + 1]) for index in range(len(parts))]


def bwrap_command(argv, stage, roots, work_mb=WORK_MB):
    """The command that runs `argv` (a Python command line) under bubblewrap.

    Args:
        argv: the child's command, e.g. [python, "-m", "graders.child", ...].
        stage: the folder holding the staged `CHILD_FILES` (bound at /grader).
        roots: Python's folders, bound read-only at their own paths.
        work_mb: size of the child's writable folder.
    """
    bwrap = shutil.which("bwrap") or "bwrap"
    root = os.geteuid() == 0
    command = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if not root:
        command += ["--unshare-user", "--cap-drop", "ALL"]
    command += ["--die-with-parent", "--new-session"]
    made = set()

    def folders_for(path):
        for folder in _ancestors(path):
            if folder not in made:
                made.add(folder)
                command.extend(["--perms", "0755", "--dir", folder])

    for path in _SYSTEM_ROOTS:
        if os.path.islink(path):
            command += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            command += ["--ro-bind", path, path]
    for path in _ETC_FILES:
        if os.path.exists(path):
            folders_for(path)
            command += ["--ro-bind", path, path]
    for path in roots:
        if any(_inside(path, system) for system in _SYSTEM_ROOTS):
            continue
        folders_for(path)
        command += ["--ro-bind", path, path]
    for path in hidden_folders():
        if any(_inside(path, bound) for bound in roots):
            command += ["--perms", "0555", "--tmpfs", path]  # an installed package's folder: shown empty
    command += ["--ro-bind", stage, CHILD_DIR]
    command += ["--ro-bind", os.path.join(stage, "etc", "passwd"), "/etc/passwd", "--ro-bind", os.path.join(stage, "etc", "group"), "/etc/group"]
    command += ["--proc", "/proc", "--dev", "/dev"]
    command += ["--perms", "1777", "--size", str(work_mb * 1024 * 1024), "--tmpfs", WORK_DIR]
    command += ["--perms", "1777", "--size", str(TMP_MB * 1024 * 1024), "--tmpfs", "/tmp"]
    for sub in ("home", "tmp", "run"):
        command += ["--perms", "1777", "--dir", f"{WORK_DIR}/{sub}"]
    command += ["--chdir", f"{WORK_DIR}/run", "--remount-ro", "/", "--"]
    if root:
        # Drop to nobody, then add a user namespace of its own and drop every capability.
        setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
        command += [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
        command += [bwrap, "--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY), "--dev-bind", "/", "/"]
        command += ["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--"]
    return command + list(argv)


def _probe_bwrap(stage, roots):
    """"" when bubblewrap runs Python here as the grader would, else why not."""
    if shutil.which("bwrap") is None:
        return "bwrap is not installed (Debian: apt-get install bubblewrap)"
    command = bwrap_command([sys.executable, "-S", "-c", "import os; print(os.getuid())"], stage, roots, work_mb=1)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, env=child_environment(WORK_DIR))
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap did not run ({error})"
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return f"bwrap cannot create its namespaces here ({message[:200]})"
    return ""


def _readable_by_nobody(roots):
    """Whether uid 65534 can run this Python (a root grader's Python under /root often is not)."""
    try:
        done = subprocess.run(
            [sys.executable, "-S", "-c", "pass"], user=NOBODY, group=NOBODY, extra_groups=[], capture_output=True, timeout=30, cwd="/"
        )
    except (OSError, subprocess.TimeoutExpired, subprocess.SubprocessError):
        return False
    return done.returncode == 0
