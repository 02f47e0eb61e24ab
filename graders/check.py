"""Grading one function from inside a notebook: `check(linear_function)`.

    from graders import check
    check(linear_function)

prints the grader's report for that one function (its checks, points, the
staged reasons and hints), as the course's test cells printed their results.
The function is graded exactly as `python -m graders NOTEBOOK --only NAME`
would grade it: sandboxed, by `graders.grading`'s own API, with the same
checks, hints and edition auto-detection. Nothing of the learner's runs in
this process.

The submission is rebuilt from the notebook's state, since a kernel does not
know its own .ipynb file: the function's source (`inspect.getsource`, which
IPython makes work by keeping every cell's source in `linecache`), placed at
the line numbers it has in its cell so that "raised X at line N" points into
that cell; the notebook's top-level imports (IPython's `In` history, else
imports rebuilt from the modules and imported functions it references); the
simple global values (numbers, strings, tuples...) the functions reference;
and the notebook's other functions, so the edition is read from its model()
as the full grader reads it. That text is written to a temporary .py file and
graded with `only=(NAME,)`.

Which names are graded comes from the grading tables (`graders.grading.prepare`),
not from here, so this module holds nothing specific to one assignment.
"""
import ast
import inspect
import sys
import tempfile
import textwrap
import types
from pathlib import Path

from graders import assignments, grading
from graders.report import write_text

_LITERAL_LIMIT = 10_000  # characters of repr() above which a global is not copied (a data array)


class CheckError(ValueError):
    """`check()` cannot grade what it was given: one line for the learner."""


def check(function, *, edition="auto", data_dir=None, timeout=None, stream=None):
    """Grade one graded function of the running notebook and print its report.

    Args:
        function: the function object (e.g. `linear_function`), defined in a
            notebook cell or a file whose source can be read.
        edition: "auto" (read from the notebook's model(), as the full
            grader does), or an edition name to force it.
        data_dir: data folder for model(); None: tfsigns.data's search order.
        timeout: seconds per call, as `--timeout`; None: the defaults.
        stream: where the report goes; None: stdout.

    Returns:
        None: it prints (a `Results` would be echoed by Jupyter); use
        `grade_function` for the results object.
    """
    stream = sys.stdout if stream is None else stream
    try:
        results = grade_function(function, grading.Options(edition=edition, data_dir=data_dir, timeout=timeout))
    except CheckError as error:
        # One line, not a traceback: the learner's mistake is calling it on the wrong thing.
        stream.write(f"check: {error}\n")
        stream.flush()
        return None
    write_text(results, stream)
    return None


def grade_function(function, options=grading.Options()):
    """Grade `function` alone (options.only is replaced by its name) and return the `Results`.

    Raises:
        CheckError: not a function, not a graded one, or its source cannot be read.
    """
    if not isinstance(function, types.FunctionType):
        raise CheckError(
            f"expected a graded function (e.g. check(linear_function)), received {_describe(function)}"
        )
    name = function.__name__
    known = assignments.all_editions()
    if options.edition not in known + (assignments.AUTO,):
        # grade() would report it as its error; it is the caller's argument
        raise CheckError(f"edition: expected {', '.join(known)} or {assignments.AUTO}, received {options.edition!r}")
    problem = assignments.request_problem(options.assignment, options.edition)
    if problem:
        raise CheckError(problem.lstrip("-"))
    options = grading.Options(
        assignment=options.assignment,
        edition=options.edition,
        data_dir=options.data_dir,
        timeout=options.timeout,
        only=(name,),
        memory_mb=options.memory_mb,
        budget=options.budget,
    )
    try:
        prepared = grading.prepare(options)
    except ValueError as error:  # the tables' own message: "not a graded function: x (graded: ...)"
        raise CheckError(f"{name}: {error}") from None
    except grading.GradingError as error:
        raise CheckError(f"{name}: cannot grade here: {error}") from None
    source = submission_source(function)
    try:
        with tempfile.TemporaryDirectory(prefix="graders-check-") as folder:
            path = Path(folder) / f"{name}.py"
            path.write_text(source, encoding="utf-8")
            results = grading.grade(path, options, prepared)
    finally:
        prepared.join()  # no TensorFlow work of the answer key left running in the kernel
    results.submission = f"{name}() from this notebook"
    return results


