// The console's operations through FunctionGraph (Huawei keys), answering what backend-scf.js
// answers, so every page works with either keys. Functions are named by URN; a package is
// what SCF calls a namespace; FunctionGraph's `latest` is shown as `$LATEST`.
import { ApiError, fgs, quiverGet } from "./http.js";
import { session } from "./session.js";
import { urlsIn } from "./backend-scf.js";

const LATEST = "$LATEST";
const fgQualifier = (q) => (!q || q === LATEST ? "latest" : q);
const shown = (v) => (v === "latest" ? LATEST : v);

function urn(namespace, name, qualifier) {
  const s = session();
  return `urn:fss:${s.region}:${s.projectId}:function:${namespace}:${name}${qualifier === undefined ? "" : `:${fgQualifier(qualifier)}`}`;
}

async function allFunctions() {
  const items = [];
  for (let marker = 0; ; ) {
    const page = await fgs("GET", "/functions", { query: `marker=${marker}&maxitems=400` });
    items.push(...(page.functions ?? []));
    if ((page.functions ?? []).length === 0 || items.length >= (page.count ?? 0)) return items;
    marker = page.next_marker;
  }
}

/** `Start invoke request '…', version: X` … `Finish …, duration: 1.2ms, …, memory used: 43.5MB` */
function logFacts(log) {
  return {
    version: /Start invoke request '[^']*', version: (\S+)/.exec(log)?.[1] ?? "",
    durationMs: Number(/duration: ([\d.]+)ms/.exec(log)?.[1] ?? NaN),
    memoryBytes: Math.round(Number(/memory used: ([\d.]+)MB/.exec(log)?.[1] ?? NaN) * 1024 * 1024),
  };
}

