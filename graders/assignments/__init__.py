"""The assignments the grader knows: every package under graders/assignments/ that exposes `ASSIGNMENT`.

    from graders import assignments
    assignments.names()                    # ("tf1_tutorial", ...)
    assignments.get("tf1_tutorial")        # its `Assignment`
    assignments.recognise(program)         # (Assignment, Recognition): highest score wins

Adding an assignment is adding one package here (see `base.py` and
tf1_tutorial): it is found by looking, not by a list. Nothing is imported
until asked for: inside the sandbox only the child's own package is staged
and its `__init__.py` is imported as the parent of its child module.
"""
import importlib
import pkgutil

from graders.assignments.base import Assignment, Recognition

AUTO = "auto"
DEFAULT = "tf1_tutorial"  # what a submission that looks like no assignment is graded as

_registry = None


def package_names():
    """The names of the packages under graders/assignments/ (nothing imported), sorted."""
    return tuple(sorted(info.name for info in pkgutil.iter_modules(__path__) if info.ispkg))


def discover():
    """{name: Assignment} of every package's `ASSIGNMENT`, sorted by name; refreshes the registry.

    Raises:
        AttributeError: a package exposes no ASSIGNMENT.
        TypeError: a package's ASSIGNMENT is not an `Assignment`, or is misdeclared.
    """
    global _registry
    found = {}
    owners = {}
    for package in package_names():
        module = importlib.import_module(f"{__name__}.{package}")
        assignment = module.ASSIGNMENT  # every package here is an assignment: one without it is an error, not skipped
        _validate(package, assignment)
        for edition in assignment.editions:
            if edition in owners or edition == AUTO:
                raise TypeError(f"graders.assignments.{package}: edition {edition!r} is also {owners.get(edition, 'the word auto')}'s")
            owners[edition] = package
        found[package] = assignment
    _registry = found
    return found


def _validate(package, assignment):
    where = f"graders.assignments.{package}.ASSIGNMENT"
    if not isinstance(assignment, Assignment):
        raise TypeError(f"{where}: expected an instance of graders.assignments.base.Assignment, received {type(assignment).__name__}")
    if assignment.name != package:
        raise TypeError(f"{where}: name should be the package's, {package!r}, received {assignment.name!r}")
    if not assignment.editions or assignment.default_edition not in assignment.editions:
        raise TypeError(f"{where}: default_edition {assignment.default_edition!r} is not one of its editions {assignment.editions!r}")
    if not assignment.child_module.startswith(f"{__name__}.{package}."):
        raise TypeError(f"{where}: child_module should be a module of its own package, received {assignment.child_module!r}")
    for check in assignment.checks:
        if check.call not in assignment.calls:
            raise TypeError(f"{where}: check {check.name!r} names call {check.call!r}, which is not in its calls")


def registry():
    """{name: Assignment}, discovered on first use."""
    return _registry if _registry is not None else discover()


def __getattr__(name):
    if name == "ASSIGNMENTS":
        return registry()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def names():
    return tuple(registry())


def get(name):
    """The `Assignment` called `name`.

    Raises:
        ValueError: no such assignment (the message lists them).
    """
    found = registry().get(name)
    if found is None:
        raise ValueError(f"--assignment: expected {AUTO} or one of {', '.join(names())}, received {name!r}")
    return found


def default():
    return get(DEFAULT) if DEFAULT in registry() else next(iter(registry().values()))


def all_editions():
    return tuple(edition for assignment in registry().values() for edition in assignment.editions)


def owner(edition):
    """The assignment whose edition `edition` is, or None."""
    return next((assignment for assignment in registry().values() if edition in assignment.editions), None)


def recognise(program):
    """(Assignment, Recognition) that `program` looks most like: the highest score; the default when all score 0.

    Ties go to the earlier name. `program` None (the bundled reference) is the default assignment's.
    """
    default_assignment = default()
    if program is None:
        return default_assignment, Recognition(0, "tfsigns' bundled reference")
    best, best_recognition = default_assignment, Recognition(0, "")
    for assignment in registry().values():
        recognition = assignment.recognise(program)
        if recognition.score > best_recognition.score:
            best, best_recognition = assignment, recognition
    return best, best_recognition


def request_problem(assignment, edition):
    """Why `--assignment assignment --edition edition` cannot be graded (one line), or ""."""
    if assignment != AUTO and assignment not in registry():
        return f"--assignment: expected {AUTO} or one of {', '.join(names())}, received {assignment!r}"
    if edition == AUTO:
        return ""
    if assignment != AUTO:
        chosen = get(assignment)
        if edition not in chosen.editions:
            return f"--edition: expected {AUTO} or an edition of {chosen.name} ({', '.join(chosen.editions)}), received {edition!r}"
        return ""
    if owner(edition) is None:
        listed = "; ".join(f"{a.name}: {', '.join(a.editions)}" for a in registry().values())
        return f"--edition: expected {AUTO} or an edition of an assignment ({listed}), received {edition!r}"
    return ""


def choose(requested_assignment, requested_edition, program):
    """The `Assignment` to grade `program` as: the named one; else the one whose edition was asked for; else `recognise`'s."""
    if requested_assignment != AUTO:
        return get(requested_assignment)
    if requested_edition != AUTO and owner(requested_edition) is not None:
        return owner(requested_edition)
    return recognise(program)[0]


def listing():
    """The `--list-assignments` lines: name, editions, title."""
    rows = [(a.name, ", ".join(a.editions), a.title) for a in registry().values()]
    name_width = max(len(row[0]) for row in rows)
    editions_width = max(len(row[1]) for row in rows)
    return [f"{name:<{name_width}}  {editions:<{editions_width}}  {title}" for name, editions, title in rows]
