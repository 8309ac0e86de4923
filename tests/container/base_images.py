"""Print the base images the template's Dockerfile names, for every Python the questionnaire
offers: what `tests/container/setup.sh` must provide before the container tier builds."""

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def qualified(image: str) -> str:
    """The full name an engine resolves a short one to (Docker Hub's library by default)."""
    registry, slash, _ = image.partition("/")
    if not slash:
        return f"docker.io/library/{image}"
    if "." in registry or ":" in registry or registry == "localhost":
        return image
    return f"docker.io/{image}"


def main() -> None:
    questions = yaml.safe_load((ROOT / "copier.yml").read_text())
    pythons = [str(v) for v in questions["python_version"]["choices"].values()]
    dockerfile = (ROOT / "template" / "Dockerfile.jinja").read_text()
    names = re.findall(r"^FROM (\S+)|--from=(\S+)", dockerfile, flags=re.MULTILINE)
    images: list[str] = []
    for name in (a or b for a, b in names):
        if "/" not in name and ":" not in name:  # a stage of this Dockerfile
            continue
        for python in pythons:
            images.append(qualified(name.replace("${PYTHON_VERSION}", python)))
    sys.stdout.write(" ".join(dict.fromkeys(images)) + "\n")


if __name__ == "__main__":
    main()