export const fgsBackend = {
  vendor: "huawei",
  async check() {
    await fgs("GET", "/functions", { query: "maxitems=1" });
  },
  /** FunctionGraph lists no packages on their own: the packages of the account's functions. */
  async namespaces() {
    const packages = [...new Set((await allFunctions()).map((f) => f.package))].sort();
    return packages.length > 0 ? packages : ["default"];
  },
  async functions(namespace, search) {
    return (await allFunctions())
      .filter((f) => f.package === namespace && (!search || f.func_name.includes(search)))
      .sort((a, b) => (a.func_name < b.func_name ? -1 : 1))
      .map((f) => ({ namespace: f.package, name: f.func_name, status: "Active", runtime: f.runtime, modified: f.last_modified, description: f.description }));
  },
  async config(namespace, name, qualifier = LATEST) {
    const f = await fgs("GET", `/functions/${urn(namespace, name, qualifier)}/config`);
    let env = "";
    try {
      env = Object.entries(JSON.parse(f.user_data || "{}")).map(([k, v]) => `${k}=${v}`).join("\n");
    } catch {
      env = f.user_data;
    }
    return {
      status: "Active",
      modified: f.last_modified,
      fields: {
        Runtime: f.runtime,
        Handler: f.handler,
        "Memory (MB)": String(f.memory_size),
        "Timeout (s)": String(f.timeout),
        Type: f.type,
        Description: f.description,
        Environment: env,
        "Public network": f.network_controller?.disable_public_network === false ? "ENABLE" : "DISABLE",
        Layers: (f.dependencies ?? []).map((d) => `${d.name}:${d.version}`).join(", "),
        "Code size (bytes)": String(f.code_size),
        // A hot-reload head runs a host directory (code_type obs with a file:// code_url).
        "Code source": f.code_url ? f.code_url : "package",
      },
    };
  },
  async code(namespace, name, qualifier = LATEST) {
    const answer = await fgs("GET", `/functions/${urn(namespace, name, qualifier)}/code`);
    const file = answer.func_code?.file ?? "";
    if (!file) throw new ApiError("CodeUnavailable", "This version has no code package to show.");
    return Uint8Array.from(atob(file), (c) => c.charCodeAt(0));
  },
  /** Reserved instances per qualifier: the count configured, and (separately listed) what runs. */
  async capacity(namespace, name) {
    const query = (key) => `${key}=${encodeURIComponent(urn(namespace, name))}`;
    const [configs, running] = await Promise.all([
      fgs("GET", "/functions/reservedinstanceconfigs", { query: query("function_urn") }),
      fgs("GET", "/functions/reservedinstances", { query: query("urn") }),
    ]);
    const runningBy = new Map((running.reservedinstances ?? []).map((r) => [r.func_urn.split(":").at(-1).replace(/^!/, ""), r.count]));
    return {
      provisioned: (configs.reserved_instances ?? []).map((c) => {
        const now = runningBy.get(c.qualifier_name) ?? 0;
        return { qualifier: c.qualifier_name, asked: c.min_count, running: now, status: now >= c.min_count ? "Done" : "InProgress", reason: "" };
      }),
      reserved: "see the function's max instances",
    };
  },
  async versions(namespace, name) {
    const items = [];
    for (let marker = 0; ; ) {
      const page = await fgs("GET", `/functions/${urn(namespace, name)}/versions`, { query: `marker=${marker}&maxitems=400` });
      items.push(...(page.versions ?? []));
      if ((page.versions ?? []).length === 0 || items.length >= (page.count ?? 0)) break;
      marker = page.next_marker;
    }
    const list = items.map((v) => ({ version: shown(v.version), description: v.version_description ?? v.description, modified: v.last_modified, status: "Active" }));
    // $LATEST first, then the newest published version first (as the SCF API lists them).
    return [...list.filter((v) => v.version === LATEST), ...list.filter((v) => v.version !== LATEST).reverse()];
  },
  async publish(namespace, name, description) {
    return shown((await fgs("POST", `/functions/${urn(namespace, name)}/versions`, { body: { description } })).version);
  },
  async deleteVersion() {
    throw new ApiError("Unsupported", "FunctionGraph has no API to delete one version: sign in with the account's Tencent keys to delete it.");
  },
  async aliases(namespace, name) {
    const list = await fgs("GET", `/functions/${urn(namespace, name)}/aliases`);
    return (Array.isArray(list) ? list : []).map((a) => {
      const [version, percent] = Object.entries(a.additional_version_weights ?? {})[0] ?? [];
      return {
        name: a.name,
        description: a.description,
        main: shown(a.version),
        additional: version === undefined ? null : { version: shown(version), weight: percent / 100 },
        rules: (a.additional_version_strategy ? Object.entries(a.additional_version_strategy) : []).flatMap(([v, s]) =>
          (s.rules ?? []).map((r) => ({ version: shown(v), key: r.param, method: r.op, expression: r.value }))),
        modified: a.last_modified,
      };
    });
  },
  async updateAlias(namespace, name, alias, { main, additional }) {
    const weights = additional && additional.weight > 0 ? { [fgQualifier(additional.version)]: Math.round(additional.weight * 100) } : {};
    await fgs("PUT", `/functions/${urn(namespace, name)}/aliases/${encodeURIComponent(alias)}`, { body: { version: fgQualifier(main), additional_version_weights: weights } });
  },
  async invoke(namespace, name, qualifier, event) {
    const r = await fgs("POST", `/functions/${urn(namespace, name, qualifier)}/invocations`, { body: JSON.parse(event), headers: { "X-Cff-Log-Type": "tail" } });
    const facts = logFacts(r.log ?? "");
    return { requestId: r.request_id, ok: r.status === 200, result: r.result, log: r.log, durationMs: facts.durationMs, memoryBytes: facts.memoryBytes, version: shown(facts.version) };
  },
  async logs() {
    throw new ApiError("Unsupported", "Past invocations are read through SCF's GetFunctionLogs: sign in with the account's Tencent keys to list them (the live tail above works with either keys).");
  },
  /**
   * FunctionGraph's list does not name a trigger's qualifier: the function's URN lists every
   * trigger, a qualified URN that qualifier's, so each version's and alias's list says whose it is.
   */
  async triggers(namespace, name) {
    const listOf = async (qualifier) => {
      const list = await fgs("GET", `/triggers/${urn(namespace, name, qualifier)}`);
      return Array.isArray(list) ? list : [];
    };
    const all = await listOf(undefined);
    const owner = new Map();
    if (all.length > 0) {
      const [versions, aliases] = await Promise.all([this.versions(namespace, name), this.aliases(namespace, name)]);
      const qualifiers = [...versions.map((v) => v.version).filter((v) => v !== LATEST), ...aliases.map((a) => a.name)];
      for (const qualifier of qualifiers) for (const t of await listOf(qualifier)) owner.set(t.trigger_id, qualifier);
    }
    return all.map((t) => ({
      id: t.trigger_id,
      name: t.event_data?.name ?? t.trigger_id,
      type: t.trigger_type_code === "TIMER" ? "timer" : t.trigger_type_code,
      typeCode: t.trigger_type_code,
      qualifier: owner.get(t.trigger_id) ?? LATEST,
      enabled: t.trigger_status === "ACTIVE",
      urls: urlsIn(JSON.stringify(t.event_data ?? {})),
      desc: t.trigger_type_code === "TIMER" ? String(t.event_data?.schedule ?? "") : "",
      modified: t.last_updated_time,
    }));
  },
  async setTriggerEnabled(namespace, name, trigger, enabled) {
    await fgs("PUT", `/triggers/${urn(namespace, name)}/${trigger.typeCode}/${trigger.id}`, { body: { trigger_status: enabled ? "ACTIVE" : "DISABLED" } });
  },
  async fireTimer(namespace, name, trigger) {
    const r = await fgs("POST", `/triggers/${urn(namespace, name)}/TIMER/${trigger.id}/fire`, { body: {} });
    return r.request_id ?? r.InvokeRequestId ?? "";
  },
  async stats(namespace, name, minutes) {
    return quiverGet("/quiver/v1/stats", new URLSearchParams({ function: name, namespace, minutes: String(minutes) }).toString());
  },
};
