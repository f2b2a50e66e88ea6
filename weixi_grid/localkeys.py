"""Keys for the embedded default, generated once and kept outside version control.

Production never reaches this module: it must receive every secret from the environment.
"""

import json
import os
import secrets
from base64 import urlsafe_b64encode
from pathlib import Path


def load_or_create(path: Path) -> dict:
    """Return the local secrets in ``path``, creating the file (mode 0600) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ID_HASH_KEY": secrets.token_urlsafe(32),
            # A Fernet key is 32 random bytes, url-safe base64 encoded.
            "ID_ENCRYPTION_KEY": urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
        }
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        tmp.chmod(0o600)
        # link() refuses to overwrite: when two processes start at once, the first key set wins
        # and both read it back below.
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return json.loads(path.read_text(encoding="utf-8"))
