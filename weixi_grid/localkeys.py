"""Keys for the embedded default, generated once and kept outside version control.

Production never reaches this module: it must receive every secret from the environment.
"""

import json
import os
import secrets
from base64 import urlsafe_b64encode
from pathlib import Path


def _new_keys() -> dict:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ID_HASH_KEY": secrets.token_urlsafe(32),
        # A Fernet key is 32 random bytes, url-safe base64 encoded.
        "ID_ENCRYPTION_KEY": urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
        "AUDIT_CHAIN_KEY": secrets.token_urlsafe(32),
    }


def load_or_create(path: Path) -> dict:
    """Return the local secrets in ``path``, creating the file (mode 0600) on first use.

    A file written before a key was added gets the new key appended (the others are kept).
    """
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        missing = {k: v for k, v in _new_keys().items() if k not in data}
        if not missing:
            return data
        data.update(missing)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        tmp.chmod(0o600)
        os.replace(tmp, path)
        return json.loads(path.read_text(encoding="utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    data = _new_keys()
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
