"""The grader's fast paths give the very values of the slow ones they replace.

- `random_mini_batches` served to submissions (`graders.assignments.tf1_tutorial.compat.minibatches`)
  must hand the learner's loop, bit for bit, the float32 minibatches its
  `feed_dict` would have made of the course's float64 ones, leave NumPy's
  global random state where the course's left it, and give way to the
  course's own helper for anything unusual;
- the answer key's columns for the accuracy checks, cast to float32 once,
  must give the accuracies the float64 columns gave.
"""
import numpy as np
import pytest

from graders.assignments.signs_data import GradingData
from graders.assignments.tf1_tutorial.answers import AnswerKey, accuracy
from graders.assignments.tf1_tutorial.compat import minibatches, tf_utils
from graders import isolation
from tfsigns.tf_utils import flatten_images, forward_propagation_for_predict
from tfsigns.tf_utils import random_mini_batches as course_random_mini_batches


def notebook_columns(m, seed=0, pixels=(8, 8, 3)):
    """X (n_x, m) as the grader hands model() X_train (uint8 images flattened, transposed, / 255.: F-ordered float64); Y (6, m) one-hot."""
    rng = np.random.RandomState(seed)
    images = rng.randint(0, 256, size=(m, *pixels)).astype(np.uint8)
    X = images.reshape(m, -1).T / 255.0
    Y = np.eye(6)[rng.randint(0, 6, size=m)].T
    return X, Y


def course_fed(X, Y, size, seed):
    """The course's minibatches as a float32 placeholder is fed them (what TensorFlow's feed does: astype)."""
    return [(x.astype(np.float32), y.astype(np.float32)) for x, y in course_random_mini_batches(X, Y, size, seed)]


def assert_same_minibatches(got, want):
    assert len(got) == len(want)
    for (got_x, got_y), (want_x, want_y) in zip(got, want):
        assert got_x.dtype == np.float32 and got_y.dtype == np.float32
        assert got_x.shape == want_x.shape and got_y.shape == want_y.shape
        # Bit for bit: a tolerance of zero, and the same bytes.
        np.testing.assert_allclose(got_x, want_x, rtol=0, atol=0)
        np.testing.assert_allclose(got_y, want_y, rtol=0, atol=0)
        assert np.ascontiguousarray(got_x).tobytes() == np.ascontiguousarray(want_x).tobytes()


@pytest.mark.parametrize(
    "m, size, order",
    [
        (1080, 32, "F"),  # the assignment: 33 complete minibatches and one of 24
        (330, 32, "F"),  # the grader's tests' small data: 10 complete and one of 10
        (320, 64, "F"),  # m a multiple of the size: no partial minibatch
        (20, 64, "F"),  # fewer examples than one minibatch
        (330, 32, "C"),  # an X the learner made C-ordered (np.ascontiguousarray)
    ],
)
def test_served_minibatches_are_the_courses_in_float32_bit_for_bit(m, size, order):
    X, Y = notebook_columns(m)
    X = np.asarray(X, order=order)
    for seed in (4, 5, 104):  # the notebook's loop: seed = 3, then seed + 1 every epoch
        want = course_fed(X, Y, size, seed)
        state_after_course = np.random.get_state()
        got = minibatches.random_mini_batches(X, Y, size, seed)
        state_after_served = np.random.get_state()
        assert_same_minibatches(got, want)
        # The learner's later np.random draws are the same as with the course's helper.
        assert state_after_served[0] == state_after_course[0]
        np.testing.assert_array_equal(state_after_served[1], state_after_course[1])
        assert state_after_served[2:] == state_after_course[2:]


def test_float32_input_gives_the_courses_minibatches():
    X, Y = notebook_columns(100)
    X, Y = X.astype(np.float32), Y.astype(np.float32)
    assert_same_minibatches(minibatches.random_mini_batches(X, Y, 16, 7), course_fed(X, Y, 16, 7))


