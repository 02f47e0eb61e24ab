"""What a submission defines: its source cut into units, and the top-level statements worth running.

A learner's file or notebook holds more than the graded functions: loading
`datasets/*.h5` by relative path, a 1500-epoch `model(...)` call, `plt.show()`,
test cells, the old own-image cell whose SciPy functions no longer exist.
The grader runs none of that. From each unit's top level it keeps imports,
function and class definitions, and assignments of simple values (constants,
names, dotted names such as `v1 = tf.compat.v1`); `try` blocks are kept with
their bodies filtered the same way. Everything else (calls, loops, `with`
blocks, `if __name__ == "__main__":`) is dropped.

The parent parses (to report syntax errors without starting a process); the
child process filters and runs (`run_program`), one statement at a time, so a
failing statement costs only itself.
"""
import ast
from dataclasses import dataclass
from pathlib import Path

from graders import notebook

GRADED_MARKER = "# GRADED FUNCTION:"


@dataclass(frozen=True)
class Unit:
    """One piece of source: a whole .py file, or one notebook code cell.

    Attributes:
        label: how messages name it: "" for a .py file, "code cell 7" for a cell.
        filename: what its code is compiled as (tracebacks point there).
        source: the Python source.
        graded: the function named by a `# GRADED FUNCTION: name` line, if any.
    """

    label: str
    filename: str
    source: str
    graded: str = ""

    def where(self, line):
        """"line 12" or "code cell 7, line 3"."""
        return f"{self.label}, line {line}" if self.label else f"line {line}"


@dataclass(frozen=True)
class Program:
    """A submission cut into units, with the problems found by reading it.

    Attributes:
        kind: "py" or "ipynb".
        units: the units in order.
        syntax_errors: one message per unit that does not parse.
        fatal: why nothing at all can be loaded ("" when something can).
        texts: ((label, text), ...) read but never run: a notebook's
            markdown cells and saved outputs (a .py file's comments are in
            its unit's source).
        nbgrader: ((label, grade_id, checksum), ...) of a notebook's cells
            (`notebook.nbgrader_cells`): which template the cells came from.
    """

    kind: str
    units: tuple
    syntax_errors: tuple = ()
    fatal: str = ""
    texts: tuple = ()
    nbgrader: tuple = ()


def read_program(path):
    """Read a .py or .ipynb submission into a `Program` (nothing is run).

    Raises:
        ValueError: the suffix is neither .py nor .ipynb.
        OSError: the file cannot be read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".py", ".ipynb"):
        raise ValueError(f"{path}: expected a .py file or an .ipynb notebook")
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    texts = ()
    nbgrader = ()
    if suffix == ".py":
        units = (Unit("", f"<{path.name}>", text),)
        kind = "py"
    else:
        try:
            cells, texts = notebook.read_notebook(text)
        except notebook.NotebookError as error:
            return Program("ipynb", (), fatal=str(error))
        units = tuple(
            Unit(f"code cell {number}", f"<code cell {number}>", source, _graded_name(source))
            for number, source in cells
        )
        kind = "ipynb"
        nbgrader = notebook.nbgrader_cells(text)
    errors = tuple(message for message in (syntax_error(unit) for unit in units) if message)
    fatal = ""
    if kind == "py" and errors:
        fatal = errors[0]
    elif kind == "ipynb" and not units:
        fatal = "the notebook has no code cells"
    return Program(kind, units, errors, fatal, tuple(texts), nbgrader)


def _graded_name(source):
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.upper().startswith(GRADED_MARKER):
            name = stripped[len(GRADED_MARKER):].strip().split()
            return name[0] if name else ""
    return ""


# What ast.parse raises on a program it cannot parse: bad syntax, null bytes, too deep a tree.
UNPARSABLE = (SyntaxError, ValueError, RecursionError, MemoryError)


def syntax_error(unit):
    """A one-line description of the unit's syntax error, or "" when it parses."""
    try:
        ast.parse(unit.source, unit.filename)
    except SyntaxError as error:
        line = error.lineno or 1
        return f"{unit.where(line)}: {type(error).__name__}: {error.msg}"
    except ValueError as error:  # e.g. null bytes in the source
        return f"cannot parse {unit.label or 'the file'}: {error}"
    except (RecursionError, MemoryError) as error:  # a syntax tree thousands of levels deep
        return f"cannot parse {unit.label or 'the file'}: nested too deeply for Python's parser ({type(error).__name__})"
    return ""


# ---------------------------------------------------------------------------
# Which top-level statements run


def _simple_value(node):
    """Constants, names, dotted names, and containers or negations of them."""
    if isinstance(node, (ast.Constant, ast.Name)):
        return True
    if isinstance(node, ast.Attribute):
        return _simple_value(node.value)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_simple_value(element) for element in node.elts)
    if isinstance(node, ast.Dict):
        return all(key is not None and _simple_value(key) for key in node.keys) and all(
            _simple_value(value) for value in node.values
        )
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _simple_value(node.operand)
    return False


def _simple_target(node):
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_simple_target(element) for element in node.elts)
    return False


def kept_statements(body):
    """The statements of `body` (a list of ast nodes) that define things, filtered recursively."""
    kept = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            kept.append(node)
        elif isinstance(node, ast.Assign):
            if all(_simple_target(target) for target in node.targets) and _simple_value(node.value):
                kept.append(node)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None and _simple_target(node.target) and _simple_value(node.value):
                kept.append(node)
        elif isinstance(node, ast.Try):
            body_kept = kept_statements(node.body)
            if body_kept:
                node.body = body_kept
                for handler in node.handlers:
                    handler.body = kept_statements(handler.body) or [_pass(handler)]
                node.orelse = kept_statements(node.orelse)
                node.finalbody = kept_statements(node.finalbody)
                kept.append(node)
    return kept


def _pass(near):
    return ast.copy_location(ast.Pass(), near)


def run_program(program, namespace, on_error):
    """Run the kept statements of every unit into `namespace`, one statement at a time.

    A statement that raises is reported through `on_error(where, error)` and
    skipped; the next statement runs. A function from a `# GRADED FUNCTION:
    name` cell wins over a later definition of the same name elsewhere (a
    test cell that redefines it, say).

    Args:
        program: a `Program`.
        namespace: the dict the submission's names go into (holds `__builtins__`).
        on_error: callable `(where, error)`; `where` is e.g. "code cell 7, line 3".
    """
    graded = {}
    for unit in program.units:
        try:
            tree = ast.parse(unit.source, unit.filename)
        except UNPARSABLE:
            continue  # reported by the parent from `syntax_errors`
        for statement in kept_statements(tree.body):
            try:
                code = compile(ast.Module(body=[statement], type_ignores=[]), unit.filename, "exec")
                exec(code, namespace)
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # the learner's statement, sys.exit() included
                on_error(unit.where(_error_line(error, unit.filename, statement.lineno)), error)
        if unit.graded and unit.graded in namespace:
            graded[unit.graded] = namespace[unit.graded]
    namespace.update(graded)


def _error_line(error, filename, default):
    """The line of `filename` deepest in the error's traceback."""
    line = default
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == filename:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line
