/**
 * Hostile tenant vs. other processes: B's environment and memory, signals to B (by host pid and
 * kill(-1)), the host's process list, and the uids instances run as.
 */
import assert from "node:assert/strict";
import { readdirSync, readlinkSync } from "node:fs";
import { after, before, describe, test } from "../helpers/node-test.js";
import { innerPid, inOwnPidNamespace, LANGS, perLang, SECRET_NEEDLES, SHORT, show, SKIP, Tenancy, uidsOf, type Attempt, type Lang } from "./tenancy.js";

const NOBODY = 65534;

function hostPidsAll(): number[] {
  return readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number);
}

void describe("isolation: processes", () => {
  let ten: Tenancy;
  before(async () => {
    if (SKIP) return; // every test is skipped, with the reason
    ten = await Tenancy.start();
  });
  after(() => ten?.close());

  perLang("cannot read another instance's environment", { short: ["node"] }, async (_t, lang) => {
    const b = await ten.victim(lang);
    const attempts: Attempt[] = ten.hostPids(b.instance).map((pid) => ({ op: "readEnviron", pid }));
    ten.assertRefused(await ten.probe(ten.probeName(lang), attempts), attempts, "A read B's environment");
  });

  perLang("cannot read another instance's memory", { short: ["node"] }, async (_t, lang) => {
    const b = await ten.victim(lang);
    const attempts: Attempt[] = [{ op: "readMem", pid: b.hostPid, needles: SECRET_NEEDLES }];
    ten.assertRefused(await ten.probe(ten.probeName(lang), attempts), attempts, "A read B's memory through /proc/<pid>/mem");
  });

  perLang("cannot ptrace another instance", { short: ["python"] }, async (_t, lang) => {
    const b = await ten.victim(lang);
    const attempts: Attempt[] = [{ op: "ptrace", pid: b.hostPid, needles: SECRET_NEEDLES }];
    const answer = await ten.probe(ten.probeName(lang), attempts);
    ten.assertRefused(answer, attempts, "A attached to B");
    assert.equal((await ten.victim(lang)).token, b.token, "B answers warm after the attempt");
  });

  perLang("cannot stop or kill another instance by its host pid", { short: ["node"] }, async (_t, lang) => {
    const b = await ten.victim(lang);
    const pids = ten.hostPids(b.instance);
    const attempts: Attempt[] = [...pids.map((pid) => ({ op: "kill", pid, signal: "SIGSTOP" })), ...pids.map((pid) => ({ op: "kill", pid, signal: "SIGKILL" }))];
    const answer = await ten.probe(ten.probeName(lang), attempts);
    const problems = await survivalProblems(ten, lang, b.token);
    answer.results.forEach((r, i) => {
      if (r.ok) problems.push(`${show(attempts[i])} was delivered`);
    });
    if (problems.length > 0) assert.fail(`A signalled B (host pids ${pids.join(", ")}):\n  ${problems.join("\n  ")}`);
  });

  perLang("kill(-1) does not reach another instance", { short: ["python"] }, async (_t, lang) => {
    const b = await ten.victim(lang);
    const a = await ten.probeProcess(ten.probeName(lang));
    // On a host without the sandbox, kill(-1) as a shared uid would kill every process of that
    // uid on the machine (other servers' functions too): refuse to fire it unless the probe is
    // in a pid namespace of its own or alone with its uid.
    if (!inOwnPidNamespace(a.hostPid)) {
      const own = new Set(ten.hostPids(a.instance));
      const uid = uidsOf(a.hostPid)[1];
      const reachable = hostPidsAll().filter((pid) => !own.has(pid) && uid !== undefined && uidsOf(pid).includes(uid));
      if (reachable.length > 0) {
        assert.fail(`not attempted: the probe shares the host's pid namespace and its uid ${uid} with ${reachable.length} processes outside its instance (B's ${b.hostPid} among them: ${reachable.includes(b.hostPid)}), all of which kill(-1) would reach`);
      }
    }
    const attempts: Attempt[] = [{ op: "killAll" }];
    await ten.probe(ten.probeName(lang), attempts);
    const problems = await survivalProblems(ten, lang, b.token);
    if (problems.length > 0) assert.fail(`A's kill(-1) reached B:\n  ${problems.join("\n  ")}`);
  });

  perLang("sees only its own processes and no host command line", { short: ["node"] }, async (_t, lang) => {
    const a = await ten.probeProcess(ten.probeName(lang));
    await ten.victim(lang);
    const answer = await ten.probe(ten.probeName(lang), [{ op: "listProcesses" }]);
    ten.assertNoLeak(answer, "A listed processes");
    const listing = answer.results[0];
    assert.ok(listing);
    if (!listing.ok) return; // no /proc at all: nothing of the host is visible either
    const own = ownProcesses(ten.hostPids(a.instance), a.hostPid);
    const seen = listing.data as { pid: number; uid: number; cmdline: string }[];
    const foreign = seen.filter((p) => !own.has(p.pid));
    const marks = [ten.dataDir, ten.accountsFile, ten.runDir, ten.root, "quiver"].map((m) => m.toLowerCase());
    const telling = seen.filter((p) => marks.some((m) => p.cmdline.toLowerCase().includes(m)));
    const problems = [
      ...(foreign.length > 0 ? [`${foreign.length} processes outside its instance are visible, e.g. ${show(foreign.slice(0, 5))}`] : []),
      ...telling.map((p) => `a command line names the host: ${show(p)}`).slice(0, 10),
    ];
    if (problems.length > 0) assert.fail(`A saw the host's processes:\n  ${problems.join("\n  ")}`);
  });

  perLang("instances of different accounts run as different host uids, neither root nor nobody", { short: ["node"] }, async (_t, lang) => {
    const a = await ten.probeProcess(ten.probeName(lang));
    const b = await ten.victim(lang);
    const uidsA = uidsOf(a.hostPid);
    const uidsB = uidsOf(b.hostPid);
    const problems = uidProblems({ "A's probe": uidsA, "B's victim": uidsB });
    if (problems.length > 0) assert.fail(`uids (real, effective, saved, fs): A ${uidsA.join("/")}, B ${uidsB.join("/")}:\n  ${problems.join("\n  ")}`);
  });

  // Across languages and accounts: the full form only.
  if (!SHORT) {
    void test("node+python: every live instance has a host uid of its own", { timeout: 60_000, ...(SKIP ? { skip: SKIP } : {}) }, async () => {
      const uids: Record<string, number[]> = {};
      for (const lang of LANGS) {
        const a = await ten.probeProcess(ten.probeName(lang));
        uids[`A's ${lang.name} probe`] = uidsOf(a.hostPid);
        const b = await ten.victim(lang);
        uids[`B's ${lang.name} victim`] = uidsOf(b.hostPid);
      }
      const problems = uidProblems(uids);
      if (problems.length > 0) assert.fail(`${show(uids)}:\n  ${problems.join("\n  ")}`);
    });
  }
});

