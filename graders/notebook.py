"""Jupyter notebooks as the grader reads them: code cells in order, magics and shell lines blanked; the text around them.

Only the JSON is read; nothing runs here. Line numbers inside a cell are kept
(a blanked line stays an empty line), so a message can say "code cell 7, line 3".
"""
import json
import re

# `%matplotlib inline`, `!pip install ...`, `?name`, `name?`: IPython, not Python.
_IPYTHON_LINE = re.compile(r"^\s*(%|!|\?)|^\s*[\w.]+\?\??\s*$")


class NotebookError(ValueError):
    """The file is not a readable notebook."""


def read_code_cells(text):
    """The code cells of a notebook, as Python source.

    Args:
        text: the .ipynb file's content.

    Returns:
        list of (number, source): number counts code cells from 1; a cell
        that is a cell magic (`%%bash`, `%%time`, ...) becomes empty source;
        IPython lines inside a cell become empty lines.

    Raises:
        NotebookError: not JSON, or not a notebook's structure.
    """
    return read_notebook(text)[0]


def read_notebook(text):
    """The code cells of a notebook, and the text around them.

    Args:
        text: the .ipynb file's content.

    Returns:
        (code_cells, texts): code_cells as `read_code_cells` gives them;
        texts: list of (label, text) of what is not code: each markdown
        cell ("markdown cell 3") and the saved outputs of each code cell
        ("output of code cell 7"). The grader reads them, never runs them
        (the edition's published numbers live there).

    Raises:
        NotebookError: not JSON, or not a notebook's structure.
    """
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"not a notebook: invalid JSON at line {error.lineno}") from None
    if not isinstance(notebook, dict):
        raise NotebookError("not a notebook: the JSON is not an object")
    cells = notebook.get("cells")
    if cells is None and isinstance(notebook.get("worksheets"), list):  # nbformat 3
        cells = [cell for sheet in notebook["worksheets"] if isinstance(sheet, dict) for cell in sheet.get("cells", [])]
    if not isinstance(cells, list):
        raise NotebookError("not a notebook: no list of cells")
    code_cells, texts = [], []
    markdown_count = 0
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        kind = cell.get("cell_type")
        if kind == "code":
            number = len(code_cells) + 1
            code_cells.append((number, python_lines(_joined(cell.get("source", cell.get("input", ""))))))
            output = "\n".join(_output_text(item) for item in cell.get("outputs") or [] if isinstance(item, dict))
            if output.strip():
                texts.append((f"output of code cell {number}", output))
        elif kind in ("markdown", "raw", "heading"):
            markdown_count += 1
            texts.append((f"markdown cell {markdown_count}", _joined(cell.get("source", ""))))
    return code_cells, texts


def nbgrader_cells(text):
    """The nbgrader identity of each cell that has one: ((label, grade_id, checksum), ...).

    The metadata survives a learner's edits of the cell (the course's
    template is recognised by it); label is "code cell 7" or "markdown cell 3".
    Reading only: a notebook that is not one gives ().
    """
    try:
        cells = json.loads(text).get("cells")
    except (json.JSONDecodeError, AttributeError):
        return ()
    found, counts = [], {"code": 0, "markdown": 0}
    for cell in cells if isinstance(cells, list) else ():
        if not isinstance(cell, dict):
            continue
        kind = "code" if cell.get("cell_type") == "code" else "markdown"
        counts[kind] += 1
        metadata = cell.get("metadata")
        nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        if isinstance(nbgrader, dict):
            grade_id, checksum = nbgrader.get("grade_id", ""), nbgrader.get("checksum", "")
            if isinstance(grade_id, str) and isinstance(checksum, str):
                found.append((f"{kind} cell {counts[kind]}", grade_id[:100], checksum[:64]))
    return tuple(found)


def _joined(source):
    """A cell's source or an output's text: a string, or a list of strings (nbformat's two spellings)."""
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


def _output_text(output):
    """The readable text of one saved output: a stream, a result's text/plain, an error's message."""
    if output.get("output_type") == "stream" or "text" in output:
        return _joined(output.get("text", ""))
    data = output.get("data")
    if isinstance(data, dict):
        return _joined(data.get("text/plain", ""))
    if output.get("output_type") in ("error", "pyerr"):
        return f"{_joined(output.get('ename', ''))}: {_joined(output.get('evalue', ''))}"
    return ""


def python_lines(source):
    """`source` with IPython-only lines blanked; a cell magic blanks the whole cell."""
    lines = source.split("\n")
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("%%"):
        return "\n" * (len(lines) - 1)
    return "\n".join("" if _IPYTHON_LINE.match(line) else line for line in lines)
