/**
 * The command line that starts a runtime process inside its own sandbox, built with
 * bubblewrap. Pure: `sandbox.ts` supplies the paths and ids.
 *
 *   sh -c JOIN <fsize> <n> <procs files…> setpriv … bwrap … <interpreter> <args>
 *
 * 1. `sh` (as root) joins the instance's cgroups and sets the file-size limit, so the sandbox
 *    and everything it ever starts are inside them from the first instruction; SIGXFSZ is
 *    ignored so that a write past the limit fails with EFBIG instead of killing the process.
 * 2. `setpriv` drops to the instance's own host uid and gid, with no supplementary groups and
 *    no way to gain privileges again.
 * 3. `bwrap`, now unprivileged, makes new user, pid, mount, ipc, uts, net and cgroup
 *    namespaces and a root file system of read-only system files, the instance's code, its
 *    layers at `/opt`, the runtime bootstrap and an empty size-capped `/tmp`; nothing else of
 *    the host is there.
 *    With `--die-with-parent` the sandbox is killed if Quiver dies, however it dies. bwrap
 *    reads its arguments from fd 4 (`--args`): as the sandbox's pid 1 its command line is
 *    visible inside, and it would name host paths.
 */

export interface SandboxTools {
  readonly sh: string;
  readonly setpriv: string;
  readonly bwrap: string;
}

export interface SandboxCommandSpec {
  readonly tools: SandboxTools;
  /** Host uid and gid of the instance. */
  readonly uid: number;
  /** `cgroup.procs` files to join before anything else runs. */
  readonly cgroupProcs: readonly string[];
  readonly fileSizeBytes: number;
  readonly tmpSizeBytes: number;
  /** Host directory shown read-only as the code root (`/var/user`, `/opt/function/code`). */
  readonly codeDir: string;
  /**
   * Host directory shown read-only as `/opt`: the function's layers, merged. It holds the empty
   * `function/code` mount point, since FunctionGraph's code root is bound inside it.
   */
  readonly optDir: string;
  /** Host directory with the runtime bootstrap files and the sandbox's `/etc/passwd`. */
  readonly runtimeDir: string;
  /** Host file shown read-only as /etc/resolv.conf. */
  readonly resolvConf: string;
  /** Host paths shown read-only at the same place (interpreters outside /usr, /etc files). */
  readonly roBinds: readonly string[];
  /** Symbolic links made in the sandbox's root: [target, path] (the vendors' interpreter paths). */
  readonly links: readonly (readonly [string, string])[];
  readonly command: string;
  readonly args: readonly string[];
}

/** Where things are inside every sandbox. */
export const SANDBOX_PATHS = {
  scfCode: "/var/user",
  fgsCode: "/opt/function/code",
  /** Where both vendors show a function's layers (dependencies), merged in order. */
  layers: "/opt",
  runtime: "/var/runtime",
  tmp: "/tmp",
} as const;

/** POSIX shared memory (Python multiprocessing locks, for one): a small tmpfs of its own. */
const SHM_BYTES = 64 * 1024 * 1024;

/** The uid and gid a function sees itself as; the host sees the instance's own ids. */
export const INSIDE_UID = 1000;

const JOIN_AND_EXEC = [
  "trap '' XFSZ",
  'ulimit -f "$1" || exit 126',
  "n=$2; shift 2",
  'while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 126; shift; n=$((n - 1)); done',
  'exec "$@"',
].join("\n");

/** The system directories every runtime needs, read-only; `/bin` and friends follow /usr. */
const SYSTEM = ["--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64"];

/**
 * A minimal /dev of the harmless character devices and the usual fd links. Not bwrap's `--dev`:
 * that mounts devpts, for which bwrap needs uid 0 in a first user namespace and then moves the
 * process into a second, nested one, leaving the network namespace owned by a namespace no
 * process is in, so user-mode networking could not be attached to it later.
 */
const DEV = [
  "--dir", "/dev",
  ...["null", "zero", "full", "random", "urandom"].flatMap((d) => ["--dev-bind", `/dev/${d}`, `/dev/${d}`]),
  "--symlink", "/proc/self/fd", "/dev/fd",
  "--symlink", "/proc/self/fd/0", "/dev/stdin",
  "--symlink", "/proc/self/fd/1", "/dev/stdout",
  "--symlink", "/proc/self/fd/2", "/dev/stderr",
];

/** The descriptor bwrap reads its arguments from. */
export const ARGS_FD = 4;

export interface SandboxCommand {
  readonly command: string;
  readonly args: string[];
  /** bwrap's options, NUL-terminated, to be written to fd `ARGS_FD` of the process. */
  readonly argsOnFd: Buffer;
}

export function sandboxCommand(s: SandboxCommandSpec): SandboxCommand {
  const join = [s.tools.sh, "-c", JOIN_AND_EXEC, "quiver-sandbox", String(Math.ceil(s.fileSizeBytes / 512)), String(s.cgroupProcs.length), ...s.cgroupProcs];
  const drop = [s.tools.setpriv, "--reuid", String(s.uid), "--regid", String(s.uid), "--clear-groups", "--no-new-privs"];
  const bwrap = [
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--uid", String(INSIDE_UID),
    "--gid", String(INSIDE_UID),
    "--hostname", "localhost",
    ...SYSTEM,
    ...s.roBinds.flatMap((path) => ["--ro-bind", path, path]),
    ...s.links.flatMap(([target, path]) => ["--symlink", target, path]),
    "--ro-bind", `${s.runtimeDir}/etc/passwd`, "/etc/passwd",
    "--ro-bind", `${s.runtimeDir}/etc/group`, "/etc/group",
    // Filled in place when the function asks for public network (see egress.ts).
    "--ro-bind", s.resolvConf, "/etc/resolv.conf",
    "--proc", "/proc",
    ...DEV,
    "--size", String(SHM_BYTES), "--tmpfs", "/dev/shm",
    "--size", String(s.tmpSizeBytes), "--tmpfs", SANDBOX_PATHS.tmp,
    // Before the code: FunctionGraph's code root is a mount inside /opt.
    "--ro-bind", s.optDir, SANDBOX_PATHS.layers,
    "--ro-bind", s.codeDir, SANDBOX_PATHS.scfCode,
    "--ro-bind", s.codeDir, SANDBOX_PATHS.fgsCode,
    "--ro-bind", s.runtimeDir, SANDBOX_PATHS.runtime,
    // The root bwrap builds (and /etc on it) is read-only too; /tmp and /dev/shm are mounts of their own.
    "--remount-ro", "/",
    "--chdir", SANDBOX_PATHS.tmp,
  ];
  // bwrap takes only options from the fd; the command follows on its command line.
  const [command = s.tools.sh, ...args] = [...join, ...drop, s.tools.bwrap, "--args", String(ARGS_FD), "--", s.command, ...s.args];
  return { command, args, argsOnFd: Buffer.from(bwrap.map((arg) => `${arg}\0`).join("")) };
}
