"""PyInstaller runtime hook: make this OS's keyring backends visible before the app starts.

keyring finds its backends through entry-point metadata, which frozen builds are known
to lose ("No recommended backend" only in the bundle: jaraco/keyring #324, #399).  A
backend class registers itself when its module is imported, so importing them here makes
auto-detection work even without the metadata.  Nothing is forced: a user's own keyring
configuration (``PYTHON_KEYRING_BACKEND``, keyringrc.cfg) still wins.
"""

import contextlib
import importlib
import sys

if sys.platform == "win32":
    _BACKENDS = ("keyring.backends.Windows",)
elif sys.platform == "darwin":
    _BACKENDS = ("keyring.backends.macOS",)
else:
    _BACKENDS = ("keyring.backends.SecretService", "keyring.backends.libsecret")

for _name in (*_BACKENDS, "keyring.backends.chainer", "keyring.backends.fail"):
    # An optional one (libsecret needs GObject bindings) may be absent; selftest reports.
    with contextlib.suppress(ImportError):
        importlib.import_module(_name)