const pidNamespace = (pid: number | "self"): string | undefined => {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
};

/**
 * The pids (as the probe sees them) of its own sandbox: everything in its instance's cgroup,
 * and everything in its pid namespace when that is not the host's.
 */
function ownProcesses(cgroupPids: readonly number[], probeHostPid: number): Set<number | undefined> {
  const own = new Set(cgroupPids.map(innerPid));
  const ns = pidNamespace(probeHostPid);
  if (ns !== undefined && ns !== pidNamespace("self")) {
    for (const pid of hostPidsAll()) if (pidNamespace(pid) === ns) own.add(innerPid(pid));
  }
  return own;
}

/** Root, nobody, and any uid two instances share. */
function uidProblems(byInstance: Record<string, number[]>): string[] {
  const problems: string[] = [];
  const owner = new Map<number, string>();
  for (const [who, uids] of Object.entries(byInstance)) {
    if (uids.length === 0) problems.push(`${who}: process not found`);
    if (uids.includes(0)) problems.push(`${who} runs as root`);
    if (uids.includes(NOBODY)) problems.push(`${who} runs as nobody (${NOBODY}), shared by every instance`);
    for (const uid of new Set(uids)) {
      const other = owner.get(uid);
      if (other !== undefined && uid !== 0) problems.push(`${who} and ${other} share uid ${uid}`);
      owner.set(uid, who);
    }
  }
  return problems;
}

/** B still answers warm with the same token (and its process is the same one). */
async function survivalProblems(ten: Tenancy, lang: Lang, token: string): Promise<string[]> {
  try {
    const again = await ten.victim(lang);
    return again.token === token ? [] : [`B's instance was replaced (token ${token} → ${again.token}): it was killed`];
  } catch (err) {
    return [`B no longer answers: ${String(err)}`];
  }
}
