"""check(function) from a notebook: functions defined the way IPython defines them (exec, source in linecache)."""
import ast
import io
import linecache
import sys
from pathlib import Path

from graders import check
from graders.compat import tf_utils

SOLUTION = Path(__file__).parent / "submissions" / "tf1_solution.py"


def _notebook_namespace(monkeypatch):
    """The solution's imports and functions exec'd as one IPython cell whose source linecache holds."""
    source = SOLUTION.read_text()
    filename = "<ipython-input-1-solution>"
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