def submission_source(function):
    """The .py text `grade_function` grades for `function` (see the module docstring).

    Raises:
        CheckError: the function's source cannot be read.
    """
    namespace = function.__globals__
    target = _source(function)
    if target is None:
        raise CheckError(
            f"{function.__name__}: its source cannot be read (define it in a notebook cell or a .py file, "
            "not with exec() or in a plain python prompt)"
        )
    imports, bound = _history_imports(namespace)
    functions = _notebook_functions(namespace, function)
    referenced = _referenced_names([function] + [item for _, item, _ in functions])
    carried, values = [], []
    for name in sorted(referenced):
        if name in bound or name not in namespace or name == function.__name__:
            continue
        line = _import_line(name, namespace[name])
        if line:
            carried.append(line)
            continue
        literal = _literal(namespace[name])
        if literal is not None and not any(name == other for other, _, _ in functions):
            values.append(f"{name} = {literal}")

    target_text = textwrap.dedent(target).rstrip() + "\n"
    first_line = function.__code__.co_firstlineno
    rest = []
    if imports or carried:
        rest += ["# the notebook's imports"] + imports + carried
    if values:
        rest += ["# the notebook's global values the functions use"] + values
    for name, item, text in functions:
        rest += [f"# {name}, as defined in the notebook", textwrap.dedent(text).rstrip()]
        if item.__name__ != name:
            rest.append(f"{name} = {item.__name__}")
    rest_text = "\n".join(rest) + "\n" if rest else ""
    if _safe_first(target_text):
        # Its definition first, on its own cell's line numbers: the report's "line N" is the cell's line N.
        # The imports after it are in place before any call (a body looks names up when it runs).
        return "\n" * max(first_line - 1, 0) + target_text + "\n" + rest_text
    # A decorator or a default value needs the imports before the def runs.
    return rest_text + "\n" + target_text


def _describe(value):
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _source(function):
    """The function's source, or None (defined by exec, in a prompt, or in C)."""
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return None


def _safe_first(text):
    """True when the def can run before the imports: no decorator, only literal default values."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    node = tree.body[0] if tree.body else None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.decorator_list:
        return False
    defaults = node.args.defaults + [value for value in node.args.kw_defaults if value is not None]
    return all(isinstance(value, ast.Constant) for value in defaults)


def _history_imports(namespace):
    """(import lines, names they bind) from IPython's `In` history, in order, without repeats.

    `In` is in the notebook's globals (IPython puts it there); outside IPython it is absent.
    """
    history = namespace.get("In")
    if not isinstance(history, list):
        shell = _ipython_shell()
        history = shell.user_ns.get("In") if shell is not None else None
    lines, bound = [], set()
    for cell in history if isinstance(history, list) else ():
        if not isinstance(cell, str):
            continue
        try:
            tree = ast.parse(cell)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # a cell that does not parse imports nothing
        for node in tree.body:
            if not isinstance(node, (ast.Import, ast.ImportFrom)) or _imports_the_grader(node):
                continue
            line = ast.unparse(node)
            if line not in lines:
                lines.append(line)
            for alias in node.names:
                if alias.name != "*":
                    bound.add(alias.asname or alias.name.split(".")[0])
    return lines, bound


def _imports_the_grader(node):
    """`from graders import check`: the grader is not in the sandbox's view, and the graded code never needs it."""
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and (node.module or "").split(".")[0] == "graders"
    return any(alias.name.split(".")[0] == "graders" for alias in node.names)


def _ipython_shell():
    """The running IPython shell, if IPython is already imported (never imported here)."""
    module = sys.modules.get("IPython")
    getter = getattr(module, "get_ipython", None)
    try:
        return getter() if getter else None
    except Exception:  # an IPython we do not know: no history, the globals still work
        return None


def _notebook_functions(namespace, target):
    """[(global name, function, source)] of the functions defined in the notebook, but the target."""
    found = []
    for name, value in list(namespace.items()):
        if name.startswith("_") or not isinstance(value, types.FunctionType):
            continue
        if value is target or value.__name__ == target.__name__ or name == target.__name__:
            continue
        if value.__globals__ is not namespace:
            continue  # imported from a module: an import line carries it
        text = _source(value)
        if text is not None:
            found.append((name, value, text))
    return found


def _referenced_names(functions):
    """Global names the functions' code (nested code included) may look up."""
    names = set()
    stack = [item.__code__ for item in functions]
    while stack:
        code = stack.pop()
        names.update(code.co_names)
        stack.extend(const for const in code.co_consts if isinstance(const, types.CodeType))
    return names


def _import_line(name, value):
    """An import that binds `name` to `value` again, or "" (not a module or a module's object)."""
    if isinstance(value, types.ModuleType):
        module = value.__name__
        if module == name:
            return f"import {module}"
        return f"import {module} as {name}"
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "." in qualname or "<" in qualname:
        return ""
    if module in ("__main__", "builtins") or module.startswith("<") or module not in sys.modules:
        return ""
    if getattr(sys.modules[module], qualname, None) is not value:
        return ""
    return f"from {module} import {qualname}" + ("" if qualname == name else f" as {name}")


def _literal(value):
    """repr(value) when it reads back as the same plain value (numbers, strings, tuples of them...), else None."""
    if not isinstance(value, (bool, int, float, complex, str, bytes, tuple, list, dict, set, type(None))):
        return None
    try:
        text = repr(value)
    except Exception:
        return None
    if len(text) > _LITERAL_LIMIT:
        return None
    try:
        return text if ast.literal_eval(text) == value else None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


class _CallableModule(types.ModuleType):
    """`graders.check` itself calls `check`: once this module is imported, the import
    system sets the package attribute `graders.check` to the module, so
    `from graders import check; check(f)` must work whichever of the two it gets."""

    def __call__(self, *args, **kwargs):
        return check(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["check", "grade_function", "submission_source", "CheckError"]
