"""check(function) in a real Jupyter kernel, as a learner calls it from a notebook cell.

tests/test_graders_check.py imitates IPython (exec, linecache); this file
starts an IPython kernel (ipykernel, through jupyter_client), runs the cells a
learner runs, and reads what the cell printed: the function's source comes
from the kernel's own cell history, not from a file.
"""
import ast
from pathlib import Path

import jupyter_client  # with ipykernel, in the test extra
import pytest

SOLUTION = Path(__file__).parent / "submissions" / "tf1_solution.py"
MISTAKE = Path(__file__).parent / "submissions" / "mistake_draw_order.py"


def _function_source(path, name):
    source = path.read_text()
    node = next(node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef) and node.name == name)
    return ast.get_source_segment(source, node)


def _run_cells(cells, timeout=240):
    """Run `cells` in a fresh kernel; the text each cell printed (stdout, stderr, errors), in order."""
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        printed = []
        for cell in cells:
            out = []

            def keep(message, out=out):
                kind, content = message["msg_type"], message["content"]
                if kind == "stream":
                    out.append(content["text"])
                elif kind == "error":
                    out.append(f"{content['ename']}: {content['evalue']}\n")

            reply = client.execute_interactive(cell, timeout=timeout, output_hook=keep)
            printed.append("".join(out))
            assert reply["content"]["status"] == "ok", (cell, printed[-1])
        return printed
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel_reports():
    """One kernel: the course's imports, a correct and a mistaken linear_function, check() on each."""
    cells = [
        "import numpy as np\nimport tensorflow as tf\n",  # the notebook's first cell
        _function_source(SOLUTION, "linear_function"),
        "from graders import check\ncheck(linear_function)\n",
        _function_source(MISTAKE, "linear_function"),  # the learner edits the cell and runs it again
        "check(linear_function)\n",
        "check(np.zeros)\n",
    ]
    return _run_cells(cells)


def test_check_in_a_kernel_grades_the_cell_that_defined_the_function(kernel_reports):
    lines = kernel_reports[2].splitlines()
    assert any(line.startswith("PASS  linear_function: Y = WX + b") and line.endswith("5/5") for line in lines), lines
    assert "Score: 5/5 (all checks passed)" in lines
    assert any(line.startswith("Sandbox: ") for line in lines), lines  # graded in the sandbox, not in the kernel


def test_check_in_a_kernel_sees_the_redefined_function_and_gives_its_hint(kernel_reports):
    lines = [line.strip() for line in kernel_reports[4].splitlines()]
    assert any(line.startswith("FAIL  linear_function: Y = WX + b") and line.endswith("0/5") for line in lines), lines
    assert any(line.startswith("hint: after np.random.seed(1), draw X") for line in lines), lines
    assert "Score: 0/5 (1 of 1 checks failed)" in lines


def test_check_in_a_kernel_refuses_what_is_not_a_graded_function_in_one_line(kernel_reports):
    assert kernel_reports[5].count("\n") == 1
    assert kernel_reports[5].startswith("check: expected a graded function (e.g. check(linear_function)), received ")
