"""Running a submission in a child process, one graded call at a time, and surviving it.

One child per submission (`graders.child`), isolated by bubblewrap or the
Landlock fallback (`graders.isolation`), imports TensorFlow once, loads the
submission once, then answers calls. Each call has a time limit: the child's
own timer interrupts a call that runs past it (the loaded submission stays);
a call the timer cannot stop (native code, a submission that ignores it) is
killed GRACE seconds later, and so is a call that kills the process
(os._exit, a segfault, the memory limit hit in native code): it fails alone,
the next call gets a new child (a spare one is kept loading after the first
death). After every call, every other process the submission started is
killed: in bubblewrap's PID namespace everything but the server's own chain;
under the fallback every process carrying this child's token.

The channel: framed messages on two pipes (`graders.channel`); stdout and
stderr belong to the submission: drained and thrown away, keeping only a
short tail for crash reports. Nothing goes through the child's folder: the
parent never opens a path the child could write. Every reply is parsed with
bounds; a reply that breaks them fails that one check ("invalid reply from
the submission") and the child is replaced.
"""
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from graders import channel
from graders.isolation import CHILD_DIR, WORK_DIR, bwrap_command, child_environment, isolation

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_CALL_TIMEOUT = 30.0  # seconds for one small graded function
DEFAULT_MODEL_TIMEOUT = 120.0  # seconds for model() (101 epochs take ~10 s with the course's loop)
DEFAULT_BUDGET = 600.0  # seconds for a whole submission, loading included
LOAD_TIMEOUT = 120.0  # TensorFlow's import plus the submission's imports
DEFAULT_MEMORY_MB = 3072  # address space allowed beyond what TensorFlow reserves at import
FILE_MB = 512  # largest file the child may write
PROCESSES = max(512, 16 * (os.cpu_count() or 1))  # processes and threads (TensorFlow's pools included)
GRACE = 3.0  # seconds after a call's limit for the child's own timer to answer
OUTPUT_TAIL = 4096  # bytes of the child's raw stdout/stderr kept for crash reports
TOKEN_ENV = "GRADERS_CHILD"  # marks the fallback's processes, to find those that left the session

# GRADERS_CONFINE=0 runs submissions without any isolation (where it gets in the way;
# the report warns).
CONFINE_ENV = "GRADERS_CONFINE"

_STATUSES = ("returned", "raised", "missing", "not callable", "delegated", "timeout")
_KINDS = ("array", "tensor", "variable", "other", "keys")


@dataclass(frozen=True)
class Limits:
    """Per-call limits.

    Attributes:
        call_timeout: seconds for a small graded function.
        model_timeout: seconds for model().
        memory_mb: address space the submission may add to TensorFlow's (0: no limit).
        load_timeout: seconds to import TensorFlow and load the submission.
        budget: seconds for the whole submission (loading and every call).
    """

    call_timeout: float = DEFAULT_CALL_TIMEOUT
    model_timeout: float = DEFAULT_MODEL_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    load_timeout: float = LOAD_TIMEOUT
    budget: float = DEFAULT_BUDGET

    @classmethod
    def from_timeout(cls, timeout=None, memory_mb=DEFAULT_MEMORY_MB, budget=None):
        """`--timeout S`: model() gets S seconds, the small functions min(S, 30); `--budget B` for the whole."""
        budget = DEFAULT_BUDGET if budget is None else budget
        if timeout is None:
            return cls(memory_mb=memory_mb, budget=budget)
        return cls(call_timeout=min(timeout, DEFAULT_CALL_TIMEOUT), model_timeout=timeout, memory_mb=memory_mb, budget=budget)


@dataclass
class Outcome:
    """What one graded call did, as far as the parent can tell.

    Attributes:
        status: "returned", "raised", "missing", "not callable", "delegated",
            "timeout", "crashed", "invalid" or "not loaded".
        items: {key: description} of what it returned (see graders.child).
        arrays: {key: numpy array} for items of kind "array".
        costs: {epoch: (cost, text)} from the "Cost after epoch" lines it printed.
        error: for "raised": {"type", "message", "where"}.
        detail: a sentence for the other statuses (time limit, exit code, what was invalid).
    """

    status: str
    items: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)
    costs: dict = field(default_factory=dict)
    error: dict = field(default_factory=dict)
    detail: str = ""


