// The console's operations through the SCF API 3.0 (Tencent keys). Every view calls these, never
// the wire directly; backend-fgs.js answers the same operations through FunctionGraph.
import { ApiError, quiverGet, scf } from "./http.js";

const PAGE = 100;

async function allPages(action, params, listKey) {
  const items = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await scf(action, { ...params, Offset: offset, Limit: PAGE });
    items.push(...(page[listKey] ?? []));
    if ((page[listKey] ?? []).length < PAGE || items.length >= (page.TotalCount ?? 0)) return items;
  }
}

const fn = (ns, name) => ({ Namespace: ns, FunctionName: name });

export const scfBackend = {
  vendor: "tencent",
  /** Sign-in check: a cheap read that needs valid keys. */
  async check() {
    await scf("ListNamespaces", { Limit: 1 });
  },
  async namespaces() {
    return (await allPages("ListNamespaces", {}, "Namespaces")).map((n) => n.Name);
  },
  async functions(namespace, search) {
    const list = await allPages("ListFunctions", { Namespace: namespace, ...(search ? { SearchKey: search } : {}) }, "Functions");
    return list.map((f) => ({ namespace: f.Namespace, name: f.FunctionName, status: f.Status, runtime: f.Runtime, modified: f.ModTime, description: f.Description, type: f.Type }));
  },
  async config(namespace, name, qualifier = "$LATEST") {
    const f = await scf("GetFunction", { ...fn(namespace, name), Qualifier: qualifier });
    const env = (f.Environment?.Variables ?? []).map((v) => `${v.Key}=${v.Value}`).join("\n");
    return {
      status: f.Status,
      modified: f.ModTime,
      fields: {
        Runtime: f.Runtime,
        Handler: f.Handler,
        "Memory (MB)": String(f.MemorySize),
        "Timeout (s)": String(f.Timeout),
        Type: f.Type,
        Description: f.Description,
        Environment: env,
        "Public network": f.PublicNetConfig?.PublicNetStatus ?? "",
        Layers: (f.Layers ?? []).map((l) => `${l.LayerName}:${l.LayerVersion}`).join(", "),
        "Code size (bytes)": String(f.CodeSize),
      },
    };
  },
  /** The zip of a qualifier's code, through GetFunctionAddress (a URL to download it from). */
  async code(namespace, name, qualifier = "$LATEST") {
    const address = await scf("GetFunctionAddress", { ...fn(namespace, name), Qualifier: qualifier });
    // The URL names this server, perhaps by another host name than the page's (127.0.0.1 vs
    // localhost): fetched by its path on the page's own origin, where the CSP lets it go.
    const url = new URL(address.Url, location.href);
    const res = await fetch(`${url.pathname}${url.search}`);
    if (!res.ok) throw new ApiError("CodeUnavailable", `The code could not be downloaded (HTTP ${res.status}).`);
    return new Uint8Array(await res.arrayBuffer());
  },
  /** Provisioned concurrency per qualifier (what is due and what runs) and the reserved concurrency. */
  async capacity(namespace, name) {
    const [provisioned, reserved] = await Promise.all([
      scf("GetProvisionedConcurrencyConfig", fn(namespace, name)),
      scf("GetReservedConcurrencyConfig", fn(namespace, name)),
    ]);
    return {
      provisioned: (provisioned.Allocated ?? []).map((a) => ({ qualifier: a.Qualifier, asked: a.AllocatedProvisionedConcurrencyNum, running: a.AvailableProvisionedConcurrencyNum, status: a.Status, reason: a.StatusReason ?? "" })),
      reserved: reserved.ReservedMem == null ? "none" : `${reserved.ReservedMem} MB of concurrent executions`,
    };
  },
  async versions(namespace, name) {
    const list = await allPages("ListVersionByFunction", { ...fn(namespace, name), Order: "DESC", OrderBy: "AddTime" }, "Versions");
    return list.map((v) => ({ version: v.Version, description: v.Description, modified: v.ModTime, status: v.Status }));
  },
  async publish(namespace, name, description) {
    return (await scf("PublishVersion", { ...fn(namespace, name), Description: description })).FunctionVersion;
  },
  async deleteVersion(namespace, name, version) {
    await scf("DeleteFunctionVersion", { ...fn(namespace, name), Qualifier: version });
  },
  async aliases(namespace, name) {
    const list = await allPages("ListAliases", fn(namespace, name), "Aliases");
    return list.map((a) => {
      const weight = a.RoutingConfig?.AdditionalVersionWeights?.[0];
      return {
        name: a.Name,
        description: a.Description,
        main: a.FunctionVersion,
        additional: weight ? { version: weight.Version, weight: weight.Weight } : null,
        rules: (a.RoutingConfig?.AddtionVersionMatchs ?? []).map((m) => ({ version: m.Version, key: m.Key, method: m.Method, expression: m.Expression })),
        modified: a.ModTime,
      };
    });
  },
  /** Points an alias at `main`, with `additional` ({version, weight 0-1}) or none. */
  async updateAlias(namespace, name, alias, { main, additional }) {
    const routing = additional && additional.weight > 0 ? { AdditionalVersionWeights: [{ Version: additional.version, Weight: additional.weight }] } : { AdditionalVersionWeights: [] };
    await scf("UpdateAlias", { ...fn(namespace, name), Name: alias, FunctionVersion: main, RoutingConfig: routing });
  },
  async invoke(namespace, name, qualifier, event) {
    const r = await scf("Invoke", { ...fn(namespace, name), Qualifier: qualifier, ClientContext: event, LogType: "Tail" });
    const result = r.Result;
    return {
      requestId: result.FunctionRequestId,
      ok: result.InvokeResult === 0,
      result: result.InvokeResult === 0 ? result.RetMsg : result.ErrMsg,
      log: result.Log,
      durationMs: result.Duration,
      memoryBytes: result.MemUsage,
      version: /^START RequestId: \S+ Version: (\S+)/.exec(result.Log)?.[1] ?? "",
    };
  },
  /** Finished invocations, newest first. filter: {qualifier, result (a RetCode filter or ""), from, to (Date), requestId}. */
  async logs(namespace, name, filter) {
    const params = { ...fn(namespace, name), Offset: 0, Limit: 100, Order: "desc", OrderBy: "start_time" };
    if (filter.qualifier) params.Qualifier = filter.qualifier;
    if (filter.result) params.Filter = { RetCode: filter.result };
    if (filter.requestId) params.FunctionRequestId = filter.requestId;
    if (filter.from && filter.to) Object.assign(params, { StartTime: scfTime(filter.from), EndTime: scfTime(filter.to) });
    const r = await scf("GetFunctionLogs", params);
    return (r.Data ?? []).map((l) => ({
      requestId: l.RequestId,
      started: l.StartTime,
      ok: l.RetCode === 0,
      retCode: String(l.RetCode),
      durationMs: l.Duration,
      memoryBytes: l.MemUsage,
      result: l.RetMsg,
      log: l.Log,
    }));
  },
  async triggers(namespace, name) {
    const list = await allPages("ListTriggers", fn(namespace, name), "Triggers");
    return list.map((t) => ({
      name: t.TriggerName,
      type: t.Type,
      qualifier: t.Qualifier,
      enabled: t.Enable === 1,
      urls: urlsIn(t.TriggerDesc),
      desc: t.TriggerDesc,
      modified: t.ModTime,
    }));
  },
  async setTriggerEnabled(namespace, name, trigger, enabled) {
    await scf("UpdateTriggerStatus", { ...fn(namespace, name), TriggerName: trigger.name, Type: trigger.type, Qualifier: trigger.qualifier, Enable: enabled ? "OPEN" : "CLOSE" });
  },
  async fireTimer(namespace, name, trigger) {
    return (await scf("FireTrigger", { ...fn(namespace, name), TriggerName: trigger.name, Qualifier: trigger.qualifier, Type: "timer" })).InvokeRequestId;
  },
  async stats(namespace, name, minutes) {
    return quiverGet("/quiver/v1/stats", new URLSearchParams({ function: name, namespace, minutes: String(minutes) }).toString());
  },
};

/** SCF writes times as `YYYY-MM-DD hh:mm:ss` in the server's zone; the console sends its own local time. */
function scfTime(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Every http(s) URL in a trigger's description (a JSON text). */
export function urlsIn(desc) {
  const urls = [];
  const walk = (value) => {
    if (typeof value === "string" && /^https?:\/\//.test(value)) urls.push(value);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  try {
    walk(JSON.parse(desc || "{}"));
  } catch {
    /* a timer's description is not always JSON */
  }
  return [...new Set(urls)];
}
