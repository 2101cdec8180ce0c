"""Prepare the instance folder of a deployment: the folder itself and a random secret key."""

import os
import secrets
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def instance_path() -> Path:
    return Path(os.environ.get("CONSULT_INSTANCE_PATH", REPOSITORY / "instance")).resolve()


def ensure_secret_key(folder: Path) -> Path:
    """Write a random secret key once; an existing key is never replaced (sessions would break)."""
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "secret_key"
    if not key_file.exists():
        # Created with owner-only permissions before any byte is written.
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return key_file


if __name__ == "__main__":
    path = ensure_secret_key(instance_path())
    sys.stdout.write(f"instance ready: {path.parent}\n")
