"""The SIGNS data both assignments grade model() on (not an assignment: no ASSIGNMENT here).

Found in tfsigns.data's search order (`--data-dir`, the official files, the
embedded default), loaded in the parent only, and fingerprinted so that an
answer key cached for one data set is never used for another.
"""
import hashlib
from dataclasses import dataclass

import numpy as np

from tfsigns.tf_utils import convert_to_one_hot, flatten_images


@dataclass(frozen=True)
class GradingData:
    """The SIGNS arrays model() is graded on.

    Attributes:
        train_x: uint8 (m_train, 64, 64, 3); train_y: int64 (1, m_train);
        test_x: uint8 (m_test, 64, 64, 3); test_y: int64 (1, m_test).
        description: one line saying where the data came from.
        official: both files carry the course's fingerprints.
    """

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    description: str
    official: bool

    @property
    def fingerprint(self):
        """sha256 of the four arrays' dtypes, shapes and bytes: the answer-key cache's data key."""
        digest = hashlib.sha256()
        for array in (self.train_x, self.train_y, self.test_x, self.test_y):
            digest.update(str((array.dtype.str, array.shape)).encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()

    def columns(self):
        """The 2018 notebook's preprocessing: X (12288, m) float64 /255, Y (6, m) one-hot, for both splits."""
        return (
            flatten_images(self.train_x),
            convert_to_one_hot(self.train_y, 6),
            flatten_images(self.test_x),
            convert_to_one_hot(self.test_y, 6),
        )


def load_grading_data(data_dir=None):
    """Resolve and load the data (tfsigns.data's order; the embedded default when nothing is found).

    Raises:
        tfsigns.errors.DataError: a named folder or file is missing or invalid.
    """
    from tfsigns import data

    source = data.resolve_data_dir(data_dir)
    train_x, train_y, test_x, test_y, _ = data.load_dataset(source=source)
    return GradingData(train_x, train_y, test_x, test_y, source.describe(), source.official)
