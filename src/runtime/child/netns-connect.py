# Quiver's connector into the network namespaces of sandboxed web functions. Trusted and run by
# the engine on the host (never inside a sandbox): Node cannot enter another network
# namespace, so this process does it for the engine. For each request read on the Node IPC
# channel the engine opened (NODE_CHANNEL_FD) it enters the namespace of a process of the
# instance, checked by the namespace's inode so a reused pid is never connected to, connects
# to 127.0.0.1:<port> there (the function's server), returns to its own namespace and sends
# the connected socket to the engine with SCM_RIGHTS, in Node's IPC framing. It never reads or
# writes the connection. See docs/runtime.md, "Web functions".
import ctypes
import json
import os
import socket

CLONE_NEWNET = 0x40000000
CONNECT_TIMEOUT_S = 1.0
libc = ctypes.CDLL(None, use_errno=True)
channel = socket.socket(fileno=int(os.environ["NODE_CHANNEL_FD"]))
own_netns = os.open("/proc/self/ns/net", os.O_RDONLY)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def connect_inside(pid, inode, port):
    ns = os.open("/proc/%d/ns/net" % pid, os.O_RDONLY)
    try:
        if os.fstat(ns).st_ino != inode:
            raise OSError("the instance's network namespace is gone")
        setns(ns)
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        finally:
            setns(own_netns)
    finally:
        os.close(ns)
    try:
        # A socket belongs to the namespace it was made in. Connecting to loopback there is
        # answered at once (accepted or refused) unless the server's backlog is full: bounded,
        # since one helper serves every instance.
        sock.settimeout(CONNECT_TIMEOUT_S)
        sock.connect(("127.0.0.1", port))
        return sock
    except BaseException:
        sock.close()
        raise


def send(message, fds=()):
    data = (json.dumps(message) + "\n").encode()
    if fds:
        socket.send_fds(channel, [data], list(fds))
    else:
        channel.sendall(data)


def serve(request):
    rid = request["id"]
    try:
        sock = connect_inside(int(request["pid"]), int(request["inode"]), int(request["port"]))
    except OSError as err:
        send({"id": rid, "err": err.strerror or str(err)})
        return
    try:
        send({"cmd": "NODE_HANDLE", "type": "net.Socket", "msg": {"id": rid, "err": None}}, [sock.fileno()])
    finally:
        sock.close()


def main():
    pending = b""
    while True:
        data = channel.recv(65536)
        if not data:
            return
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            message = json.loads(line)
            # Node's acknowledgements of the sockets it received need no answer.
            if isinstance(message, dict) and "id" in message:
                serve(message)


main()
