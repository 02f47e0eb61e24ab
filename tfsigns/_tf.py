"""Import TensorFlow once, quietly.

TensorFlow prints a oneDNN banner and C++ log lines on import. The banner can
only be removed without changing the numbers (`TF_ENABLE_ONEDNN_OPTS=0` would
change them) by silencing file descriptor 2 while the import runs.
"""
import os
import sys

_tf = None


def import_tensorflow():
    """Return the `tensorflow` module, imported with its start-up noise removed."""
    global _tf
    if _tf is not None:
        return _tf
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        import tensorflow as tf
    else:
        sys.stderr.flush()
        saved_fd = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            import tensorflow as tf
        finally:
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
            os.close(devnull)
    tf.get_logger().setLevel("ERROR")
    _tf = tf
    return tf
