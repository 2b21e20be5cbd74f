# Quiver Python child bootstrap. Control channel: newline-delimited JSON on fd 3 (a Unix
# socketpair made by the engine); stdout/stderr are separate pipes. Starts generic (a "stem
# cell"), is specialised once by a `load` message, then serves `inv` messages one at a time.
import importlib.util
import json
import os
import resource
import socket
import sys
import time
import traceback
from datetime import datetime, timezone

ctl = socket.socket(fileno=3)
rfile = ctl.makefile("rb")

state = {"load": None, "handler": None, "log": None, "logChars": 0}


def send(obj):
    ctl.sendall((json.dumps(obj) + "\n").encode())


class WriteOnlyStream:
    """What the interpreter's own stdout/stderr (text stream and `.buffer` alike) answer besides
    `write`: a write-only, unbuffered, non-tty stream on `self.fd`."""

    fd = -1

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def fileno(self):
        return self.fd

    def writable(self):
        return True

    def readable(self):
        return False

    def seekable(self):
        return False

    @property
    def closed(self):
        return False


class Tee(WriteOnlyStream):
    """sys.stdout / sys.stderr: a text stream that writes through to the real fd (kept by the
    engine for crash paths) and buffers the tail.

    It counts the bytes it writes: each result reports the totals, so that the engine can tell
    which call a byte belongs to when it reads it only after that call's result. Like the
    interpreter's own streams it takes only str (bytes go to `.buffer`), names its encoding,
    and has `writelines`, so code written for a real stdout runs unchanged."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, fd, name):
        self.fd = fd
        self.name = name
        self.written = 0
        self.buffer = TeeBuffer(self)

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not " + type(s).__name__)
        self.keep(s)
        self.out(s.encode("utf-8", "replace"))
        return len(s)

    def keep(self, s):
        log = state["log"]
        if log is None:
            return
        log.append(s)
        # Bounded as in the Node bootstrap: past twice the limit, keep only the last `limit`
        # characters, so a function that prints without end cannot grow this process.
        state["logChars"] += len(s)
        limit = state["load"]["logTailBytes"] if state["load"] else 4096
        if state["logChars"] > 2 * limit + 1024:
            kept = "".join(log)[-limit:]
            log[:] = [kept]
            state["logChars"] = len(kept)

    def out(self, data):
        while data:
            n = os.write(self.fd, data)
            self.written += n
            data = data[n:]


class TeeBuffer(WriteOnlyStream):
    """`sys.stdout.buffer`: bytes written through as they are, kept in the log as UTF-8 text."""

    def __init__(self, tee):
        self.tee = tee
        self.fd = tee.fd

    def write(self, b):
        if isinstance(b, str):
            raise TypeError("a bytes-like object is required, not 'str'")
        data = bytes(memoryview(b))
        self.tee.keep(data.decode("utf-8", "replace"))
        self.tee.out(data)
        return len(data)


# Kept here too: the counts are the bootstrap's, whatever the function does to sys.stdout.
STDOUT = sys.stdout = Tee(1, "<stdout>")
STDERR = sys.stderr = Tee(2, "<stderr>")


def written():
    return {"stdout": STDOUT.written, "stderr": STDERR.written}


def tail(parts, limit):
    b = "".join(parts).encode("utf-8", "replace")
    return b[-limit:].decode("utf-8", "replace") if len(b) > limit else b.decode("utf-8")


def clip(s):
    """s within the protocol's limit on error text, counted as the engine counts: UTF-16 units.

    A user's huge error message then stays that user's error instead of becoming an invalid
    control message."""
    limit = state["load"]["errorTextChars"]
    if len(s) * 2 <= limit:
        return s
    return s.encode("utf-16-le", "surrogatepass")[: 2 * limit].decode("utf-16-le", "ignore")


def wire(kind, message, stack=""):
    return {"kind": kind, "message": clip(message), "stack": clip(stack)}


def user_trace(e):
    """The traceback of e without Quiver's bootstrap and importlib frames above the user's."""
    tb = e.__traceback__
    while tb is not None and (tb.tb_frame.f_code.co_filename == __file__ or tb.tb_frame.f_code.co_filename.startswith("<frozen ")):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(e), e, tb))


def load_handler(m):
    handler = m["handler"]
    root = m["root"]
    dot = handler.rfind(".")
    if dot <= 0 or dot == len(handler) - 1:
        return None, wire("handler-not-found", 'invalid handler "%s": expected file.function' % handler)
    rel, fn = handler[:dot], handler[dot + 1:]
    path = os.path.normpath(os.path.join(root, rel + ".py"))
    if not path.startswith(root + os.sep):
        return None, wire("handler-not-found", "handler path escapes the code root: " + handler)
    if not os.path.isfile(path):
        return None, wire("handler-not-found", "handler file not found: %s.py" % rel)
    if root not in sys.path:
        sys.path.insert(0, root)
    name = rel.replace("/", ".")
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    except BaseException as e:  # noqa: BLE001 - user import errors of every kind are reported
        if isinstance(e, SystemExit):
            raise
        return None, wire("user-error", "%s: %s" % (type(e).__name__, e), user_trace(e))
    f = getattr(mod, fn, None)
    if not callable(f):
        return None, wire("handler-not-found", 'handler function "%s" is not defined in %s.py' % (fn, rel))
    return f, None


def on_load(m):
    state["load"] = m
    os.environ.clear()
    os.environ.update(m["env"])
    # Python reads PYTHONPATH once, at start; this process started before it knew its function
    # (whose layers PYTHONPATH names), so its entries go to the front of sys.path now, in order.
    for path in reversed([p for p in m["env"].get("PYTHONPATH", "").split(":") if p]):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.chdir(m["root"])
    state["log"] = []
    state["logChars"] = 0
    f, err = load_handler(m)
    state["log"] = None
    state["handler"] = f
    if err is None:
        rehearse_call()
    send({"t": "loaded", "err": err, **written()})


def rehearse_call():
    """Runs a made-up call through the same code as a real one, with a stand-in handler (the
    function's own never runs) and no answer sent, so that the first real call, a provisioned
    instance's above all, finds that code's lookups and caches warm and costs what the second does
    (as the Node bootstrap does). Nothing here is seen by the function or the engine."""
    m = json.loads(json.dumps({"t": "inv", "id": "rehearsal", "ev": '{"rehearsal": true}', "ctx": {}}))
    on_invoke(m, handler=lambda event, context: event, deliver=json.dumps)


class Logger:
    def __init__(self, rid):
        self.rid = rid

    def _line(self, level, args):
        now = datetime.now(timezone.utc).isoformat()
        sys.stdout.write("%s %s %s %s\n" % (now, self.rid, level, " ".join(str(a) for a in args)))

    def info(self, *a):
        self._line("INFO", a)

    def warn(self, *a):
        self._line("WARN", a)

    warning = warn

    def error(self, *a):
        self._line("ERROR", a)

    def debug(self, *a):
        self._line("DEBUG", a)


class FgsContext:
    """FunctionGraph context: camelCase getters as documented, plus snake_case aliases."""

    def __init__(self, rid, c, start):
        self._rid, self._c, self._deadline = rid, c, start + c["timeoutSec"]
        self._user = None

    def getRequestID(self): return self._rid
    def getRemainingTimeInMilliSeconds(self): return max(0, int((self._deadline - time.time()) * 1000))
    def getAccessKey(self): return self._c["accessKey"]
    def getSecretKey(self): return self._c["secretKey"]
    def getSecurityAccessKey(self): return self._c["accessKey"]
    def getSecuritySecretKey(self): return self._c["secretKey"]
    def getSecurityToken(self): return self._c["securityToken"]
    def getToken(self): return self._c["token"]

    def getUserData(self, key, default=None):
        if self._user is None:
            self._user = json.loads(self._c["userData"])
        return self._user.get(key, default)

    def getFunctionName(self): return self._c["functionName"]
    def getRunningTimeInSeconds(self): return self._c["timeoutSec"]
    def getVersion(self): return self._c["version"]
    def getMemorySize(self): return self._c["memory"]
    def getCPUNumber(self): return self._c["cpu"]
    def getProjectID(self): return self._c["projectId"]
    def getPackage(self): return self._c["package"]
    def getAlias(self): return self._c["alias"]
    def getLogger(self): return Logger(self._rid)

    get_request_id = getRequestID
    get_remaining_time_in_milli_seconds = getRemainingTimeInMilliSeconds
    get_access_key = getAccessKey
    get_secret_key = getSecretKey
    get_token = getToken
    get_user_data = getUserData
    get_function_name = getFunctionName
    get_running_time_in_seconds = getRunningTimeInSeconds
    get_version = getVersion
    get_memory_size = getMemorySize
    get_cpu_number = getCPUNumber
    get_project_id = getProjectID
    get_package = getPackage
    get_alias = getAlias
    get_logger = getLogger


def set_trigger_src(value, load):
    """TRIGGER_SRC names the trigger that made a call ("timer"), for that call only: the per-call
    value is set before the handler runs, and the function's own environment comes back after."""
    own = load["env"].get("TRIGGER_SRC")
    if value is not None:
        os.environ["TRIGGER_SRC"] = value
    elif own is not None:
        os.environ["TRIGGER_SRC"] = own
    else:
        os.environ.pop("TRIGGER_SRC", None)


def make_context(m, load):
    c = dict(load["ctx"])
    per_call = dict(m.get("ctx") or {})  # values for this call only (e.g. the alias)
    set_trigger_src(per_call.pop("triggerSrc", None), load)
    c.update(per_call)
    if load["convention"] == "scf":
        c["request_id"] = m["id"]
        return c
    return FgsContext(m["id"], c, time.time())


def on_invoke(m, handler=None, deliver=send):
    load = state["load"]
    state["log"] = []
    state["logChars"] = 0
    result, err = "", None
    try:
        value = (handler or state["handler"])(json.loads(m["ev"]), make_context(m, load))
        try:
            result = json.dumps(value)
        except (TypeError, ValueError) as e:
            err = wire("user-error", "result is not JSON-serialisable: %s" % e)
        if err is None and len(result.encode()) > load["maxResultBytes"]:
            result, err = "", wire("result-too-large", "result exceeds the %d-byte limit" % load["maxResultBytes"])
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - every user failure becomes a user-error
        err = wire("user-error", "%s: %s" % (type(e).__name__, e), user_trace(e))
    set_trigger_src(None, load)
    log = tail(state["log"], load["logTailBytes"])
    state["log"] = None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    deliver({"t": "res", "r": result, "err": err, "log": log, "rss": rss, **written()})


def main():
    send({"t": "ready"})
    for line in rfile:
        m = json.loads(line)
        if m["t"] == "inv":
            on_invoke(m)
        elif m["t"] == "load":
            on_load(m)


main()
