/**
 * What a function sees: environment variables and static context values for the SCF and
 * FunctionGraph conventions. Nothing from the engine's own environment leaks through: the child
 * env is built from scratch out of the function's `environment` plus the documented built-ins.
 */
import type { WarmRequest } from "../core/invoke.js";

export interface FunctionView {
  readonly env: Record<string, string>;
  readonly ctx: Record<string, string | number>;
}

const PATH = "/usr/local/bin:/usr/bin:/bin";

/** Basic process variables every runtime needs; HOME/TMPDIR point at the instance's own temp dir. */
function baseEnv(codeRoot: string, tmpDir: string): Record<string, string> {
  return { PATH, HOME: tmpDir, TMPDIR: tmpDir, PWD: codeRoot, LANG: "C.UTF-8" };
}

function runtimeName(req: WarmRequest): string {
  const { family, version } = req.target.config.runtime;
  if (family === "custom") return "CustomRuntime";
  return family === "nodejs" ? `Nodejs${version}` : `Python${version}`;
}

/**
 * `layersRoot` is where the function's layers are (`/opt` in a sandbox), null without layers.
 * Both vendors look modules up in layers by the paths SCF documents for NODE_PATH (`/opt`,
 * `/opt/node_modules`, plus `/opt/nodejs/node_modules` as other clouds' layers are built) and
 * PYTHONPATH (`/opt`, plus `/opt/python`), after the code's own.
 */
export function functionView(req: WarmRequest, codeRoot: string, tmpDir: string, layersRoot: string | null = null): FunctionView {
  const view = req.convention === "scf" ? scfView(req, codeRoot, tmpDir) : fgsView(req, codeRoot, tmpDir);
  return layersRoot === null ? view : { ...view, env: withLayerPaths(view.env, req, codeRoot, layersRoot) };
}

function withLayerPaths(env: Record<string, string>, req: WarmRequest, codeRoot: string, layers: string): Record<string, string> {
  if (req.target.config.runtime.family === "python") {
    return { ...env, PYTHONPATH: [env.PYTHONPATH ?? codeRoot, `${layers}/python`, layers].join(":") };
  }
  const own = env.NODE_PATH ?? `${codeRoot}:${codeRoot}/node_modules`;
  return { ...env, NODE_PATH: [own, `${layers}/nodejs/node_modules`, `${layers}/node_modules`, layers].join(":") };
}

function scfView(req: WarmRequest, codeRoot: string, tmpDir: string): FunctionView {
  const t = req.target;
  const cv = req.contextValues;
  const builtins: Record<string, string> = {
    SCF_RUNTIME: runtimeName(req),
    SCF_FUNCTIONNAME: t.functionName,
    SCF_FUNCTIONVERSION: t.version,
    SCF_NAMESPACE: t.namespace,
    TENCENTCLOUD_REGION: t.scope.region,
    TENCENTCLOUD_APPID: cv.appId ?? "",
    TENCENTCLOUD_UIN: cv.uin ?? "",
    TENCENTCLOUD_RUNENV: "SCF",
    TENCENTCLOUD_TZ: "UTC",
    USER_CODE_ROOT: codeRoot,
  };
  const userEnv = { ...t.config.environment, SCF_NAMESPACE: t.namespace };
  const env = { ...baseEnv(codeRoot, tmpDir), ...t.config.environment, ...builtins };
  if (t.config.runtime.family === "python") env.PYTHONPATH = codeRoot;
  else env.NODE_PATH = `${codeRoot}:${codeRoot}/node_modules`;
  const ctx = {
    memory_limit_in_mb: t.config.memoryMb,
    time_limit_in_ms: t.config.timeoutSec * 1000,
    environment: JSON.stringify(userEnv),
    environ: Object.entries(userEnv).map(([k, v]) => `${k}=${v}`).join(";"),
    function_version: t.version,
    function_name: t.functionName,
    namespace: t.namespace,
    tencentcloud_region: t.scope.region,
    tencentcloud_appid: cv.appId ?? "",
    tencentcloud_uin: cv.uin ?? "",
  };
  return { env, ctx };
}

/** FunctionGraph's CPU share in millicores: memory/128*100 + 200, as its metadata reports it. */
function fgsCpu(req: WarmRequest): string {
  return req.contextValues.cpu ?? String(Math.round((req.target.config.memoryMb / 128) * 100 + 200));
}

/** FunctionGraph names the head `latest`; the core calls it `$LATEST`. */
function fgsVersion(version: string): string {
  return version === "$LATEST" ? "latest" : version;
}

function fgsView(req: WarmRequest, codeRoot: string, tmpDir: string): FunctionView {
  const t = req.target;
  const cv = req.contextValues;
  const pkg = cv.package ?? t.namespace;
  const builtins: Record<string, string> = {
    RUNTIME_PROJECT_ID: cv.projectId ?? "",
    RUNTIME_FUNC_NAME: t.functionName,
    RUNTIME_FUNC_VERSION: fgsVersion(t.version),
    RUNTIME_PACKAGE: pkg,
    RUNTIME_HANDLER: t.config.handler,
    RUNTIME_TIMEOUT: String(t.config.timeoutSec),
    RUNTIME_USERDATA: JSON.stringify(t.config.environment),
    RUNTIME_CPU: fgsCpu(req),
    RUNTIME_MEMORY: String(t.config.memoryMb),
    RUNTIME_MAX_RESP_BODY_SIZE: "6291456",
    RUNTIME_CODE_ROOT: codeRoot,
    RUNTIME_LOG_DIR: tmpDir,
  };
  const env = { ...baseEnv(codeRoot, tmpDir), ...t.config.environment, ...builtins };
  const ctx = {
    projectId: builtins.RUNTIME_PROJECT_ID ?? "",
    functionName: t.functionName,
    version: fgsVersion(t.version),
    package: pkg,
    memory: t.config.memoryMb,
    cpu: Number(builtins.RUNTIME_CPU),
    timeoutSec: t.config.timeoutSec,
    userData: builtins.RUNTIME_USERDATA ?? "{}",
    alias: cv.alias ?? "",
    token: cv.token ?? "",
    accessKey: cv.accessKey ?? "",
    secretKey: cv.secretKey ?? "",
    securityToken: cv.securityToken ?? "",
  };
  return { env, ctx };
}
