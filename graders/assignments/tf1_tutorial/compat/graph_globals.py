"""Top-level TensorFlow objects a graded function uses, made again in the graph of each call.

A 2018 notebook's first cells build graph objects at the top level
(`init = tf.global_variables_initializer()`, `sess = tf.Session()`,
`x = tf.placeholder(...)`), and learners' graded functions use them:
`sess.run(init)` in linear_function. The grader runs none of the top-level
calls (`graders.submission`), and calls each graded function in a fresh
default graph, where objects of the load-time graph would be dead anyway.

So, for each call: the top-level assignments of TensorFlow values that come
before the function's definition in the source (cells in order) run again,
in source order, in the call's fresh graph, when the function (or a helper
it calls) reads one of the names they bind; the names are bound back after
the call and the sessions they opened are closed.

Which statements: an assignment to names whose value is made by TensorFlow
calls only, each call a dotted name rooted at a TensorFlow module of the
submission (`tf.constant(36)`, `tf.Variable((y - y_hat) ** 2)`,
`tf.contrib.layers.xavier_initializer(seed=1)`), or operators on names
that give a graph object (`c = a * b`); no lambdas, comprehensions, calls
of anything else (`load_dataset()`, `model(...)`, `sess.run(c)`, `np.*`),
so training runs and file reads at the top level never run. A statement
that raises is skipped (the name stays unbound), as a failed cell would
have left it. A later definition of the same name at the top level before
the function shadows the statement, and names that hold a function, class
or module are never rebound.

Nothing here widens what a submission can do: the statements are the
submission's own code, run in the child, inside the call (its time limit
and memory limit), as the graded function itself could run them.
"""
import ast
import types

from graders.submission import UNPARSABLE, kept_statements

_MISSING = object()
_NOT_ALLOWED = (
    ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
    ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom,
)


class Statement:
    """One top-level assignment to re-run: where it is, what it binds, what it calls.

    Attributes:
        position: (unit index, line) in the submission.
        targets: the assignment's targets (ast Name / Tuple / List nodes).
        names: every name the targets bind.
        roots: the names the value's calls start from (must be TensorFlow modules).
        calls: whether the value calls anything.
        code: the value compiled as an expression.
    """

    def __init__(self, position, targets, value, filename):
        self.position = position
        self.targets = targets
        self.names = {name for target in targets for name in _target_names(target)}
        self.roots, self.calls = set(), False
        for node in ast.walk(value):
            if isinstance(node, ast.Call):
                self.calls = True
                self.roots.add(_dotted_root(node.func))
        self.code = compile(ast.Expression(body=value), filename, "eval")


