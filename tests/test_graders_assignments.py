"""Assignments as plug-ins (issue 15): the registry, --list-assignments, --assignment / --edition.

The proof that "a newcomer adds an assignment by adding one package": a toy
assignment written only here, as one package in a temporary folder added to
graders.assignments' search path, is listed, recognised, validated and graded
end to end through the real sandbox (its child module staged, its runner run
in the child) without a line of the core changing.
"""
import contextlib
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from graders import assignments, batch, cli, grading, isolation
from graders.submission import Program, Unit

ROOT = Path(__file__).resolve().parents[1]
TF1_LINE = "tf1_tutorial  v3, v3b  TensorFlow Tutorial (2018, TF1 placeholders and sessions; SIGNS)"

# The whole toy assignment: one package, an __init__.py light enough for the sandbox, and its child module.
TOY_INIT = '''
"""A toy assignment: double(x) = 2 x. Test-only."""


def __getattr__(name):
    if name == "ASSIGNMENT":
        from graders.assignments.toy_double.plugin import ASSIGNMENT

        return ASSIGNMENT
    raise AttributeError(name)
'''
TOY_PLUGIN = '''
from pathlib import Path

import numpy as np

from graders.answer_cache import cache_path
from graders.assignments.base import Assignment, Recognition, defined_functions
from graders.checks import PUBLISHED, Call, Check
from graders.edition import Choice

HERE = Path(__file__).resolve().parent


class Answer:
    def __init__(self, value, rtol=0.0, atol=1e-12):
        self.value, self.rtol, self.atol, self.variants, self.examples = value, rtol, atol, {"x + x + 1": value + 1}, 0


class Key:
    data, notes = None, []

    def __init__(self, edition):
        self.edition = edition

    def start(self):
        return self

    def wait(self):
        pass

    join = wait

    def finished(self):
        return True

    def held(self):
        return {}

    def inputs(self, name):
        return [np.array([1.5, -2.0])] if self.edition == "plain" else [np.array([3.0])]

    def answer(self, key):
        return Answer(np.array([3.0, -4.0]) if self.edition == "plain" else np.array([6.0]))


class ToyDouble(Assignment):
    name = "toy_double"
    title = "Toy: double(x) (test-only)"
    editions = ("plain", "scalar")
    default_edition = "plain"
    calls = {"double": Call("double", "value", "double")}
    checks = (
        Check("double: 2 x", "double", 7, "double", "double", "array", "value", PUBLISHED,
              "double(x) should return 2 x", (("x + x + 1", "one too many: 2 x, not 2 x + 1"),)),
    )
    child_module = "graders.assignments.toy_double.runners"
    child_files = ("graders/assignments/toy_double/__init__.py", "graders/assignments/toy_double/runners.py")
    reference_name = "the toy's reference"

    def child_sources(self):
        return {name: HERE / Path(name).name for name in self.child_files}

    def recognise(self, program):
        return Recognition(100 if "double" in defined_functions(program) else 0, "double defined")

    def choose_edition(self, requested, program):
        if requested in self.editions:
            return Choice(requested, f"--edition {requested}")
        return Choice("plain", "auto: double defined")

    def load_data(self, data_dir):
        return None

    def answer_key(self, edition, data, need_functions):
        return Key(edition)


ASSIGNMENT = ToyDouble()
'''
TOY_RUNNERS = '''
"""The toy's child side: no TensorFlow mode, plain builtins."""
import builtins


def prepare(tf):
    pass


def builtins_for_submission():
    return dict(vars(builtins))


def run_value(function, args, values):
    values.add("value", function(*args))


RUNNERS = {"value": run_value}


def loaded(program, namespace):
    """After loading: calls subtract the submission's top-level SHIFT (a hook that sees what earlier cells made)."""
    if "SHIFT" not in namespace or not program.units:
        return None
    return lambda function: (lambda *args: function(*args) - namespace["SHIFT"])


def reference_functions(edition):
    return {"double": lambda x: 2 * x}
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The registry with the toy package found beside tf1_tutorial (a fresh staging of the child's files too)."""
    package = tmp_path / "plugins" / "toy_double"
    package.mkdir(parents=True)
    for name, text in (("__init__.py", TOY_INIT), ("plugin.py", TOY_PLUGIN), ("runners.py", TOY_RUNNERS)):
        (package / name).write_text(textwrap.dedent(text).lstrip())
    with _search_path_with(package.parent):
        monkeypatch.setattr(isolation, "_stage", None)  # staged again, with the toy's child files
        monkeypatch.setattr(isolation, "_chosen", {})
        assignments.discover()
        yield assignments.get("toy_double")


@contextlib.contextmanager
def _search_path_with(folder):
    """graders.assignments also searches `folder`; afterwards the registry is as it was."""
    original = list(assignments.__path__)
    shipped = {info.name for info in pkgutil.iter_modules(original)}
    assignments.__path__.append(str(folder))
    try:
        yield
    finally:
        assignments.__path__[:] = original
        for name in [name for name in sys.modules if name.startswith("graders.assignments.") and name.split(".")[2] not in shipped]:
            del sys.modules[name]
        assignments.discover()


def _program(source):
    return Program("py", (Unit("", "<file>", source),))


# ---------------------------------------------------------------------------
# The registry


def test_the_registry_finds_the_tf1_assignment_and_its_declared_parts():
    assert assignments.names()[0] == "tf1_tutorial"
    tf1 = assignments.get("tf1_tutorial")
    assert (tf1.editions, tf1.default_edition, tf1.max_score) == (("v3", "v3b"), "v3", 100)
    assert tf1.graded_functions[:3] == ("linear_function", "sigmoid", "cost")
    assert tf1.child_module == "graders.assignments.tf1_tutorial.runners"
    assert assignments.owner("v3b") is tf1 and assignments.owner("v4") is None


def test_recognition_scores_the_tf1_functions_and_defaults_to_tf1():
    tf1 = assignments.get("tf1_tutorial")
    found, recognition = assignments.recognise(_program("def create_placeholders(n_x, n_y):\n    X = tf.placeholder(tf.float32)\n"))
    assert found is tf1
    assert recognition == assignments.Recognition(11, "create_placeholders defined; the code calls tf.placeholder")
    assert assignments.recognise(_program("x = 1\n")) == (assignments.default(), assignments.Recognition(0, ""))


def test_a_new_assignment_is_one_package(toy):
    assert assignments.names() == ("tf1_tutorial", "tf2_introduction", "toy_double")
    assert assignments.recognise(_program("def double(x):\n    return 2 * x\n")) == (toy, assignments.Recognition(100, "double defined"))
    assert assignments.recognise(_program("def create_placeholders(n_x, n_y):\n    pass\n"))[0].name == "tf1_tutorial"
    assert assignments.owner("scalar") is toy
    staged = isolation.child_files()
    assert staged["graders/assignments/toy_double/runners.py"].read_text() == textwrap.dedent(TOY_RUNNERS).lstrip()


def test_a_package_without_an_assignment_or_with_a_clashing_edition_is_an_error(tmp_path):
    bad = tmp_path / "plugins" / "clash"
    bad.mkdir(parents=True)
    with _search_path_with(bad.parent):
        (bad / "__init__.py").write_text("x = 1\n")
        with pytest.raises(AttributeError, match="ASSIGNMENT"):
            assignments.discover()
        sys.modules.pop("graders.assignments.clash")
        (bad / "__init__.py").write_text(textwrap.dedent('''
            from graders.assignments.base import Assignment

            class Clash(Assignment):
                name, editions, default_edition = "clash", ("v3b",), "v3b"
                child_module = "graders.assignments.clash.runners"

            ASSIGNMENT = Clash()
        '''))
        with pytest.raises(TypeError, match="graders.assignments.tf1_tutorial: edition 'v3b' is also clash's"):
            assignments.discover()
        sys.modules.pop("graders.assignments.clash")


# ---------------------------------------------------------------------------
# The command line


def test_list_assignments_prints_one_line_each(capsys):
    assert cli.main(["--list-assignments"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(assignments.names())
    # Exact while tf1_tutorial is alone; the columns widen with longer names and editions.
    assert " ".join(lines[assignments.names().index("tf1_tutorial")].split()) == " ".join(TF1_LINE.split())


def test_list_assignments_from_the_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "graders", "--list-assignments"], capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert " ".join(done.stdout.splitlines()[0].split()) == " ".join(TF1_LINE.split())


def test_list_assignments_aligns_the_columns(toy, capsys):
    assert cli.main(["--list-assignments"]) == 0
    assert capsys.readouterr().out == (
        "tf1_tutorial      v3, v3b                   TensorFlow Tutorial (2018, TF1 placeholders and sessions; SIGNS)\n"
        "tf2_introduction  tf2, tf2-mean, tf2-early  Tensorflow_introduction (2021-2025, eager TF2: tf.Variable, GradientTape, tf.data; SIGNS)\n"
        "toy_double        plain, scalar             Toy: double(x) (test-only)\n"
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--assignment", "tf3"], "error: --assignment: expected auto or one of tf1_tutorial, tf2_introduction, toy_double, received 'tf3'\n"),
        (["--assignment", "tf1_tutorial", "--edition", "scalar"], "error: --edition: expected auto or an edition of tf1_tutorial (v3, v3b), received 'scalar'\n"),
        (["--assignment", "toy_double", "--edition", "v3"], "error: --edition: expected auto or an edition of toy_double (plain, scalar), received 'v3'\n"),
        (["--edition", "v4"], "error: --edition: expected auto or an edition of an assignment (tf1_tutorial: v3, v3b; tf2_introduction: tf2, tf2-mean, tf2-early; toy_double: plain, scalar), received 'v4'\n"),
        (["--assignment", "toy_double", "--only", "sigmoid"], "error: not a graded function: sigmoid (graded: double)\n"),
    ],
)
def test_bad_assignment_or_edition_is_one_error_line_and_exit_2(toy, argv, message, capsys):
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", message)


def test_batch_validates_the_same_way(toy, tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.py").write_text("def double(x):\n    return 2 * x\n")
    assert batch.main([str(tmp_path / "in"), "--csv", str(tmp_path / "g.csv"), "--assignment", "toy_double", "--edition", "v3b"]) == 2
    assert capsys.readouterr().err == "error: --edition: expected auto or an edition of toy_double (plain, scalar), received 'v3b'\n"
    assert not (tmp_path / "g.csv").exists()


def test_the_edition_names_its_assignment_and_unknown_editions_fail_in_grade(toy):
    options = grading.Options(edition="scalar")
    assert [assignment.name for assignment in grading.scope(options)] == ["toy_double"]
    assert grading.wanted_editions(options) == ("scalar",)
    assert grading.wanted_editions(grading.Options()) == ("v3", "v3b", "tf2", "tf2-mean", "tf2-early", "plain", "scalar")
    results = grading.grade(None, grading.Options(assignment="tf1_tutorial", edition="plain"))
    assert results.error == "--edition: expected auto or an edition of tf1_tutorial (v3, v3b), received 'plain'"


# ---------------------------------------------------------------------------
# End to end: the toy graded in the real sandbox (one child start)


def test_the_toy_assignment_is_graded_through_the_sandbox(toy, tmp_path):
    """One child start: the toy's runner ran in the sandbox on the toy's input; the core compared and hinted.

    The submission's double(x) gives 2 x + 1 + SHIFT; the hint for 2 x + 1 shows that the toy's
    `loaded` hook wrapped the call (it subtracts SHIFT).
    """
    wrong = tmp_path / "wrong.py"
    wrong.write_text("import numpy as np\n\nSHIFT = 5.0\n\n\ndef double(x):\n    return np.asarray(x) + x + 1 + SHIFT\n")
    results = grading.grade(str(wrong), grading.Options())
    assert results.error == ""
    assert (results.edition, results.edition_reason, results.score, results.max_score) == ("plain", "auto: double defined", 0, 7)
    assert results.sandbox.startswith(("bubblewrap", "Landlock"))
    (check,) = results.checks
    assert (check.name, check.passed, check.hint, check.failure) == ("double: 2 x", False, "one too many: 2 x, not 2 x + 1", "double(x) should return 2 x")
    assert check.reason.startswith("wrong value"), check.reason
    np.testing.assert_allclose(toy.answer_key("plain", None, True).answer("double").value, [3.0, -4.0], rtol=0, atol=0)
