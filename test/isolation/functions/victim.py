# Account B's victim (Python 3). It holds a secret in its environment (VICTIM_SECRET) and one in
# its code (the placeholder below is replaced per test run), keeps both in memory and in a file
# in its temp dir, and answers with a per-instance token (a warm instance answers with the same
# one) and its pid as it sees it. It never returns a secret.
import os
import secrets
import tempfile

CODE_SECRET = "__CODE_SECRET__"
TOKEN = secrets.token_hex(12)
KEPT = [CODE_SECRET, os.environ.get("VICTIM_SECRET", "")]


def main_handler(event, context):
    with open(os.path.join(tempfile.gettempdir(), "victim-secret.txt"), "w") as f:
        f.write("\n".join(KEPT))
    return {"token": TOKEN, "pid": os.getpid(), "holdsSecrets": all(KEPT)}


handler = main_handler
