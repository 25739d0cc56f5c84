#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.12+.

    python3 dev.py serve   # install, migrate, load the demo report, serve on 127.0.0.1
    python3 dev.py test    # install with test tools, lint, run the whole test suite
    python3 dev.py bench   # install, then time the readers' pages under gunicorn (bench/pages.py)

Everything goes into ./.venv; installing is skipped while pyproject.toml is unchanged.
The accessibility and HTML checkers come from npm into ./node_modules when npm is here.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"


def run(*args: str | Path, env: dict | None = None) -> None:
    result = subprocess.run([str(arg) for arg in args], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def install(extra: str = "") -> None:
    if sys.version_info < (3, 12):
        sys.exit(f"Python 3.12 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extra.encode()).hexdigest()
    stamp = VENV / f".installed{extra or ''}"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    print("Installing dependencies ...", flush=True)
    target = f".[{extra}]" if extra else "."
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target)
    stamp.write_text(wanted)


def install_node_tools() -> None:
    """axe-core and the Nu HTML Checker for the tests, as pinned in package-lock.json."""
    npm = shutil.which("npm")
    if npm is None:
        print("npm is not installed: the accessibility and HTML checks will be skipped.")
        return
    wanted = hashlib.sha256((ROOT / "package-lock.json").read_bytes()).hexdigest()
    stamp = ROOT / "node_modules" / ".installed"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    print("Installing the test checkers from npm ...", flush=True)
    # --ignore-scripts: vnu-jar's install script would download a Java runtime; the
    # system's Java runs the checker, and nothing else needs an install script.
    run(npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
    stamp.write_text(wanted)


def serve() -> None:
    install()
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    run(PYTHON, "manage.py", "migrate", "--no-input", env=env)
    run(PYTHON, "manage.py", "load_demo", env=env)
    port = os.environ.get("PORT", "8000")
    print(f"\nServing on http://127.0.0.1:{port}/  (admin: http://127.0.0.1:{port}/admin/)\n")
    run(PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", env=env)


def test(pytest_args: list[str]) -> None:
    install("test")
    install_node_tools()
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(PYTHON, "-m", "pytest", *pytest_args)


def bench(args: list[str]) -> None:
    install()
    run(PYTHON, "bench/pages.py", *args)


def main() -> None:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "serve":
        serve()
    elif command == "test":
        test(rest)
    elif command == "bench":
        bench(rest)
    else:
        print(__doc__)
        sys.exit(0 if command == "help" else 2)


if __name__ == "__main__":
    main()
