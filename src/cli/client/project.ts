/**
 * Project files `deploy` reads from the directory: a Tencent Serverless-component
 * `serverless.yml` (`component: scf`) or a Serverless Devs `s.yaml` with one FunctionGraph
 * function. Only the keys listed here are honoured; any other key is refused with its path,
 * so a setting is never silently ignored (docs/cli.md lists them).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { devsTriggersOf } from "./devs-triggers.js";
import type { FunctionSettings, TriggerSpec } from "./platform.js";
import { defined, isNode, node, onlyKeys, optNumber, optString, refuse, stringMap, type Node } from "./project-checks.js";

export interface Project {
  /** The project file read, or null when none was there. */
  readonly file: string | null;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  /** The directory to package, absolute. */
  readonly src: string;
  /** Extra ignore patterns (serverless.yml `src.exclude`). */
  readonly exclude: readonly string[];
  readonly settings: Partial<FunctionSettings>;
  readonly triggers: readonly TriggerSpec[];
  readonly region: string | undefined;
}

export const SERVERLESS_INPUT_KEYS = ["name", "src", "handler", "runtime", "memorySize", "timeout", "environment", "namespace", "description", "events", "region"] as const;
const SERVERLESS_TOP_KEYS = ["component", "name", "app", "stage", "org", "inputs"];
export const S_YAML_FUNCTION_KEYS = ["functionName", "handler", "memorySize", "timeout", "runtime", "package", "codeUri", "description", "environmentVariables"] as const;

export function readProject(dir: string): Project {
  const root = resolve(dir);
  for (const name of ["serverless.yml", "serverless.yaml"]) {
    const path = join(root, name);
    if (existsSync(path)) return serverlessProject(root, path, load(path));
  }
  for (const name of ["s.yaml", "s.yml"]) {
    const path = join(root, name);
    if (existsSync(path)) return devsProject(root, path, load(path));
  }
  return { file: null, name: undefined, namespace: undefined, src: root, exclude: [], settings: {}, triggers: [], region: undefined };
}

function load(path: string): Node {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw refuse(path, `is not valid YAML: ${(error as Error).message}`);
  }
  if (!isNode(doc)) throw refuse(path, "must be a YAML mapping");
  return doc;
}

function serverlessProject(root: string, path: string, doc: Node): Project {
  onlyKeys(path, doc, SERVERLESS_TOP_KEYS, "");
  if (doc["component"] !== "scf") throw refuse(path, `component "${String(doc["component"])}" is not supported: only "scf"`);
  const inputs = node(path, doc["inputs"] ?? {}, "inputs");
  onlyKeys(path, inputs, SERVERLESS_INPUT_KEYS, "inputs.");
  const src = srcOf(path, inputs["src"]);
  const env = inputs["environment"] === undefined ? undefined : node(path, inputs["environment"], "inputs.environment");
  if (env) onlyKeys(path, env, ["variables"], "inputs.environment.");
  return {
    file: path,
    name: optString(path, inputs, "name", "inputs."),
    namespace: optString(path, inputs, "namespace", "inputs."),
    src: resolve(root, src.src),
    exclude: src.exclude,
    region: optString(path, inputs, "region", "inputs."),
    settings: defined({
      handler: optString(path, inputs, "handler", "inputs."),
      runtime: optString(path, inputs, "runtime", "inputs."),
      memoryMb: optNumber(path, inputs, "memorySize", "inputs."),
      timeoutSec: optNumber(path, inputs, "timeout", "inputs."),
      description: optString(path, inputs, "description", "inputs."),
      environment: env?.["variables"] === undefined ? undefined : stringMap(path, env["variables"], "inputs.environment.variables"),
    }),
    triggers: eventsOf(path, inputs["events"]),
  };
}

