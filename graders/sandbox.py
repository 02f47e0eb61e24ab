"""Running a submission in a child process, one graded call at a time, and surviving it.

One child per submission (`graders.child`) imports TensorFlow once, loads the
submission, then answers calls. Each call has a time limit; the child's
memory and file sizes are capped by the child itself (RLIMIT_AS, RLIMIT_FSIZE)
before the submission's code runs. A call that hangs is killed at its limit;
a call that kills the process (os._exit, a segfault, the memory limit hit in
native code) fails alone: the next call starts a new child.

The channel: requests and replies are JSON lines on two pipes (not stdout,
which belongs to the submission: it is drained and thrown away, keeping only
a short tail for crash reports). Arrays go in as `.npy` files this process
writes and come back in one `.npz` per call at a path this process chose; it
is size-checked, read with `allow_pickle=False`, type-checked against the
reply, and always deleted. Nothing the child writes is unpickled.
"""
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_CALL_TIMEOUT = 30.0  # seconds for one small graded function
DEFAULT_MODEL_TIMEOUT = 120.0  # seconds for model() (101 epochs take ~10 s with the course's loop)
LOAD_TIMEOUT = 120.0  # TensorFlow's import plus the submission's imports
DEFAULT_MEMORY_MB = 3072  # address space allowed beyond what TensorFlow reserves at import
FILE_MB = 512  # largest file the child may write
MAX_REPLY = 1 << 20  # bytes in one reply line
MAX_RESULT_FILE = 300 * 1024 * 1024
OUTPUT_TAIL = 4096  # bytes of the child's raw stdout/stderr kept for crash reports

# GRADERS_CONFINE=0 runs submissions without Landlock (where it gets in the way; the
# report warns, and the cache is then guarded by its signatures and resealed after each run).
CONFINE_ENV = "GRADERS_CONFINE"

# Environment variables the child inherits; everything else (tokens, keys, TFSIGNS_CACHE,
# HOME and the XDG folders, which lead to the grader's cache) stays here.
_PASSED_ENV = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")
_PASSED_PREFIXES = ("TF_", "OMP_", "MKL_", "KMP_")

_STATUSES = ("returned", "raised", "missing", "not callable", "delegated")
_KINDS = ("array", "tensor", "variable", "other", "keys")


@dataclass(frozen=True)
class Limits:
    """Per-call limits.

    Attributes:
        call_timeout: seconds for a small graded function.
        model_timeout: seconds for model().
        memory_mb: address space the submission may add to TensorFlow's (0: no limit).
        load_timeout: seconds to import TensorFlow and load the submission.
    """

    call_timeout: float = DEFAULT_CALL_TIMEOUT
    model_timeout: float = DEFAULT_MODEL_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    load_timeout: float = LOAD_TIMEOUT

    @classmethod
    def from_timeout(cls, timeout=None, memory_mb=DEFAULT_MEMORY_MB):
        """`--timeout S`: model() gets S seconds, the small functions min(S, 30)."""
        if timeout is None:
            return cls(memory_mb=memory_mb)
        return cls(call_timeout=min(timeout, DEFAULT_CALL_TIMEOUT), model_timeout=timeout, memory_mb=memory_mb)


