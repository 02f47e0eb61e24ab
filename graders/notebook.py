"""Jupyter notebooks as the grader reads them: code cells in order, magics and shell lines blanked.

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
    code_cells = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if not isinstance(source, str):
            source = ""
        code_cells.append((len(code_cells) + 1, python_lines(source)))
    return code_cells


def python_lines(source):
    """`source` with IPython-only lines blanked; a cell magic blanks the whole cell."""
    lines = source.split("\n")
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("%%"):
        return "\n" * (len(lines) - 1)
    return "\n".join("" if _IPYTHON_LINE.match(line) else line for line in lines)