function srcOf(path: string, value: unknown): { src: string; exclude: string[] } {
  if (value === undefined) return { src: ".", exclude: [] };
  if (typeof value === "string") return { src: value, exclude: [] };
  const src = node(path, value, "inputs.src");
  onlyKeys(path, src, ["src", "exclude"], "inputs.src.");
  const exclude = src["exclude"] ?? [];
  if (!Array.isArray(exclude) || !exclude.every((e) => typeof e === "string")) throw refuse(path, "inputs.src.exclude must be a list of patterns");
  return { src: typeof src["src"] === "string" ? src["src"] : ".", exclude: exclude as string[] };
}

function eventsOf(path: string, value: unknown): TriggerSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw refuse(path, "inputs.events must be a list");
  return value.map((event, i): TriggerSpec => {
    const where = `inputs.events[${i}]`;
    const e = node(path, event, where);
    const [type, ...more] = Object.keys(e);
    if (type === undefined || more.length > 0) throw refuse(path, `${where} must have exactly one key: timer or http`);
    const body = node(path, e[type], `${where}.${type}`);
    onlyKeys(path, body, ["parameters"], `${where}.${type}.`);
    const p = node(path, body["parameters"] ?? {}, `${where}.${type}.parameters`);
    const at = `${where}.${type}.parameters.`;
    if (type === "timer") {
      onlyKeys(path, p, ["name", "cronExpression", "enable", "argument", "qualifier"], at);
      const cron = optString(path, p, "cronExpression", at);
      if (cron === undefined) throw refuse(path, `${at}cronExpression is required`);
      return { type: "timer", name: optString(path, p, "name", at) ?? `timer-${i + 1}`, schedule: { form: "scf-cron", text: cron }, enabled: p["enable"] !== false, argument: optString(path, p, "argument", at), qualifier: optString(path, p, "qualifier", at) };
    }
    if (type === "http") {
      onlyKeys(path, p, ["name", "authType", "qualifier"], at);
      const auth = optString(path, p, "authType", at) ?? "NONE";
      if (auth !== "NONE" && auth !== "CAM") throw refuse(path, `${at}authType must be NONE or CAM`);
      return { type: "http", name: optString(path, p, "name", at) ?? `http-${i + 1}`, authType: auth, qualifier: optString(path, p, "qualifier", at) };
    }
    throw refuse(path, `${where}: event type "${type}" is not supported: timer or http`);
  });
}

function devsProject(root: string, path: string, doc: Node): Project {
  onlyKeys(path, doc, ["edition", "name", "access", "vars", "services", "resources"], "");
  const servicesKey = doc["resources"] !== undefined ? "resources" : "services";
  const services = node(path, doc[servicesKey] ?? {}, servicesKey);
  const names = Object.keys(services);
  if (names.length !== 1) throw refuse(path, `${servicesKey} must hold exactly one function (found ${names.length})`);
  const key = names[0] ?? "";
  const service = node(path, services[key], `${servicesKey}.${key}`);
  onlyKeys(path, service, ["component", "props"], `${servicesKey}.${key}.`);
  const props = node(path, service["props"] ?? {}, `${servicesKey}.${key}.props`);
  onlyKeys(path, props, ["region", "function", "trigger"], `${servicesKey}.${key}.props.`);
  const at = `${servicesKey}.${key}.props.function.`;
  const fn = node(path, props["function"] ?? {}, `${servicesKey}.${key}.props.function`);
  onlyKeys(path, fn, S_YAML_FUNCTION_KEYS, at);
  return {
    file: path,
    name: optString(path, fn, "functionName", at),
    namespace: optString(path, fn, "package", at),
    src: resolve(root, optString(path, fn, "codeUri", at) ?? "."),
    exclude: [],
    region: optString(path, props, "region", `${servicesKey}.${key}.props.`),
    settings: defined({
      handler: optString(path, fn, "handler", at),
      runtime: optString(path, fn, "runtime", at),
      memoryMb: optNumber(path, fn, "memorySize", at),
      timeoutSec: optNumber(path, fn, "timeout", at),
      description: optString(path, fn, "description", at),
      environment: fn["environmentVariables"] === undefined ? undefined : stringMap(path, fn["environmentVariables"], `${at}environmentVariables`),
    }),
    triggers: devsTriggersOf(path, props["trigger"], `${servicesKey}.${key}.props.trigger`),
  };
}
