"""The stack manager runs before the venv exists (`make install` creates it), so stack/*.py imports
only the standard library and its own modules. gunicorn.conf.py is read by gunicorn, in the venv."""
import ast
import sys
from pathlib import Path

STACK = Path(__file__).resolve().parents[2] / "stack"


def test_the_stack_manager_imports_only_the_standard_library_and_itself():
    outside = {}
    for path in STACK.glob("*.py"):
        if path.name == "gunicorn.conf.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            for name in names:
                top = name.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in ("stack", "__future__"):
                    outside.setdefault(path.name, []).append(name)
    assert not outside
