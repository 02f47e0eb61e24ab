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
TF2_SOLUTION = Path(__file__).parent / "submissions" / "tf2" / "ok_v31_script.py"


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
    assert not [line for line in lines if line.startswith("note:")], lines  # `from graders import check` is not graded code
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


@pytest.fixture(scope="module")
def tf2_kernel_reports():
    """A TF2-edition notebook: its sigmoid and its loss, checked one at a time."""
    cells = [
        "import numpy as np\nimport tensorflow as tf\n",
        _function_source(TF2_SOLUTION, "sigmoid"),
        _function_source(TF2_SOLUTION, "compute_total_loss"),
        "from graders import check\ncheck(sigmoid)\n",
        "check(compute_total_loss)\n",
    ]
    return _run_cells(cells)


def test_check_in_a_kernel_grades_a_tf2_notebook_as_the_tf2_edition(tf2_kernel_reports):
    sigmoid_lines, loss_lines = tf2_kernel_reports[3].splitlines(), tf2_kernel_reports[4].splitlines()
    for lines in (sigmoid_lines, loss_lines):
        assert "Edition: tf2 (auto: compute_total_loss defined)" in lines, lines
        assert not [line for line in lines if line.startswith("note:")], lines
    assert [line.split()[1] for line in sigmoid_lines if line.startswith("PASS")] == ["sigmoid:"] * 3
    assert "Score: 10/10 (all checks passed)" in sigmoid_lines
    assert any(line.startswith("PASS  compute_total_loss: Test 1") for line in loss_lines), loss_lines
    assert "Score: 10/10 (all checks passed)" in loss_lines