@dataclass
class LoadReport:
    """What loading the submission gave: per graded function a state, and the statements that failed."""

    functions: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    failure: str = ""  # non-empty: the child did not come up at all
    confined: bool = False  # the child ran isolated (bubblewrap, or Landlock applied)
    confinement: str = ""  # one line: what isolated it, or why nothing could
    sandbox: str = ""  # the report's header: "bubblewrap (uid 65534, no network)", ...
    warning: str = ""  # why the fallback (or nothing) was used
    timings: dict = field(default_factory=dict)  # seconds: "start" (process to TensorFlow imported), "load" (see `_load_timings`)


class ChildProcessDied(Exception):
    pass


_TOKENS_LOCK = threading.Lock()


class _ChildProcess:
    """One child process: its pipes, the setup it was sent, and how it ended."""

    def __init__(self, setup, reference):
        self.isolation = None if reference else isolation()
        self.token = secrets.token_hex(16)
        self.workdir = None
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        output_read, output_write = os.pipe()
        module = [sys.executable, "-m", "graders.child", str(request_read), str(reply_write)]
        kwargs = {}
        if reference:  # the bundled reference: tfsigns' own code, not a submission
            self.workdir = tempfile.mkdtemp(prefix="graders-")
            env = child_environment(self.workdir)
            env["PYTHONPATH"] = str(ROOT)
            command, cwd = module, self.workdir
        elif self.isolation.kind == "bubblewrap":
            env = child_environment(WORK_DIR)
            env["PYTHONPATH"] = CHILD_DIR
            command, cwd = bwrap_command(module, self.isolation.stage, self.isolation.python_roots), "/"
        else:
            self.workdir = _fallback_folder(self.isolation.uid)
            env = child_environment(self.workdir)
            env["PYTHONPATH"] = self.isolation.stage
            env[TOKEN_ENV] = self.token
            command, cwd = module, os.path.join(self.workdir, "run")
            if self.isolation.uid != os.getuid():
                kwargs = dict(user=self.isolation.uid, group=self.isolation.uid, extra_groups=[])
            _make_undumpable()
        setup = dict(setup, workdir=self.workdir or WORK_DIR, isolation=None if reference else self.isolation.kind)
        self.started_at = time.monotonic()
        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output_write,
                stderr=output_write,
                pass_fds=(request_read, reply_write),
                cwd=cwd,
                env=env,
                start_new_session=True,  # its own session and process group
                **kwargs,
            )
        except BaseException:
            for fd in (request_write, reply_read, output_read):
                os.close(fd)
            self._remove_folder()
            raise
        finally:
            for fd in (request_read, reply_write, output_write):
                os.close(fd)
        os.set_blocking(request_write, False)
        os.set_blocking(reply_read, False)
        self.request_fd = request_write
        self.reader = channel.FrameReader(reply_read)
        self.output = _Drain(output_read)
        self.returncode = None
        self.killed = False
        self.server_pid = None  # the child's python, outside any namespace
        self.protected = set()  # the server and the processes between it and us
        try:
            self.send(setup, time.monotonic() + 30)  # the child loads while the parent does other work
        except ChildProcessDied:
            pass

    def ready(self, timeout):
        """Wait for the child's "hello" and "ready", and return a `LoadReport`."""
        deadline = time.monotonic() + timeout
        try:
            hello = self.receive(deadline)
            if not (isinstance(hello, dict) and hello.get("status") == "hello" and isinstance(hello.get("pid"), int)):
                raise channel.InvalidReply("no hello")
            self._find_server(hello["pid"])
            reply = self.receive(deadline)
        except TimeoutError:
            self.kill()
            return LoadReport(failure=f"loading did not finish within {timeout:g} s")
        except ChildProcessDied:
            return LoadReport(failure=f"the process loading it {self.death()}")
        except channel.InvalidReply as error:
            self.kill()
            return LoadReport(failure=f"invalid reply from the submission while loading ({error})")
        if not isinstance(reply, dict) or reply.get("status") != "ready":
            self.kill()
            return LoadReport(failure="invalid reply from the submission while loading (not a ready message)")
        confinement = reply.get("confinement") if isinstance(reply.get("confinement"), dict) else {}
        report = LoadReport(functions=reply.get("functions"), errors=_clean_errors(reply.get("load_errors")))
        report.timings = _load_timings(reply.get("timings"), time.monotonic() - self.started_at)
        if self.isolation is None:
            return report
        report.sandbox, report.warning = self.isolation.description, self.isolation.warning
        if self.isolation.kind == "bubblewrap":
            report.confined, report.confinement = True, self.isolation.description
        else:
            report.confined = confinement.get("applied") is True
            report.confinement = _text(confinement.get("detail"), 300)
        return report

    def _find_server(self, inner_pid):
        """Record the server's pid outside the namespaces, and the chain above it (before submitted code ran)."""
        self.server_pid = self.process.pid
        if self.isolation is not None and self.isolation.kind == "bubblewrap":
            for pid in _descendants(self.process.pid):
                if _namespace_pid(pid) == inner_pid:
                    self.server_pid = pid
                    break
        self.protected = {self.server_pid, *_ancestors_until(self.server_pid, self.process.pid)}

    def send(self, message, deadline):
        try:
            channel.write_all(self.request_fd, channel.encode(message), deadline)
        except (channel.ChannelClosed, OSError, ValueError):
            raise ChildProcessDied() from None

    def receive(self, deadline):
        """One parsed reply, or TimeoutError / ChildProcessDied / channel.InvalidReply."""
        try:
            header, blobs = self.reader.read_frame(deadline)
        except channel.ChannelClosed:
            raise ChildProcessDied() from None
        message = channel.parse_header(header)
        if isinstance(message, dict):
            message["_blobs"] = blobs
        return message

    def clean(self):
        """Kill every process the submission started, all but the server (after each call)."""
        if self.killed:
            return
        strays = [pid for pid in _descendants(self.process.pid) if pid not in self.protected]
        if self.isolation is not None and self.isolation.kind != "bubblewrap":
            strays += [pid for pid in _processes_with_token(self.token) if pid not in self.protected]
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self):
        """Ask the child to finish (end of requests), then make sure it has."""
        if self.killed:
            return
        self._close_request()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def _close_request(self):
        fd, self.request_fd = self.request_fd, -1
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass

    def kill(self):
        """Kill the child and everything it started; close the pipes; remove its folder."""
        if self.killed:
            return
        self.killed = True
        for _ in range(2):  # before and after the wait: whatever it left goes too
            for pid in _descendants(self.process.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.isolation is not None and self.isolation.kind != "bubblewrap":
                for pid in _processes_with_token(self.token):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._close_request()
        fd, self.reader.fd = self.reader.fd, -1
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass
        self.output.join(timeout=5)
        self.returncode = self.process.returncode
        self._remove_folder()

    def _remove_folder(self):
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)  # fd-based: never follows a symlink the child planted

    def death(self):
        """A sentence on how the child ended, for the report."""
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.kill()
        code = self.returncode
        if code is None:
            return "stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"was killed by {name}{_SIGNAL_MEANINGS.get(name, '')}"
        if self.isolation is not None and self.isolation.kind == "bubblewrap" and code > 128:
            try:  # bubblewrap exits with 128 + the signal that killed the command
                name = signal.Signals(code - 128).name
                return f"was killed by {name}{_SIGNAL_MEANINGS.get(name, '')}"
            except ValueError:
                pass
        return f"exited with code {code}"


