"""The grader's child process: the only place a submission's code runs.

Started by `graders.sandbox` as `python -m graders.child REQUEST_FD REPLY_FD`,
under bubblewrap (`graders.isolation`) or, as the fallback, confining itself
with Landlock. It says hello (its pid, before any submitted code runs),
imports TensorFlow and the assignment's child module (the setup frame's
"assignment" and "child_module", e.g. graders.assignments.tf1_tutorial.runners),
whose `prepare(tf)` readies TensorFlow (TF1: graph mode) and whose
`builtins_for_submission()` the submission is compiled with, sets hard limits
on its memory, file sizes and processes, loads the submission once, then
answers one request at a time, each a frame of `graders.channel` on the pipes:

    parent -> child  {"id", "runner", "function", "args", "timeout"}
    child -> parent  {"id", "status", "items", "arrays", "printed", ...}

Arrays travel inside the frames as `.npy` bytes (numeric only, no pickle
either way): nothing is passed through files. A call that runs past its
"timeout" is interrupted by the child's own timer when it can be (Python
code), so the loaded submission stays; the parent kills the process when it
cannot. Expected values never come here, nor does tfsigns' reference (not in
the child's view): the child only reports what the submission returned and
printed; the parent compares.

A request's "runner" is a key of the child module's `RUNNERS`:
`runner(function, args, values)` calls the graded function and describes
what it returned into `values` (a `Values`).
"""
import faulthandler
import io
import json
import os
import re
import resource
import sys
import time

MAX_RESULT_BYTES = 256 * 1024 * 1024  # no graded value is anywhere near this
MAX_MESSAGE = 400  # characters of an exception message sent back
_COST_LINE = re.compile(r"^\s*Cost after epoch\s+(\d+)\s*:\s*([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|nan|inf))\s*$")
_COST_MARK = "Cost after epoch"
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_TRAILING_PATH = re.compile(r" \((?:/|[A-Za-z]:\\)[^()]*\)$")  # ImportError's "(/path/to/__init__.py)"


class CallTimeout(BaseException):
    """Raised by the child's timer when a call runs past its limit (a BaseException: `except Exception` does not swallow it)."""


# ---------------------------------------------------------------------------
# Setting up the process


def _block_network():
    """Refuse sockets that leave the machine (best effort: `_socket` stays reachable)."""
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network access is disabled while grading")

    class NoNetworkSocket(socket.socket):
        def connect(self, address):
            refuse()

        def connect_ex(self, address):
            refuse()

        def sendto(self, *args):
            refuse()

    socket.socket = NoNetworkSocket
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    socket.gethostbyname = refuse


def _guard_signals():
    """os.kill / os.killpg reach only this process and its own group (best effort: a shell `kill` is not stopped)."""
    own = os.getpid()
    own_group = os.getpgid(0)
    real_kill, real_killpg = os.kill, os.killpg

    def kill(pid, signal_number):
        if pid not in (own, 0, -own_group):
            raise PermissionError("the grader's sandbox does not let a submission signal other processes")
        return real_kill(pid, signal_number)

    def killpg(group, signal_number):
        if group not in (0, own_group):
            raise PermissionError("the grader's sandbox does not let a submission signal other processes")
        return real_killpg(group, signal_number)

    os.kill, os.killpg = kill, killpg


_SYSTEM_READ_ROOTS = ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev")


def read_roots(workdir):
    """Where the confined child may read: Python, its packages, the system's libraries, its own folder."""
    from pathlib import Path

    roots = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *_SYSTEM_READ_ROOTS]
    roots += [entry for entry in sys.path if entry and os.path.isdir(entry)]
    roots.append(str(Path(__file__).resolve().parents[1]))  # the staged grader modules and course helpers
    roots.append(workdir)
    return list(dict.fromkeys(os.path.realpath(root) for root in roots))


def confine_child(setup):
    """Confine this process to its own folder before the submission (or TensorFlow) runs.

    Reading: Python, its packages and the system's libraries; writing: only
    the sandbox's folder (HOME, TMPDIR, the run folder). The grader's cache
    stays out of reach, as do the network and other processes' signals.

    Returns:
        {"applied": bool, "detail": one line} for the parent's report.
    """
    from graders.confine import confine

    if not setup.get("confine", True):
        return {"applied": False, "detail": "confinement turned off (GRADERS_CONFINE=0)"}
    workdir = setup["workdir"]
    roots = read_roots(workdir)
    exposed = exposed_folders(setup.get("protected", []), roots)
    result = confine(read_roots=roots, write_roots=[workdir, "/dev/null"])
    if result.applied and exposed:
        # Confined, but the cache can be read: the parent must treat it as unconfined (warn, reseal).
        folder, root = exposed[0]
        return {"applied": False, "detail": f"{result.detail}; but the grader's cache {folder} lies inside {root}, which the submission may read"}
    return {"applied": result.applied, "detail": result.detail}


