"""The progress line: drawn only on a terminal, never mixed into the notebook's lines."""
import io

from tfsigns import progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(capsys):
    stream = io.StringIO()  # isatty() is False, as for a pipe or a file
    bar = progress.Progress(10, stream=stream)
    for epoch in range(10):
        bar.update(epoch, 1.0)
    bar.print("Cost after epoch 0: 1.848045")
    bar.clear()
    assert stream.getvalue() == ""
    assert capsys.readouterr().out == "Cost after epoch 0: 1.848045\n"


def test_quiet_draws_nothing_even_on_a_terminal():
    stream = Terminal()
    bar = progress.Progress(10, enabled=False, stream=stream)
    bar.update(9, 1.0)
    assert stream.getvalue() == ""


def test_terminal_shows_epochs_cost_and_time_left(monkeypatch):
    clock = iter([0.0, 1.0, 30.0])  # started, first update, last update
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    stream = Terminal()
    bar = progress.Progress(300, stream=stream)
    bar.update(9, 1.2345678)  # 10 epochs in 1 s: 29 s left
    assert stream.getvalue() == "\r\033[Kepoch 10/300  cost 1.234568  29s left"
    bar.update(149, 0.5)  # 150 epochs in 30 s: 30 s left
    assert stream.getvalue().endswith("\r\033[Kepoch 150/300  cost 0.500000  30s left")


def test_printed_line_clears_the_progress_line_first(monkeypatch, capsys):
    stream = Terminal()
    bar = progress.Progress(5, stream=stream)
    bar.update(0, 1.0)
    bar.print("Cost after epoch 0: 1.000000")
    assert stream.getvalue().endswith("\r\033[K")
    assert capsys.readouterr().out == "Cost after epoch 0: 1.000000\n"  # the notebook's line, intact


def test_redraws_are_throttled_but_the_last_epoch_is_always_drawn(monkeypatch):
    monkeypatch.setattr(progress.time, "monotonic", lambda: 5.0)  # no time passes
    stream = Terminal()
    bar = progress.Progress(3, stream=stream)
    for epoch in range(3):
        bar.update(epoch, 0.1)
    assert stream.getvalue().count("\r\033[K") == 2  # the first draw, and the last epoch
    assert stream.getvalue().endswith("epoch 3/3  cost 0.100000  0s left")


def test_time_left_in_minutes():
    assert progress._clock(125.4) == "2m 05s"
    assert progress._clock(59.6) == "1m 00s"
    assert progress._clock(7) == "7s"