_SIGNAL_MEANINGS = {"SIGSEGV": " (segmentation fault)", "SIGKILL": " (killed)", "SIGABRT": " (aborted)", "SIGBUS": " (bus error)"}


class Sandbox:
    """The child process of one submission, replaced when a call kills it.

    After the first call that kills its child (time limit, crash), a spare
    child is kept loading in the background, so the next death costs no
    TensorFlow import.

    Args:
        program: a `graders.submission.Program`, or None for the bundled reference.
        graded: names of the graded functions.
        edition: one of the assignment's editions (the reference's model() follows it).
        limits: a `Limits`.
        assignment: the `graders.assignments.base.Assignment` whose child module
            runs the calls; None: the default one (graders.assignments.DEFAULT).
    """

    def __init__(self, program, graded, edition=None, limits=Limits(), assignment=None):
        from graders import assignments

        self.assignment = assignments.default() if assignment is None else assignment
        self.program = program
        self.graded = tuple(graded)
        self.edition = self.assignment.default_edition if edition is None else edition
        self.limits = limits
        self.load = None
        self.deaths = 0
        self._active = None
        self._spare = None
        self._next_id = 0
        self._restart_failed = ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _setup(self):
        return {
            "graded": list(self.graded),
            "assignment": self.assignment.name,
            "child_module": self.assignment.child_module,
            "reference": self.program is None,
            "edition": self.edition,
            "memory_mb": int(self.limits.memory_mb),
            "file_mb": FILE_MB,
            "processes": PROCESSES,
            "protected": [str(path) for path in _protected_folders()],
            "confine": os.environ.get(CONFINE_ENV, "1") != "0",
            "program": None if self.program is None else _program_message(self.program),
        }

    def start(self):
        """Start the child and wait until the submission is loaded.

        Returns:
            a `LoadReport` (its `failure` says why the child never came up).
        """
        self._active = self._new_child()
        report = self._active.ready(self.limits.load_timeout)
        report.functions = _clean_states(report.functions, self.graded)
        self.load = report
        if report.failure:
            self._active = None
        return report

    def close(self):
        """Stop the children and everything they started."""
        for child in (self._active, self._spare):
            if child is not None:
                child.close()
        self._active = self._spare = None

    def _replace_active(self):
        """A loaded child in place of the dead one (the spare when there is one), or "" / a failure."""
        child, self._spare = self._spare, None
        if child is None:
            child = self._new_child()
        report = child.ready(self.limits.load_timeout)
        if report.failure:
            return f"the grader could not restart it after the previous failure: {report.failure}"
        self._active = child
        self._spare = self._new_child()
        return ""

    def _new_child(self):
        return _ChildProcess(self._setup(), reference=self.program is None)

    def _died(self):
        self.deaths += 1
        self._active = None

    # -- calls -------------------------------------------------------------

    def call(self, function, runner, args, timeout):
        """Run one graded call in the child.

        Args:
            function: the graded function's name.
            runner: how the child calls it (a key of the assignment's child module's RUNNERS).
            args: arguments: numpy arrays, numbers, lists, dicts of arrays.
            timeout: seconds the call may take.

        Returns:
            an `Outcome`.
        """
        if self.load is None:
            self.start()
        if self.load.failure:
            return Outcome("not loaded", detail=self.load.failure)
        if self._active is None:
            if not self._restart_failed:
                self._restart_failed = self._replace_active()
            if self._restart_failed:
                return Outcome("not loaded", detail=self._restart_failed)
        child = self._active
        self._next_id += 1
        call_id = self._next_id
        request = {"id": call_id, "function": function, "runner": runner, "args": [_encode(arg) for arg in args], "timeout": timeout}
        limit = f"did not finish within {timeout:g} s (the time limit)"
        deadline = time.monotonic() + timeout + GRACE
        try:
            child.send(request, deadline)
            reply = child.receive(deadline)
        except TimeoutError:
            child.kill()
            self._died()
            return Outcome("timeout", detail=limit)
        except ChildProcessDied:
            detail = f"the process running it {child.death()}"
            self._died()
            return Outcome("crashed", detail=detail)
        except channel.InvalidReply as error:
            child.kill()
            self._died()
            return Outcome("invalid", detail=f"invalid reply from the submission ({error})")
        child.clean()
        if not isinstance(reply, dict) or reply.get("id") != call_id or reply.get("status") not in _STATUSES:
            child.kill()
            self._died()
            return Outcome("invalid", detail="invalid reply from the submission (not an answer to this call)")
        try:
            return self._outcome(reply, limit)
        except channel.InvalidReply as error:
            child.kill()
            self._died()
            return Outcome("invalid", detail=f"invalid reply from the submission ({error})")

    def _outcome(self, reply, limit):
        status = reply["status"]
        costs = _clean_costs(reply.get("printed"))
        if status == "timeout":
            return Outcome("timeout", costs=costs, detail=limit)
        if status == "raised":
            return Outcome("raised", costs=costs, error=_clean_error(reply.get("error")))
        if status == "delegated":
            return Outcome("delegated", detail=_text(reply.get("target"), 80))
        if status == "not callable":
            return Outcome("not callable", detail=_text(reply.get("type"), 80))
        if status == "missing":
            return Outcome("missing")
        items = _clean_items(reply.get("items"))
        arrays = _read_arrays(reply.get("arrays"), reply.get("_blobs", []), items)
        for key, item in items.items():
            if item["kind"] == "array" and key not in arrays:
                items[key] = {"kind": "other", "type": "unreadable array"}
        return Outcome("returned", items=items, arrays=arrays, costs=costs)