def exposed_folders(protected, roots):
    """[(folder, root)]: the protected folders that lie inside (or are) a read root."""
    exposed = []
    for folder in protected:
        folder = os.path.realpath(folder)
        inside = [root for root in roots if folder == root or folder.startswith(root.rstrip("/") + "/")]
        if inside:
            exposed.append((folder, inside[0]))
    return exposed


def _vm_size_bytes():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit_resources(memory_mb, file_mb, processes=0):
    """Hard limits: address space at what TensorFlow already reserved plus `memory_mb`; file sizes; processes and threads; no core files.

    Soft and hard limits are set alike, so the submission cannot raise them
    again. TensorFlow starts its thread pools (one or two threads per core,
    8 MB of stack address space each) at the first session, after this limit
    is set: they get an allowance of their own, so the limit means the same
    on 2 cores and on 64.
    """
    limits = [(resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, file_mb * 1024 * 1024)]
    if memory_mb > 0:
        thread_stacks = (os.cpu_count() or 1) * 2 * 8 * 1024 * 1024
        limits.append((resource.RLIMIT_AS, _vm_size_bytes() + thread_stacks + memory_mb * 1024 * 1024))
    if processes > 0:
        limits.append((resource.RLIMIT_NPROC, processes))
    for which, value in limits:
        try:
            _, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # a platform without this limit: the parent's time limit still holds


# ---------------------------------------------------------------------------
# Capturing what the submission prints


class Capture(io.TextIOBase):
    """A sys.stdout that keeps nothing but a count and the "Cost after epoch" lines.

    Output spam costs the submission its own time (the parent's time limit),
    never the grader's memory.
    """

    def __init__(self):
        super().__init__()
        self.chars = 0
        self.costs = {}
        self._partial = ""

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        written = len(text)
        self.chars += written
        text = self._partial + text
        if _COST_MARK not in text:
            self._partial = text[-200:]  # a cost line may be split across writes
            return written
        lines = text.split("\n")
        self._partial = lines.pop()[-200:]
        for line in lines:
            if _COST_MARK in line:
                self._line(line)
        return written

    def _line(self, line):
        match = _COST_LINE.match(line)
        if match:
            self.costs.setdefault(match.group(1), match.group(2))  # the first line printed for an epoch counts

    def flush(self):
        pass

    def finish(self):
        if _COST_MARK in self._partial:
            self._line(self._partial)
        self._partial = ""


# ---------------------------------------------------------------------------
# Describing values


class Values:
    """Numeric arrays to send back, and JSON descriptions of everything returned."""

    def __init__(self):
        self.arrays = {}
        self.items = {}
        self._bytes = 0

    def add(self, key, value, session=None):
        """Describe `value` under `key`; numeric arrays (or values a session evaluates) are kept."""
        import numpy as np

        tf = _tf()
        if isinstance(value, (tf.Variable, tf.Tensor, tf.Operation)) or _is_variable(value):
            description = _describe_graph_value(value)
            if session is not None and description["kind"] in ("tensor", "variable"):
                value = session.run(value)
            else:
                self.items[key] = description
                return
        if isinstance(value, (np.ndarray, np.generic, int, float, bool, list, tuple)):
            try:
                array = np.asarray(value)
            except (ValueError, TypeError, RecursionError):
                array = None
            if array is not None and array.dtype.kind in "biuf":
                if self._bytes + array.nbytes > MAX_RESULT_BYTES:
                    self.items[key] = {"kind": "other", "type": "array", "detail": f"too large ({array.nbytes} bytes)"}
                    return
                self._bytes += array.nbytes
                self.arrays[key] = np.array(array, order="C")  # ascontiguousarray would make a 0-d array 1-d
                self.items[key] = {"kind": "array", "dtype": array.dtype.name, "shape": list(array.shape)}
                return
        self.items[key] = {"kind": "other", "type": type(value).__name__}

    def describe(self, key, value):
        """Describe without evaluating (placeholders, static shapes)."""
        tf = _tf()
        if isinstance(value, (tf.Variable, tf.Tensor, tf.Operation)) or _is_variable(value):
            self.items[key] = _describe_graph_value(value)
        else:
            self.items[key] = {"kind": "other", "type": type(value).__name__}


def _is_variable(value):
    return type(value).__name__ in ("RefVariable", "ResourceVariable", "VariableV1", "Variable")


