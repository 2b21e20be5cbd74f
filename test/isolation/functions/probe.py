# The hostile tenant (Python 3). Deployed as account A's function; its event lists escape
# attempts, and it answers, per attempt, {op, ok, code?, message?, data?}. It never decides
# whether an attempt should have worked: the tests do. Standard library only.
import ctypes
import errno
import os
import re
import resource
import signal as signals
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

CLIP = 16 * 1024
MiB = 1024 * 1024
PTRACE_ATTACH = 16
PTRACE_DETACH = 17
WALL = 0x40000000


class Failed(Exception):
    """An OSError that also carries what was done before it happened."""

    def __init__(self, err, data):
        super().__init__(str(err))
        self.err = err
        self.data = data


def clip(text):
    return text if len(text) <= CLIP else "%s…[%d more]" % (text[:CLIP], len(text) - CLIP)


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("latin-1")
    except OSError:
        return ""


def anonymous_regions(pid):
    regions = []
    for line in read_text_strict("/proc/%d/maps" % pid).split("\n"):
        f = line.split()
        if len(f) >= 5 and f[1].startswith("r") and (len(f) == 5 or f[5] in ("[heap]", "[stack]")):
            start, end = (int(x, 16) for x in f[0].split("-"))
            regions.append((start, end))
    return regions


def read_text_strict(path):
    with open(path, "rb") as f:
        return f.read().decode("latin-1")


def scan_memory(pid, needles):
    hits = []
    scanned = 0
    with open("/proc/%d/mem" % pid, "rb", buffering=0) as mem:
        for start, end in anonymous_regions(pid):
            at = start
            while at < end and scanned < 512 * MiB and len(hits) < 20:
                try:
                    mem.seek(at)
                    chunk = mem.read(min(MiB, end - at))
                except OSError:
                    break
                scanned += len(chunk)
                text = chunk.decode("latin-1")
                for needle in needles:
                    i = text.find(needle)
                    while i >= 0 and len(hits) < 20:
                        hits.append(text[i:i + 64])
                        i = text.find(needle, i + 1)
                at += MiB
    return {"scannedBytes": scanned, "hits": hits}


def ptrace(pid, needles):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    libc.ptrace.restype = ctypes.c_long
    if libc.ptrace(PTRACE_ATTACH, pid, None, None) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "ptrace(PTRACE_ATTACH, %d): %s" % (pid, os.strerror(e)))
    try:
        os.waitpid(pid, WALL)
        return scan_memory(pid, needles)
    finally:
        libc.ptrace(PTRACE_DETACH, pid, None, None)


def connect(host, port, timeoutMs=1500):
    with socket.create_connection((host, port), timeout=timeoutMs / 1000) as s:
        remote = "%s:%s" % s.getpeername()[:2]
        s.settimeout(0.3)
        received = b""
        try:
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                received += chunk
        except OSError:
            pass
        return {"remote": remote, "received": clip(received.decode("latin-1"))}


def gateways():
    found = []
    for line in read_text("/proc/net/route").split("\n")[1:]:
        f = line.split()
        if len(f) < 3 or int(f[2], 16) == 0:
            continue
        n = int(f[2], 16)
        ip = ".".join(str((n >> s) & 255) for s in (0, 8, 16, 24))
        if ip not in found:
            found.append(ip)
    return found


def write_bytes(path, count):
    block = b"\0" * min(MiB, max(count, 1))
    written = 0
    try:
        with open(path, "wb", buffering=0) as f:
            while written < count:
                written += f.write(block[: min(len(block), count - written)])
    except OSError as e:
        raise Failed(e, {"written": written})
    return {"written": written}


def fill(dir, bytes, fileBytes):
    files = []
    written = 0
    try:
        while written < bytes:
            path = os.path.join(dir, "fill-%d-%d" % (os.getpid(), len(files)))
            files.append(path)
            try:
                written += write_bytes(path, min(fileBytes, bytes - written))["written"]
            except Failed as f:
                raise Failed(f.err, {"written": written + f.data["written"]})
        return {"written": written}
    finally:
        for path in files:
            try:
                os.remove(path)
            except OSError:
                pass


