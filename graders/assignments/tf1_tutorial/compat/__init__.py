"""The TensorFlow 1 names a 2018 submission uses, served by TensorFlow 2's `tf.compat.v1`.

A learner's notebook says `import tensorflow as tf` and then `tf.placeholder`,
`tf.Session`, `tf.get_variable`, `tf.contrib.layers.xavier_initializer`,
`tf.train.AdamOptimizer`, `tf.set_random_seed`, and
`from tf_utils import load_dataset, random_mini_batches, convert_to_one_hot, predict`.
Inside the grader's child process the submission's code is compiled with
`builtins_for_submission()` as its `__builtins__`, whose `__import__` hands it

- for `tensorflow`: a module that looks a name up in `tf.compat.v1` first and
  in `tf` second, plus the `tf.contrib.layers` initializers, regularizers,
  `fully_connected` and `flatten` learners used, with TF1's numbers
  (`graders.assignments.tf1_tutorial.compat.contrib`);
- for `tf_utils` (and its renamed copies `tf_utils1`, `tf_utils_v2`, ...):
  `graders.assignments.tf1_tutorial.compat.tf_utils`, the course's helpers from tfsigns.

Nothing else in the process is redirected: `sys.modules["tensorflow"]` stays
the real module, so TensorFlow's own lazy imports keep working. TF2-style code
that spells `tf.compat.v1` out gets the real `tf.compat`.
"""
import builtins
import re
import types

from tfsigns._tf import import_tensorflow

from . import graph_globals  # noqa: F401  (runners.loaded uses it; imported with compat in prepare(), before the limits)
from .contrib import contrib_module

# Names that must come from TF2's top level, not from tf.compat.v1.
_FROM_TF2 = ("compat", "keras", "__version__", "version", "experimental")


class TF1Module(types.ModuleType):
    """`import tensorflow as tf` for a TF1-era submission: tf.compat.v1 first, then tf."""

    def __init__(self):
        super().__init__("tensorflow", "TensorFlow 1 names over tf.compat.v1 (graders.assignments.tf1_tutorial.compat)")
        tf = import_tensorflow()
        self.__dict__["_tf"] = tf
        self.__dict__["_v1"] = tf.compat.v1
        self.__dict__["contrib"] = contrib_module()

    def __getattr__(self, name):
        if name.startswith("__") and name not in _FROM_TF2:
            raise AttributeError(name)
        if name not in _FROM_TF2:
            try:
                return getattr(self._v1, name)
            except AttributeError:
                pass
        return getattr(self._tf, name)

    def __dir__(self):
        return sorted(set(dir(self._v1)) | set(dir(self._tf)) | {"contrib"})


_tf1_module = None

# `tf_utils`, and the names course hubs and learners gave copies of it: tf_utils1, tf_utils_v2, tfutils.
_COURSE_HELPERS = re.compile(r"^tf_?utils\w*$")


def is_course_helpers(name):
    """Whether `import name` means the course's helper module (served from tfsigns)."""
    return bool(_COURSE_HELPERS.match(name))



def tf1_module():
    """The one `TF1Module` of this process."""
    global _tf1_module
    if _tf1_module is None:
        _tf1_module = TF1Module()
    return _tf1_module


def builtins_for_submission(on_import=None):
    """A copy of `builtins` whose `__import__` serves the TF1 names and the course's `tf_utils`.

    Args:
        on_import: optional callable `on_import(name)` called after every
            import the submission makes.

    Returns:
        dict to use as the submission's `__builtins__`.
    """
    real_import = builtins.__import__

    def submission_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and is_course_helpers(name):
            from graders.assignments.tf1_tutorial.compat import tf_utils

            return tf_utils
        if level == 0 and (name == "tensorflow" or (name.startswith("tensorflow.") and not fromlist)):
            # `import tensorflow.compat.v1 as tf` binds the top package and walks
            # attributes from it: real tf.compat is served by TF1Module.
            real_import(name, globals, locals, fromlist, level)
            module = tf1_module()
        else:
            try:
                module = real_import(name, globals, locals, fromlist, level)
            except ImportError as error:
                if level == 0 and (name == "tfsigns" or name.startswith("tfsigns.")):
                    # The sandbox holds tfsigns' course helpers, never its reference.
                    raise ImportError(
                        f"tfsigns' reference is not available while grading (import {name}"
                        f"{' of ' + ', '.join(map(str, fromlist)) if fromlist else ''}): write the graded functions yourself"
                    ) from error
                raise
        if on_import is not None:
            on_import(name)
        return module

    namespace = dict(vars(builtins))
    namespace["__import__"] = submission_import
    return namespace
