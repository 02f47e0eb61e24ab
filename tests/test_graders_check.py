"""check(function) from a notebook: functions defined the way IPython defines them (exec, source in linecache)."""
import ast
import io
import linecache
import os
import subprocess
import sys
from pathlib import Path

from graders import check
from graders.assignments.tf1_tutorial.compat import tf_utils

SOLUTION = Path(__file__).parent / "submissions" / "tf1_solution.py"


def _notebook_namespace(monkeypatch, path=SOLUTION):
    """A submission's imports and functions exec'd as one IPython cell whose source linecache holds."""
    source = path.read_text()
    filename = f"<ipython-input-1-{path.stem}>"
    monkeypatch.setitem(linecache.cache, filename, (len(source), None, source.splitlines(True), filename))
    monkeypatch.setitem(sys.modules, "tf_utils", tf_utils)  # what the course's folder gave a kernel
    tree = ast.parse(source)
    kept = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef))]
    namespace = {"__name__": "__main__"}
    exec(compile(ast.Module(kept, []), filename, "exec"), namespace)
    return namespace


def test_check_grades_one_function_of_a_notebook(monkeypatch):
    namespace = _notebook_namespace(monkeypatch)
    out = io.StringIO()
    check(namespace["linear_function"], stream=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("PASS  linear_function: Y = WX + b") and line.endswith("5/5") for line in lines), lines
    assert "Score: 5/5 (all checks passed)" in lines
    assert not any("sigmoid" in line for line in lines)  # only the function asked for is graded
    # the notebook's model() went along, so the edition is read from it as the full grader reads it
    assert any(line.startswith("Edition: v3 (auto: model() at line") for line in lines), lines


def test_check_gives_a_wrong_function_its_hint(monkeypatch):
    namespace = _notebook_namespace(monkeypatch, SOLUTION.parent / "mistake_draw_order.py")
    out = io.StringIO()
    check(namespace["linear_function"], stream=out)
    lines = [line.strip() for line in out.getvalue().splitlines()]
    assert any(line.startswith("FAIL  linear_function: Y = WX + b") and line.endswith("0/5") for line in lines), lines
    assert any(line.startswith("hint: after np.random.seed(1), draw X") for line in lines), lines
    assert "Score: 0/5 (1 of 1 checks failed)" in lines


def test_check_of_a_function_that_is_not_graded_prints_one_line(monkeypatch):
    namespace = _notebook_namespace(monkeypatch)
    helper_source = "def my_helper():\n    return 1\n"
    monkeypatch.setitem(linecache.cache, "<ipython-input-2-helper>", (len(helper_source), None, helper_source.splitlines(True), "<ipython-input-2-helper>"))
    exec(compile(helper_source, "<ipython-input-2-helper>", "exec"), namespace)
    out = io.StringIO()
    check(namespace["my_helper"], stream=out)
    assert out.getvalue().count("\n") == 1
    assert out.getvalue().startswith("check: my_helper: not a graded function: my_helper (graded: linear_function, ")


def test_check_of_something_not_a_function_prints_one_line():
    out = io.StringIO()
    check(3, stream=out)
    assert out.getvalue() == "check: expected a graded function (e.g. check(linear_function)), received 3 (int)\n"


def test_check_with_an_unknown_edition_prints_one_line():
    def sigmoid(z):
        return z

    out = io.StringIO()
    check(sigmoid, edition="v4", stream=out)
    assert out.getvalue() == "check: edition: expected v3, v3b, tf2, tf2-mean, tf2-early or auto, received 'v4'\n"


def test_submission_keeps_the_function_on_its_cell_line_numbers():
    from graders.check import submission_source

    source = "import math\n\n\ndef sigmoid(z):\n    return 1 / (1 + math.exp(-z))\n"
    filename = "<ipython-input-3-sigmoid>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        namespace = {"__name__": "__main__", "In": ["", source]}
        exec(compile(source, filename, "exec"), namespace)
        text = submission_source(namespace["sigmoid"])
    finally:
        del linecache.cache[filename]
    assert text.splitlines()[3] == "def sigmoid(z):"  # line 4, as in its cell
    assert "import math" in text.splitlines()[5:]


def test_import_graders_stays_cheap():
    code = "import sys, graders; print('graders.grading' in sys.modules, 'numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=_env())
    assert result.stdout.split() == ["False", "False"], result.stderr


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return env
