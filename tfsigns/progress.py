"""A one-line progress display for long training runs, on stderr.

Shown only when stderr is a terminal (and not `--quiet`); it never changes the
notebook's printed lines on stdout: `print` clears the progress line first.
"""
import sys
import time


class Progress:
    """Epochs done, current cost and time left, redrawn in place.

    Args:
        total_epochs: how many epochs the run has.
        enabled: draw at all. Defaults to: stderr is a terminal.
        stream: where to draw. Defaults to `sys.stderr`.
    """

    def __init__(self, total_epochs, enabled=None, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total_epochs = total_epochs
        self.started = time.monotonic()
        self._drawn = False
        self._last_draw = 0.0

    def update(self, epoch, cost):
        """Callback for `train(on_epoch=...)`: redraw at most ten times a second."""
        if not self.enabled:
            return
        done = epoch + 1
        now = time.monotonic()
        if done < self.total_epochs and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        elapsed = now - self.started
        left = elapsed / done * (self.total_epochs - done)
        self.stream.write(
            f"\r\033[Kepoch {done}/{self.total_epochs}  cost {cost:.6f}  {_clock(left)} left"
        )
        self.stream.flush()
        self._drawn = True

    def clear(self):
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False

    def print(self, line):
        """Print a line on stdout with the progress line cleared first."""
        self.clear()
        print(line, flush=True)


def _clock(seconds):
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"