@dataclass
class Outcome:
    """What one graded call did, as far as the parent can tell.

    Attributes:
        status: "returned", "raised", "missing", "not callable", "delegated",
            "timeout", "crashed", or "not loaded".
        items: {key: description} of what it returned (see graders.child).
        arrays: {key: numpy array} for items of kind "array".
        costs: {epoch: (cost, text)} from the "Cost after epoch" lines it printed.
        error: for "raised": {"type", "message", "where"}.
        detail: a sentence for the other statuses (time limit, exit code, target).
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
    confined: bool = False  # the child's file system and network access were confined (Landlock)
    confinement: str = ""  # one line: what confined it, or why nothing could


class ChildProcessDied(Exception):
    pass


class _ChildProcess:
    """One child process: its pipes, the setup it was sent, and how it ended."""

    def __init__(self, setup, workdir, env):
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        output_read, output_write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "graders.child", str(request_read), str(reply_write)],
                stdin=subprocess.DEVNULL,
                stdout=output_write,
                stderr=output_write,
                pass_fds=(request_read, reply_write),
                cwd=workdir,
                env=env,
                start_new_session=True,  # its own process group: killing it kills what it spawned
            )
        except BaseException:
            for fd in (request_write, reply_read, output_read):
                os.close(fd)
            raise
        finally:
            for fd in (request_read, reply_write, output_write):
                os.close(fd)
        self.requests = os.fdopen(request_write, "w", encoding="utf-8")
        self.reply_fd = reply_read
        self.buffer = b""
        self.output = _Drain(output_read)
        self.returncode = None
        self.killed = False
        try:
            self.send(setup)  # the child loads while the parent does other work
        except ChildProcessDied:
            pass

    def ready(self, timeout):
        """Wait for the child's "ready" and return it as a `LoadReport`."""
        try:
            reply = self.receive(time.monotonic() + timeout)
        except TimeoutError:
            self.kill()
            return LoadReport(failure=f"loading did not finish within {timeout:g} s")
        except ChildProcessDied:
            return LoadReport(failure=f"the process loading it {self.death()}")
        if not isinstance(reply, dict) or reply.get("status") != "ready":
            self.kill()
            return LoadReport(failure="the process loading it sent an unreadable reply")
        confinement = reply.get("confinement") if isinstance(reply.get("confinement"), dict) else {}
        return LoadReport(
            functions=reply.get("functions"),
            errors=_clean_errors(reply.get("load_errors")),
            confined=confinement.get("applied") is True,
            confinement=_text(confinement.get("detail"), 300),
        )

    def send(self, message):
        try:
            self.requests.write(json.dumps(message) + "\n")
            self.requests.flush()
        except (OSError, ValueError):
            raise ChildProcessDied() from None

    def receive(self, deadline):
        """One JSON reply line, or TimeoutError / ChildProcessDied."""
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError()
            ready, _, _ = select.select([self.reply_fd], [], [], min(remaining, 1.0))
            if not ready:
                continue
            chunk = os.read(self.reply_fd, 65536)
            if not chunk:
                raise ChildProcessDied()
            self.buffer += chunk
            if len(self.buffer) > MAX_REPLY:
                raise ChildProcessDied()
        line, _, self.buffer = self.buffer.partition(b"\n")
        try:
            return json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None

    def close(self):
        """Ask the child to finish (end of requests), then make sure it has."""
        if self.killed:
            return
        try:
            self.requests.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def kill(self):
        """Kill the child and its process group; close the pipes."""
        if self.killed:
            return
        self.killed = True
        for _ in range(2):  # before and after the wait: whatever it left in its group goes too
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for closer in (self.requests.close, lambda: os.close(self.reply_fd)):
            try:
                closer()
            except OSError:
                pass
        self.output.join(timeout=5)
        self.returncode = self.process.returncode

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
        edition: "v3" or "v3b" (the reference's model() follows it).
        limits: a `Limits`.
    """

    def __init__(self, program, graded, edition="v3", limits=Limits()):
        self.program = program
        self.graded = tuple(graded)
        self.edition = edition
        self.limits = limits
        self.workdir = Path(tempfile.mkdtemp(prefix="graders-"))
        self.inputs = self.workdir / "inputs"
        self.results = self.workdir / "results"
        self.run_dir = self.workdir / "run"
        self.home = self.workdir / "home"  # the child's own, empty HOME: nothing of the grader's is there
        self.tmp = self.workdir / "tmp"
        for folder in (self.inputs, self.results, self.run_dir, self.home, self.tmp):
            folder.mkdir()
        self.load = None
        self.deaths = 0
        self._active = None
        self._spare = None
        self._next_id = 0
        self._input_files = {}
        self._restart_failed = ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _setup(self):
        return {
            "graded": list(self.graded),
            "reference": self.program is None,
            "edition": self.edition,
            "memory_mb": int(self.limits.memory_mb),
            "file_mb": FILE_MB,
            "workdir": str(self.workdir),
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
        """Stop the children and delete every file of this run."""
        for child in (self._active, self._spare):
            if child is not None:
                child.close()
        self._active = self._spare = None
        shutil.rmtree(self.workdir, ignore_errors=True)

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
        return _ChildProcess(self._setup(), self.run_dir, _child_environment(self.home, self.tmp))

    def _died(self):
        self.deaths += 1
        self._active = None

    # -- calls -------------------------------------------------------------

    def call(self, function, runner, args, timeout):
        """Run one graded call in the child.

        Args:
            function: the graded function's name.
            runner: how the child calls it (see graders.child.RUNNERS).
            args: arguments: numpy arrays, numbers, lists, dicts of arrays.
            timeout: seconds before the child is killed.

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
        result_path = self.results / f"result-{call_id}.npz"
        request = {
            "id": call_id,
            "function": function,
            "runner": runner,
            "args": [self._encode(arg) for arg in args],
            "result": str(result_path),
        }
        try:
            try:
                child.send(request)
                reply = child.receive(time.monotonic() + timeout)
            except TimeoutError:
                child.kill()
                self._died()
                return Outcome("timeout", detail=f"did not finish within {timeout:g} s (the time limit)")
            except ChildProcessDied:
                detail = f"the process running it {child.death()}"
                self._died()
                return Outcome("crashed", detail=detail)
            if not isinstance(reply, dict) or reply.get("id") != call_id or reply.get("status") not in _STATUSES:
                child.kill()
                self._died()
                return Outcome("crashed", detail="the process running it sent an unreadable reply")
            return self._outcome(reply, result_path)
        finally:
            _remove_all(self.results)

    def _outcome(self, reply, result_path):
        status = reply["status"]
        costs = _clean_costs(reply.get("printed"))
        if status == "raised":
            return Outcome("raised", costs=costs, error=_clean_error(reply.get("error")))
        if status == "delegated":
            return Outcome("delegated", detail=_text(reply.get("target"), 80))
        if status == "not callable":
            return Outcome("not callable", detail=_text(reply.get("type"), 80))
        if status == "missing":
            return Outcome("missing")
        items = _clean_items(reply.get("items"))
        arrays = _read_arrays(result_path, items)
        for key, item in items.items():
            if item["kind"] == "array" and key not in arrays:
                items[key] = {"kind": "other", "type": "unreadable array"}
        return Outcome("returned", items=items, arrays=arrays, costs=costs)

    def _encode(self, arg):
        """Arrays become .npy files (written once per content), dicts and lists are walked."""
        if isinstance(arg, np.ndarray):
            key = (arg.dtype.str, arg.shape, hash(arg.tobytes()) if arg.nbytes < (1 << 20) else id(arg))
            path = self._input_files.get(key)
            if path is None:
                path = self.inputs / f"input-{len(self._input_files)}.npy"
                np.save(path, arg, allow_pickle=False)
                self._input_files[key] = path
            return {"npy": str(path)}
        if isinstance(arg, dict):
            return {"dict": {str(key): self._encode(value) for key, value in arg.items()}}
        if isinstance(arg, (list, tuple)):
            return {"list": [float(value) if isinstance(value, float) else value for value in arg]}
        if isinstance(arg, (np.integer,)):
            return int(arg)
        return arg


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


def _child_environment(home, tmp):
    """The child's environment: its own empty HOME, cache, config and temp folders; no secrets."""
    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    env.update({name: value for name, value in os.environ.items() if name.startswith(_PASSED_PREFIXES)})
    python_path = [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        MPLCONFIGDIR=str(home / ".config" / "matplotlib"),
        KERAS_HOME=str(home / ".keras"),
        TMPDIR=str(tmp),
        PYTHONPATH=os.pathsep.join(python_path),
        MPLBACKEND="Agg",  # plt.show() in a learner's model() draws nothing, opens nothing
        TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONHASHSEED="0",
    )
    # glibc reserves 64 MB of address space per malloc arena (up to 8 per core): a
    # few arenas keep the memory limit about memory, not about the core count.
    env.setdefault("MALLOC_ARENA_MAX", os.environ.get("MALLOC_ARENA_MAX", "4"))
    return env


def _program_message(program):
    return {
        "kind": program.kind,
        "units": [
            {"label": unit.label, "filename": unit.filename, "source": unit.source, "graded": unit.graded}
            for unit in program.units
        ],
    }


def _remove_all(folder):
    try:
        for path in folder.iterdir():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
    except OSError:
        pass


def _read_arrays(path, items):
    """The arrays the items announce, from the child's .npz: checked, never unpickled."""
    wanted = {key for key, item in items.items() if item["kind"] == "array"}
    if not wanted:
        return {}
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_RESULT_FILE:
            return {}
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_RESULT_FILE:
                return {}
        arrays = {}
        with np.load(path, allow_pickle=False) as archive:
            for key in wanted:
                if key not in archive.files:
                    continue
                try:
                    array = archive[key]
                except (ValueError, OSError, EOFError, zipfile.BadZipFile):
                    continue  # e.g. an object array: it would need pickle
                if array.dtype.kind not in "biuf" or list(array.shape) != items[key].get("shape"):
                    continue
                arrays[key] = array
        return arrays
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError):
        return {}


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