def _describe_graph_value(value):
    tf = _tf()
    if isinstance(value, tf.Operation):
        return {"kind": "other", "type": "Operation", "detail": value.name}
    kind = "variable" if (isinstance(value, tf.Variable) or _is_variable(value)) else "tensor"
    try:
        shape = value.shape.as_list() if value.shape.rank is not None else None
    except (AttributeError, ValueError):
        shape = None
    op_type = ""
    try:
        op_type = value.op.type
    except AttributeError:
        pass
    return {
        "kind": kind,
        "dtype": value.dtype.base_dtype.name,
        "shape": shape,
        "name": str(getattr(value, "name", "")),
        "op": op_type,
    }


_tf_module = None


def _tf():
    global _tf_module
    if _tf_module is None:
        from tfsigns._tf import import_tensorflow

        _tf_module = import_tensorflow()
    return _tf_module


# ---------------------------------------------------------------------------
# The process


class Child:
    def __init__(self, request_fd, reply_fd):
        self.requests = os.fdopen(request_fd, "rb")
        self.replies = os.fdopen(reply_fd, "wb")
        self.namespace = {}
        self.functions = {}
        self.filenames = {}
        self.real_stdout = sys.stdout
        self.real_stderr = sys.stderr
        self.reference = False
        self.memory_mb = 0
        self.runners = None  # the assignment's child module
        self.wrap = None  # the child module's `loaded(program, namespace)` hook's answer: function -> the function to call

    def send(self, message):
        from graders.channel import send_blocking

        send_blocking(self.replies, message)

    def receive(self):
        from graders.channel import receive_trusted

        return receive_trusted(self.requests)

    def start(self):
        setup = self.receive()
        if setup is None:
            return
        # Before any submitted code runs: the parent learns which process is the server.
        self.send({"status": "hello", "pid": os.getpid()})
        graded_names = setup["graded"]
        self.reference = bool(setup["reference"])
        confinement = {"applied": False, "detail": "the bundled reference is not confined"}
        if not self.reference:
            confinement = confine_child(setup)  # first: TensorFlow's threads must start confined
            if setup.get("isolation") != "bubblewrap" and os.geteuid() == 0:
                from graders.confine import drop_capabilities

                # The fallback as root: without capabilities, the grader's /proc files are out of reach.
                problem = drop_capabilities()
                if problem:
                    confinement = {"applied": False, "detail": f"{confinement['detail']}; {problem}"}
        faulthandler.enable()
        started = time.monotonic()
        tf = _tf()
        compat = self.runners = assignment_module(setup)
        compat.prepare(tf)  # before the limits: imports need memory too
        import numpy as np  # noqa: F401  (before the limits, as the imports above)

        imported = time.monotonic()
        self.memory_mb = 0 if self.reference else int(setup["memory_mb"])
        if self.reference:
            self._load_reference(setup["edition"])
            load_errors = []
        else:
            if setup.get("isolation") != "bubblewrap":
                _block_network()  # the fallback: best effort beside Landlock's TCP rules
                _guard_signals()
            _limit_resources(setup["memory_mb"], setup["file_mb"], setup.get("processes", 0))
            load_errors = self._load_program(setup["program"], compat, graded_names)
            self.wrap = self._loaded_hook(setup["program"])
        states = {name: self._state(name) for name in graded_names}
        # Seconds spent importing TensorFlow and loading the submission, for bench/grading.py.
        timings = {"tensorflow": imported - started, "load": time.monotonic() - imported}
        self.send({"status": "ready", "functions": states, "load_errors": load_errors, "confinement": confinement, "timings": timings})
        self.serve()

    def _load_reference(self, edition):
        self.functions = self.runners.reference_functions(edition)
        _limit_resources(0, 1024)

    def _load_program(self, program, compat, graded_names):
        from graders.submission import Program, Unit, run_program

        units = tuple(Unit(**unit) for unit in program["units"])
        self.filenames = {unit.filename: unit for unit in units}
        errors = []
        namespace = {"__name__": "__submission__", "__builtins__": compat.builtins_for_submission()}

        def on_error(where, error):
            errors.append({"where": where, "type": type(error).__name__, "message": _message(error)})

        capture = Capture()
        sys.stdout, sys.stderr = capture, capture
        try:
            run_program(Program(program["kind"], units), namespace, on_error)
        finally:
            sys.stdout, sys.stderr = self.real_stdout, self.real_stderr
        self.namespace = namespace
        self.functions = {name: namespace[name] for name in graded_names if name in namespace}
        return errors[:50]

    def _loaded_hook(self, program):
        """The child module's optional `loaded(program, namespace)`: after loading, a wrapper for every graded call, or None.

        An assignment uses it to give a graded function what the submission's
        earlier top-level code made (TF1: its graph objects, made again in each
        call's fresh graph).
        """
        from graders.submission import Program, Unit

        hook = getattr(self.runners, "loaded", None)
        if hook is None:
            return None
        return hook(Program(program["kind"], tuple(Unit(**unit) for unit in program["units"])), self.namespace)

    def _state(self, name):
        if name not in self.functions:
            return {"state": "missing"}
        function = self.functions[name]
        module = getattr(function, "__module__", None)
        if not self.reference and isinstance(module, str) and module.startswith("tfsigns"):
            # A course helper handed in as a graded function (the reference itself is not here).
            return {"state": "delegated", "target": f"{module}.{getattr(function, '__name__', name)}"}
        if not callable(function):
            return {"state": "not callable", "type": type(function).__name__}
        return {"state": "defined"}

    def serve(self):
        while True:
            request = self.receive()
            if request is None:
                return
            self.send(self.run(request))

    def run(self, request):
        import signal

        reply = {"id": request["id"]}
        name = request["function"]
        state = self._state(name)
        if state["state"] != "defined":
            reply.update(status=state["state"], **{k: v for k, v in state.items() if k != "state"})
            return reply
        args = [_decode(arg) for arg in request["args"]]
        values = Values()
        capture = Capture()
        recursion_limit = sys.getrecursionlimit()
        timeout = float(request.get("timeout") or 0)

        def expire(signum, frame):
            raise CallTimeout()

        sys.stdout, sys.stderr = capture, capture
        try:
            if timeout > 0:
                signal.signal(signal.SIGALRM, expire)
                signal.setitimer(signal.ITIMER_REAL, timeout)
            function = self.functions[name] if self.wrap is None else self.wrap(self.functions[name])
            self.runners.RUNNERS[request["runner"]](function, args, values)
            status = "returned"
        except CallTimeout:
            status = "timeout"
        except MemoryError:
            status = "raised"
            limit = f"{self.memory_mb} MB beyond TensorFlow's own" if self.memory_mb else "the machine's"
            reply["error"] = {"type": "MemoryError", "message": f"ran out of memory (the grader's limit: {limit})", "where": ""}
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # SystemExit, RecursionError, anything the submission raises
            status = "raised"
            reply["error"] = {"type": type(error).__name__, "message": _message(error), "where": self._where(error)}
        finally:
            if timeout > 0:
                signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdout, sys.stderr = self.real_stdout, self.real_stderr
            sys.setrecursionlimit(recursion_limit)
            capture.finish()
        reply["status"] = status
        reply["printed"] = {"chars": capture.chars, "costs": capture.costs}
        if status == "returned":
            reply["items"] = values.items
            reply["arrays"] = values.arrays
        return reply

    def _where(self, error):
        where = ""
        traceback = error.__traceback__
        while traceback is not None:
            unit = self.filenames.get(traceback.tb_frame.f_code.co_filename)
            if unit is not None:
                where = unit.where(traceback.tb_lineno)
            traceback = traceback.tb_next
        return where


