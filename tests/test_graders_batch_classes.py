"""A batch reads its class first: the gradebook's columns and answer keys are those of the assignments the files are."""
import csv
from pathlib import Path

from graders import batch, cli
from graders.grading import Options, recognised

SUBMISSIONS = Path(__file__).parent / "submissions"
TF1_CLASS = [SUBMISSIONS / "tf1_solution.py", SUBMISSIONS / "mistake_one_hot_axis.py", SUBMISSIONS / "v3b_solution.py"]
TF2_FILE = SUBMISSIONS / "tf2" / "ok_t1_mean.py"


def test_a_class_of_tf1_notebooks_needs_the_tf1_assignment_and_its_editions_only():
    in_class, editions = recognised(Options(), TF1_CLASS)
    assert [assignment.name for assignment in in_class] == ["tf1_tutorial"]
    assert editions == ("v3", "v3b")  # v3b_solution.py divides by minibatch_size
    columns = batch.functions(Options(), in_class)
    assert columns[:5] == ["linear_function", "sigmoid", "cost", "one_hot_matrix", "ones"]
    assert "normalize" not in columns and "compute_total_loss" not in columns


def test_a_mixed_class_gets_both_assignments_columns_in_registry_order():
    in_class, editions = recognised(Options(), TF1_CLASS[:1] + [TF2_FILE])
    assert [assignment.name for assignment in in_class] == ["tf1_tutorial", "tf2_introduction"]
    assert editions == ("v3", "tf2-mean")
    columns = batch.functions(Options(), in_class)
    assert columns.index("ones") < columns.index("normalize")
    assert columns.count("linear_function") == 1  # a function both assignments grade is one column


def test_files_that_do_not_load_count_for_nothing_and_the_default_assignment_stands():
    in_class, editions = recognised(Options(), [SUBMISSIONS / "syntax_error.py", SUBMISSIONS / "no_such_file.py"])
    assert [assignment.name for assignment in in_class] == ["tf1_tutorial"] and editions == ("v3",)


def test_a_tf1_class_gradebook_has_no_tf2_columns(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "broken.py").write_bytes((SUBMISSIONS / "syntax_error.py").read_bytes())  # graded 0 without a child
    gradebook = tmp_path / "gradebook.csv"
    # normalize is graded by the TF2 assignment only: no column for it in a TF1 class
    assert cli.main(["batch", str(folder), "--csv", str(gradebook), "--only", "linear_function,ones,normalize"]) == 1
    with gradebook.open(newline="") as stream:
        table = list(csv.reader(stream))
    assert table[0] == batch.header(["linear_function", "ones"])
    assert table[1][:5] == ["broken.py", table[1][1], "0", "10", "yes"]
    assert len(table) == 2