def _dotted_root(node):
    """The Name a dotted name `a.b.c` starts from ("" when the call is on something else)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _target_names(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _target_names(element)]
    return []


def _simple_targets(targets):
    return all(isinstance(target, ast.Name) or (isinstance(target, (ast.Tuple, ast.List)) and _simple_targets(target.elts)) for target in targets)


def candidate(node, position, filename):
    """A `Statement` when `node` is a top-level assignment of the kind re-run, else None."""
    if isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        targets, value = [node.target], node.value
    else:
        return None
    if not _simple_targets(targets):
        return None
    for inner in ast.walk(value):
        if isinstance(inner, _NOT_ALLOWED):
            return None
        if isinstance(inner, ast.Call) and not _dotted_root(inner.func):
            return None  # a call on a call's result: tf.Session().run(...), tf.train.AdamOptimizer(...).minimize(...)
    try:
        return Statement(position, targets, value, filename)
    except UNPARSABLE:  # e.g. an expression nested too deeply to compile: leave it out
        return None


def _bound_names(node):
    """Names a kept top-level statement binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Import):
        return [alias.asname or alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return [alias.asname or alias.name for alias in node.names]
    if isinstance(node, ast.Assign):
        return [name for target in node.targets for name in _target_names(target)]
    if isinstance(node, ast.AnnAssign):
        return _target_names(node.target)
    if isinstance(node, ast.Try):
        inner = node.body + node.orelse + node.finalbody + [n for handler in node.handlers for n in handler.body]
        return [name for statement in inner for name in _bound_names(statement)]
    return []


def _code_names(code, seen):
    """The global (and attribute) names a code object and the code nested in it read."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType) and constant not in seen:
            seen.add(constant)
            names |= _code_names(constant, seen)
    return names


def is_tensorflow(value):
    """Whether `value` is the submission's TensorFlow module (the TF1 shim) or one of TensorFlow's own modules."""
    name = getattr(value, "__name__", "") if isinstance(value, types.ModuleType) else ""
    return isinstance(name, str) and (name == "tensorflow" or name.startswith("tensorflow."))


def is_graph_object(value):
    """Tensors, operations, variables and sessions (or a tuple / list of them)."""
    from tfsigns._tf import import_tensorflow

    tf = import_tensorflow()
    if isinstance(value, (tuple, list)):
        return bool(value) and all(is_graph_object(item) for item in value)
    return isinstance(value, (tf.Tensor, tf.Operation, tf.Variable, tf.SparseTensor)) or is_session(value)


class GraphGlobals:
    """The re-runnable top-level statements of a loaded submission, and the wrapper that re-runs them.

    Args:
        program: the `graders.submission.Program` that was loaded.
        namespace: the submission's globals, as `run_program` left them.
    """

    def __init__(self, program, namespace):
        self.namespace = namespace
        self.units = {unit.filename: index for index, unit in enumerate(program.units)}
        self.statements = []  # candidates, in source order
        self.bindings = {}  # name -> positions of the kept top-level statements that bind it
        for index, unit in enumerate(program.units):
            try:
                tree = ast.parse(unit.source, unit.filename)
                body = list(tree.body)
                kept = kept_statements(tree.body)  # what run_program ran at load
            except UNPARSABLE:  # reported by the parent; this runs at load, and must not end it
                continue
            for node in kept:
                for name in _bound_names(node):
                    self.bindings.setdefault(name, []).append((index, node.lineno))
            kept_ids = {id(node) for node in kept}
            for node in body:
                found = None if id(node) in kept_ids else candidate(node, (index, node.lineno), unit.filename)
                if found is not None:
                    self.statements.append(found)
        self._plans = {}

    def plan(self, function):
        """The statements to re-run before `function`, in source order (empty: call it as it is)."""
        code = getattr(function, "__code__", None)
        if code is None or not self.statements:
            return []
        if code in self._plans:
            return self._plans[code]
        where = (self.units.get(code.co_filename, len(self.units)), code.co_firstlineno)
        names = self._names(function)
        before = [
            statement for statement in self.statements
            if statement.position < where and all(is_tensorflow(self.namespace.get(root)) for root in statement.roots)
        ]
        wanted = {name for statement in before for name in statement.names} & names
        plan = []
        if wanted:
            for statement in before:
                shadowed = any(
                    statement.position < bound < where for name in statement.names for bound in self.bindings.get(name, ())
                )
                if not shadowed:
                    plan.append(statement)
        self._plans[code] = plan
        return plan

    def _names(self, function):
        """Names `function` reads, and those its top-level helpers read, transitively."""
        names, seen, pending = set(), set(), [function]
        while pending:
            current = pending.pop()
            code = current.__code__
            if code in seen:
                continue
            seen.add(code)
            read = _code_names(code, seen)
            names |= read
            for name in read:
                helper = self.namespace.get(name)
                if isinstance(helper, types.FunctionType) and helper.__globals__ is self.namespace:
                    pending.append(helper)
        return names

    def wrap(self, function):
        """`function`, or a function that re-runs its plan in the current default graph around calling it."""
        plan = self.plan(function)
        if not plan:
            return function

        def with_globals(*args, **kwargs):
            saved, made = {}, []
            try:
                for statement in plan:
                    self._run(statement, saved, made)
                return function(*args, **kwargs)
            finally:
                for session in made:
                    session.close()
                for name, value in saved.items():
                    if value is _MISSING:
                        self.namespace.pop(name, None)
                    else:
                        self.namespace[name] = value

        return with_globals

    def _run(self, statement, saved, made):
        namespace = self.namespace
        if not all(is_tensorflow(namespace.get(root)) for root in statement.roots):
            return
        if any(isinstance(namespace.get(name), (types.FunctionType, type, types.ModuleType)) for name in statement.names):
            return
        try:
            value = eval(statement.code, namespace)
        except Exception:
            return  # as the cell would have failed in the notebook: the names stay unbound
        if not statement.calls and not is_graph_object(value):
            return  # operators on names that give no graph object: not this module's business
        bound = {}
        try:
            for target in statement.targets:
                _bind(target, value, bound)
        except (TypeError, ValueError):
            return  # the value does not unpack into the targets
        for name, item in bound.items():
            saved.setdefault(name, namespace.get(name, _MISSING))
            namespace[name] = item
        made.extend(item for item in bound.values() if is_session(item))


def is_session(value):
    """A tf.Session or tf.InteractiveSession (the latter is no Session subclass)."""
    from tfsigns._tf import import_tensorflow

    v1 = import_tensorflow().compat.v1
    return isinstance(value, (v1.Session, v1.InteractiveSession))


def _bind(target, value, bound):
    if isinstance(target, ast.Name):
        bound[target.id] = value
        return
    items = list(value)
    if len(items) != len(target.elts):
        raise ValueError(f"{len(items)} values for {len(target.elts)} names")
    for element, item in zip(target.elts, items):
        _bind(element, item, bound)