def processes():
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        uid = re.search(r"^Uid:\s+(\d+)", read_text("/proc/%s/status" % name), re.M)
        out.append({
            "pid": int(name),
            "uid": int(uid.group(1)) if uid else -1,
            "cmdline": " ".join(read_text("/proc/%s/cmdline" % name).split("\0")).strip(),
        })
    return out


def spawn_detached():
    path = os.path.join(tempfile.gettempdir(), "ticks-%d-%d" % (os.getpid(), int(time.time() * 1000)))
    ticker = "import time\nwhile True:\n    open(%r, 'a').write('t')\n    time.sleep(0.01)\n" % path
    child = subprocess.Popen([sys.executable, "-c", ticker], start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"pid": child.pid, "file": path}


def ticks(file):
    try:
        return os.stat(file).st_size
    except FileNotFoundError:
        return 0


def tick_window(file, ms):
    before = ticks(file)
    started = time.monotonic()
    time.sleep(ms / 1000)
    return {"before": before, "after": ticks(file), "ms": int((time.monotonic() - started) * 1000)}


def limits():
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return {"fileSize": None if soft == resource.RLIM_INFINITY else soft}


def kill(pid, signal):
    os.kill(pid, getattr(signals, signal))


def read_file(path):
    with open(path, "rb") as f:
        return clip(f.read().decode("latin-1"))


def read_environ(pid):
    with open("/proc/%d/environ" % pid, "rb") as f:
        return clip(f.read().decode("latin-1").replace("\0", "\n"))


def remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


OPS = {
    "self": lambda: {"pid": os.getpid(), "uid": os.getuid(), "gid": os.getgid(), "cwd": os.getcwd(),
                     "tmpdir": tempfile.gettempdir(), "env": sorted(os.environ.keys())},
    "readFile": lambda path: read_file(path),
    "listDir": lambda path: os.listdir(path),
    "connect": connect,
    "gateways": gateways,
    "kill": kill,
    "killAll": lambda: os.kill(-1, 9),
    "readEnviron": read_environ,
    "readMem": lambda pid, needles: scan_memory(pid, needles),
    "ptrace": ptrace,
    "listProcesses": processes,
    "write": lambda path, bytes: write_bytes(path, bytes),
    "fill": fill,
    "remove": remove,
    "limits": limits,
    "spawnDetached": spawn_detached,
    "ticks": lambda file: {"ticks": ticks(file)},
    "tickWindow": tick_window,
}


def attempt(spec):
    args = dict(spec)
    op = args.pop("op", None)
    try:
        fn = OPS.get(op)
        if fn is None:
            raise ValueError("unknown op %s" % op)
        data = fn(**args)
        return {"op": op, "ok": True, "data": data}
    except Failed as f:
        return {"op": op, "ok": False, "code": errno.errorcode.get(f.err.errno), "message": str(f.err), "data": f.data}
    except OSError as e:
        code = errno.errorcode.get(e.errno) if e.errno else ("ETIMEDOUT" if isinstance(e, socket.timeout) else None)
        return {"op": op, "ok": False, "code": code, "message": str(e), "data": None}
    except Exception as e:  # noqa: BLE001 - every failure is an answer here
        return {"op": op, "ok": False, "code": None, "message": "%s: %s" % (type(e).__name__, e), "data": None}


def run(event):
    attempts = event.get("attempts") or []
    if event.get("parallel"):
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(attempt, attempts))
    else:
        results = [attempt(spec) for spec in attempts]
    return {"pid": os.getpid(), "results": results}


def main_handler(event, context):
    return run(event)


# FunctionGraph's conventional handler name.
def handler(event, context):
    return run(event)
