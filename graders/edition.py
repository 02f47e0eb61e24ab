"""What every assignment's edition choice gives: a `Choice`, and the word `AUTO`.

Each assignment reads its own editions from a submission
(`Assignment.choose_edition`, e.g. graders.assignments.tf1_tutorial.edition);
the report's second line is `Edition: {edition} ({reason})`.
"""
from dataclasses import dataclass

from graders.assignments import AUTO  # noqa: F401  (declared once, with the registry the child can import)


@dataclass(frozen=True)
class Choice:
    """The edition a submission is graded as, and why.

    Attributes:
        edition: one of the assignment's editions, e.g. "v3" or "v3b".
        reason: one line for the report, e.g. "auto: code cell 23, line 41
            divides epoch_cost by minibatch_size (v3b's convention)".
    """

    edition: str
    reason: str
