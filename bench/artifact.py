"""The built artifact that part 1 imports: the common layer as `sam build` makes it (the same
`build-CommonLayer` target of layers/common/Makefile), for this machine's CPU instead of arm64,
since the layer's compiled wheels (argon2-cffi, cryptography, pydantic-core) would not load here;
beside it, what Lambda provides itself: the Powertools layer and the runtime's boto3, installed
for python3.13 at the versions the tests pin and compiled the same way; and each function's code
as sam build copies it. The children run it with python3.13 and write no bytecode, as Lambda's
read-only /opt and /var/task do not let them."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from local.template import ROOT, functions

# What the Powertools layer and the Lambda runtime carry (their versions: requirements-dev.txt).
PROVIDED = ("aws-lambda-powertools", "pydantic", "boto3")


@dataclass(frozen=True)
class Artifact:
    python: str  # python3.13, the Lambda runtime's interpreter
    layers: tuple[Path, ...]  # in Lambda's sys.path order: /opt/python (both layers), then /var/runtime
    functions: Path  # one directory per function, as /var/task

    def code_dir(self, name: str) -> Path:
        return self.functions / name

    @property
    def layer_path(self) -> str:
        return os.pathsep.join(str(path) for path in self.layers)


def python313() -> str:
    """The interpreter the Makefile's `build` target finds: python3.13 on PATH, else pyenv's."""
    found = shutil.which("python3.13")
    if found and subprocess.run([found, "-V"], capture_output=True, check=False).returncode == 0:
        return found
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False).stdout.strip()
    candidates = sorted(Path(root).glob("versions/3.13*/bin/python3.13")) if root else []
    if not candidates:
        raise RuntimeError("part 1 needs python3.13 (the Lambda runtime's), e.g. `pyenv install 3.13`")
    return str(candidates[-1])


def _pins() -> list[str]:
    text = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    pins = []
    for name in PROVIDED:
        match = re.search(rf"^{re.escape(name)}(\[[^\]]*\])?==\S+", text, re.MULTILINE)
        if match is None:
            raise RuntimeError(f"requirements-dev.txt pins no {name}")
        pins.append(match.group(0))
    return pins


def build(into: Path) -> Artifact:
    python = python313()
    wheels = f"manylinux2014_{platform.machine()}"
    layer = into / "layer"
    subprocess.run(["make", "--no-print-directory", "-C", str(ROOT / "layers" / "common"), "build-CommonLayer",
                    f"ARTIFACTS_DIR={layer}", f"PLATFORM={wheels}", f"PYTHON={python}"],
                   check=True, capture_output=True, text=True)
    provided = into / "provided"
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--root-user-action=ignore", "--no-compile", "--platform", wheels, "--only-binary=:all:",
                    "--python-version", "3.13", "--implementation", "cp", "--target", str(provided), *_pins()],
                   check=True, capture_output=True, text=True)
    subprocess.run([python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "checked-hash",
                    str(provided)], check=True, capture_output=True, text=True)
    code = into / "functions"
    for function in functions():
        shutil.copytree(function.code_dir, code / function.name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return Artifact(python, (layer / "python", provided), code)