def _encode(arg):
    """Arguments for the child: arrays travel as arrays; dicts and lists are marked."""
    import numpy as np

    if isinstance(arg, np.ndarray):
        return arg
    if isinstance(arg, dict):
        return {"dict": {str(key): _encode(value) for key, value in arg.items()}}
    if isinstance(arg, (list, tuple)):
        return {"list": [float(value) if isinstance(value, float) else value for value in arg]}
    if isinstance(arg, np.integer):
        return int(arg)
    return arg


def _read_arrays(references, blobs, items):
    """The arrays the items announce, parsed with bounds from the reply's frames, of the announced shapes."""
    arrays = {}
    if not isinstance(references, dict):
        return arrays
    for key, item in items.items():
        if item["kind"] != "array":
            continue
        reference = references.get(key)
        if not (isinstance(reference, dict) and isinstance(reference.get("npy"), int) and 0 <= reference["npy"] < len(blobs)):
            continue
        array = channel.parse_array(blobs[reference["npy"]])
        if list(array.shape) == item.get("shape"):
            arrays[key] = array
    return arrays


# -- processes -----------------------------------------------------------------


def _children_map():
    """{ppid: [pid, ...]} of every process, from /proc (the kernel's word, not the child's)."""
    children = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return children
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                data = stat.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses; split after the last ")".
        fields = data[data.rfind(b")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def _descendants(pid):
    children = _children_map()
    found, queue = [], list(children.get(pid, []))
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def _ancestors_until(pid, top):
    """The processes between `pid` and `top` (top included)."""
    chain = set()
    current = pid
    for _ in range(64):
        if current == top or current <= 1:
            break
        current = _parent(current)
        chain.add(current)
    return chain


def _parent(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            data = stat.read()
        return int(data[data.rfind(b")") + 2 :].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _namespace_pid(pid):
    """The pid a process has in its innermost PID namespace (the NSpid line of its status)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError):
        pass
    return None


def _processes_with_token(token):
    """The fallback's processes of one child, wherever they went (setsid, double fork): their environment holds its token."""
    marker = f"{TOKEN_ENV}={token}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                if marker in environ.read(1 << 16).split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue
    return found


def _fallback_folder(uid):
    """The fallback child's own folder (HOME, TMPDIR, its current folder), owned by the uid it runs as."""
    folder = tempfile.mkdtemp(prefix="graders-")
    for sub in ("home", "tmp", "run"):
        os.mkdir(os.path.join(folder, sub))
        if uid != os.getuid():
            os.chown(os.path.join(folder, sub), uid, uid)
    if uid != os.getuid():
        os.chmod(folder, 0o711)
    return folder


def _make_undumpable():
    """Under the fallback, the child shares /proc with the grader: keep the grader's environ, memory and fds unreadable."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0
    except (OSError, AttributeError):
        pass


class _Drain(threading.Thread):
    """Reads the child's stdout/stderr so it never blocks on a full pipe; keeps only a tail."""

    def __init__(self, fd):
        super().__init__(name="child-output", daemon=True)
        self.fd = fd
        self.tail = b""
        self.start()

    def run(self):
        try:
            while True:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    break
                self.tail = (self.tail + chunk)[-OUTPUT_TAIL:]
        except OSError:
            pass
        finally:
            os.close(self.fd)


def _protected_folders():
    """Folders the child must not open: tfsigns' cache (the grader's reference values and their key, the embedded data)."""
    from tfsigns.data import cache_dir

    return [cache_dir()]


def _program_message(program):
    return {
        "kind": program.kind,
        "units": [
            {"label": unit.label, "filename": unit.filename, "source": unit.source, "graded": unit.graded}
            for unit in program.units
        ],
    }


# -- validating what the child says ------------------------------------------


def _text(value, limit=400):
    return value[:limit] if isinstance(value, str) else ""


def _clean_shape(shape):
    if shape is None:
        return None
    if isinstance(shape, list) and len(shape) <= 32 and all(d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in shape):
        return shape
    return None


def _clean_items(items):
    clean = {}
    if not isinstance(items, dict):
        return clean
    for key, item in list(items.items())[:64]:
        if not isinstance(key, str) or not isinstance(item, dict) or item.get("kind") not in _KINDS:
            continue
        entry = {"kind": item["kind"]}
        for name in ("dtype", "type", "name", "op", "detail"):
            if name in item:
                entry[name] = _text(item[name], 120)
        if "shape" in item:
            entry["shape"] = _clean_shape(item["shape"])
        if item["kind"] == "keys" and isinstance(item.get("keys"), list):
            entry["keys"] = [_text(k, 40) for k in item["keys"][:50] if isinstance(k, str)]
        clean[key[:40]] = entry
    return clean


def _clean_costs(printed):
    """{epoch: (value, text as printed)} from the reply's printed cost lines."""
    costs = {}
    if isinstance(printed, dict) and isinstance(printed.get("costs"), dict):
        for epoch, text in list(printed["costs"].items())[:100]:
            if not (isinstance(epoch, str) and epoch.isdigit() and len(epoch) < 10 and isinstance(text, str) and len(text) <= 32):
                continue
            try:
                costs[int(epoch)] = (float(text), text)
            except ValueError:
                continue
    return costs


def _clean_error(error):
    if not isinstance(error, dict):
        return {"type": "Exception", "message": "", "where": ""}
    return {"type": _text(error.get("type"), 80) or "Exception", "message": _text(error.get("message")), "where": _text(error.get("where"), 80)}


def _load_timings(reported, seconds):
    """{"start", "tensorflow", "load"} seconds of a child that took `seconds` from Popen to "ready".

    "load" (the submission's own top-level code) and "tensorflow" (its import)
    are the child's word, sent after submitted code ran: used for the bench's
    phase table only, clamped to what the parent measured, never for grading.
    """
    reported = reported if isinstance(reported, dict) else {}

    def clamp(value):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return 0.0
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            return seconds
        return min(max(number, 0.0), seconds) if number == number else 0.0  # NaN: nothing known

    load = clamp(reported.get("load"))
    return {"start": seconds - load, "tensorflow": clamp(reported.get("tensorflow")), "load": load}


def _clean_errors(errors):
    return [_clean_error(error) for error in errors[:50]] if isinstance(errors, list) else []


def _clean_states(states, graded):
    clean = {}
    states = states if isinstance(states, dict) else {}
    for name in graded:
        state = states.get(name)
        if isinstance(state, dict) and state.get("state") in ("defined", "missing", "not callable", "delegated"):
            clean[name] = {"state": state["state"], "target": _text(state.get("target"), 80), "type": _text(state.get("type"), 80)}
        else:
            clean[name] = {"state": "missing", "target": "", "type": ""}
    return clean