_MODULE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def assignment_module(setup):
    """The child module of the setup's assignment: only a module of a package under graders/assignments/.

    Raises:
        ValueError: the setup names no assignment package, or a module outside it.
    """
    import importlib

    from graders import assignments

    name, module = setup.get("assignment"), setup.get("child_module")
    if not (isinstance(name, str) and _MODULE_NAME.match(name) and name in assignments.package_names()):
        raise ValueError(f"assignment: expected a package under graders/assignments/, received {name!r}")
    if not (isinstance(module, str) and module.startswith(f"graders.assignments.{name}.")):
        raise ValueError(f"child_module: expected a module of graders.assignments.{name}, received {module!r}")
    return importlib.import_module(module)


def _decode(arg):
    """Arguments as the parent sent them: arrays arrive as arrays; {"dict": {...}} is a dict, {"list": [...]} a list."""
    if isinstance(arg, dict) and "dict" in arg:
        return {key: _decode(value) for key, value in arg["dict"].items()}
    if isinstance(arg, dict) and "list" in arg:
        return list(arg["list"])
    return arg


def _message(error):
    text = str(error)
    try:
        text = " ".join(text.split())
    except Exception:
        text = ""
    text = _TRAILING_PATH.sub("", _ADDRESS.sub("", text))
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    child = Child(int(argv[0]), int(argv[1]))
    child.start()
    # Every reply is written (send_blocking) and the parent has no more requests:
    # end now instead of TensorFlow's interpreter teardown (about a second here,
    # which the parent would wait for after every submission).
    try:
        child.replies.close()
    except OSError:
        pass  # the parent is gone: nobody is left to read it
    os._exit(0)


if __name__ == "__main__":
    main()