@pytest.mark.parametrize(
    "X, Y, size",
    [
        (np.arange(12, dtype=np.uint8).reshape(3, 4), np.eye(2)[[0, 1, 1, 0]].T, 2),  # integer pixels
        (np.ones((3, 4)), np.ones((1, 5)), 2),  # example counts that disagree
        (np.ones((3, 4)), np.ones((1, 4)), np.float64(2.0)),  # a float size
    ],
)
def test_unusual_inputs_get_the_courses_own_helper(X, Y, size):
    """Whatever the course's helper does with them (values or an error), the served one does too."""
    try:
        want = course_random_mini_batches(X, Y, size, 1)
    except Exception as error:  # noqa: BLE001 - the course's error is the expected outcome
        with pytest.raises(type(error)):
            minibatches.random_mini_batches(X, Y, size, 1)
        return
    got = minibatches.random_mini_batches(X, Y, size, 1)
    assert len(got) == len(want)
    for (got_x, got_y), (want_x, want_y) in zip(got, want):
        assert got_x.dtype == want_x.dtype
        np.testing.assert_array_equal(got_x, want_x)
        np.testing.assert_array_equal(got_y, want_y)


def test_a_float32_placeholder_is_fed_the_same_bytes():
    """Through a TF1 session: fetching the fed placeholder gives the same float32 bytes either way."""
    from tfsigns._tf import import_tensorflow

    tf = import_tensorflow()
    v1 = tf.compat.v1
    X, Y = notebook_columns(70)
    graph = tf.Graph()
    with graph.as_default():
        X_in = v1.placeholder(tf.float32, shape=[X.shape[0], None], name="X")
        Y_in = v1.placeholder(tf.float32, shape=[6, None], name="Y")
        with v1.Session(graph=graph) as session:
            course = course_random_mini_batches(X, Y, 32, 4)
            served = minibatches.random_mini_batches(X, Y, 32, 4)
            assert len(course) == len(served) == 3
            for (course_x, course_y), (served_x, served_y) in zip(course, served):
                want = session.run([X_in, Y_in], feed_dict={X_in: course_x, Y_in: course_y})
                got = session.run([X_in, Y_in], feed_dict={X_in: served_x, Y_in: served_y})
                for got_value, want_value in zip(got, want):
                    assert got_value.dtype == want_value.dtype == np.float32
                    assert got_value.tobytes() == want_value.tobytes()


def test_submissions_import_the_served_helper_and_the_child_can_see_it():
    assert tf_utils.random_mini_batches is minibatches.random_mini_batches
    assert "graders/assignments/tf1_tutorial/compat/minibatches.py" in isolation.child_files()


def test_answer_key_columns_are_the_notebooks_cast_once_to_float32(monkeypatch):
    rng = np.random.RandomState(3)
    images = {split: rng.randint(0, 256, size=(m, 64, 64, 3)).astype(np.uint8) for split, m in (("train", 40), ("test", 12))}
    labels = {split: rng.randint(0, 6, size=(1, len(x))) for split, x in images.items()}
    data = GradingData(images["train"], labels["train"], images["test"], labels["test"], "test data", False)
    key = AnswerKey("v3", data, need_functions=False)
    monkeypatch.setattr(key, "_prepare", lambda: None)  # no reference run: only the columns are under test
    parameters = {
        "W1": rng.randn(25, 12288).astype(np.float32) * 0.01, "b1": rng.randn(25, 1).astype(np.float32) * 0.1,
        "W2": rng.randn(12, 25).astype(np.float32) * 0.3, "b2": rng.randn(12, 1).astype(np.float32) * 0.1,
        "W3": rng.randn(6, 12).astype(np.float32) * 0.3, "b3": rng.randn(6, 1).astype(np.float32) * 0.1,
    }  # fmt: skip
    for split in ("train", "test"):
        X, Y = key.columns(split)
        X64 = flatten_images(images[split])
        assert X.dtype == np.float32 and X.shape == X64.shape == (12288, len(images[split]))
        np.testing.assert_allclose(X, X64.astype(np.float32), rtol=0, atol=0)
        np.testing.assert_array_equal(Y, np.eye(6)[labels[split].reshape(-1)].T)
        # The accuracy's forward pass gives the same logits, bit for bit, from either.
        np.testing.assert_allclose(forward_propagation_for_predict(X, parameters), forward_propagation_for_predict(X64, parameters), rtol=0, atol=0)
        assert accuracy(parameters, X, Y) == accuracy(parameters, X64, Y)
