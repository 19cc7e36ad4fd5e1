import os
import sys
import tempfile
from pathlib import Path

# The helpers in tests/ (expectations.py) import as plain modules.
sys.path.insert(0, str(Path(__file__).parent))

# The cache's key lives in the user cache folder (backlint/cache_key.py): the tests, and the
# backlint processes they start, use a private one instead of the real ~/.cache.
_USER_CACHE = tempfile.TemporaryDirectory(prefix="backlint-tests-user-cache-")
os.environ["XDG_CACHE_HOME"] = _USER_CACHE.name
