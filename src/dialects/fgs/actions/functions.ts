import { z } from "zod";
import { QuiverError, invalid } from "../../../core/errors.js";
import type { CodeSource, CodeUpload } from "../../../core/functions/functions.js";
import type { ResolvedQualifier } from "../../../core/functions/versions.js";
import { DEFAULT_NAMESPACE, LATEST, type FunctionConfig, type FunctionRef } from "../../../core/model.js";
import { codeOut, fgsExtras, metadataOut } from "../map-out.js";
import * as rules from "../rules.js";
import { fgsFunctionType, fgsRuntime } from "../runtimes.js";
import { WEB_BOOTSTRAP } from "../../../core/web-functions.js";
import { jsonBody, parseBody } from "../schema.js";
import { functionOf, noContent, ok, queryValue, requestUrn, versionOfQualifier, type FgsContext, type FgsActions, type FgsOperation } from "./context.js";
import { atRate } from "../../shared/pipeline.js";
import { bindDependencies } from "./dependencies.js";

const opt = <T extends z.ZodType>(schema: T) => schema.nullish();

const FuncCode = z.object({ file: opt(z.string()), link: opt(z.string()) });

const bounded = (max: number, what = `at most ${max} characters`) => z.string().max(max, what);

/**
 * Settings FunctionGraph documents that Quiver stores and echoes but does not act on, within
 * the documented limits: agency names 64 characters, enterprise project IDs "0" or a UUID,
 * initializers named like handlers, initializer timeouts 1-300 s (0 or "" when there is none,
 * as clients echo them back).
 */
const KEPT = {
  xrole: opt(bounded(64)),
  app_xrole: opt(bounded(64)),
  enterprise_project_id: opt(bounded(36, "at most 36 characters (\"0\" or a UUID)")),
  initializer_handler: opt(z.string().refine((v) => v === "" || rules.isHandler(v), "3-128 characters in the form file.function, like the handler")),
  initializer_timeout: opt(z.number().int().min(0, "from 1 to 300 seconds").max(300, "from 1 to 300 seconds")),
};

/** FunctionGraph's network settings; only `disable_public_network` is acted on. */
const NetworkController = opt(z.object({ disable_public_network: opt(z.boolean()), trigger_access_vpcs: opt(z.array(z.object({ vpc_id: opt(bounded(64)), vpc_name: opt(bounded(64)) })).max(10)) }));

/** `network_controller.disable_public_network: false` asks for public network; absent leaves it as it is. */
function publicNetworkOf(network: z.infer<typeof NetworkController>): boolean | undefined {
  const disabled = network?.disable_public_network;
  return disabled === undefined || disabled === null ? undefined : !disabled;
}

/** The uploader's file name of the package is stored with the code; FunctionGraph sends e.g. `index.zip`. */
const CodeFileName = opt(bounded(255));
const KEPT_KEYS = Object.keys(KEPT);

/** Dependency version ids, bound in order (createFunction, updateFunctionCode, updateFunctionConfig). */
const DependVersionList = opt(z.array(z.string().max(64, "at most 64 characters")));

const CreateFunction = z.object({
  func_name: z.string(),
  package: opt(z.string()),
  runtime: z.string(),
  handler: z.string(),
  memory_size: z.number(),
  timeout: z.number(),
  code_type: opt(z.string()),
  code_url: opt(z.string()),
  code_filename: CodeFileName,
  func_code: opt(FuncCode),
  user_data: opt(z.string()),
  description: opt(z.string()),
  network_controller: NetworkController,
  depend_version_list: DependVersionList,
  ...KEPT,
});

const UpdateCode = z.object({
  code_type: opt(z.string()),
  code_url: opt(z.string()),
  code_filename: CodeFileName,
  func_code: opt(FuncCode),
  depend_version_list: DependVersionList,
});

const UpdateConfig = z.object({
  func_name: opt(z.string()),
  runtime: opt(z.string()),
  handler: opt(z.string()),
  memory_size: opt(z.number()),
  timeout: opt(z.number()),
  user_data: opt(z.string()),
  description: opt(z.string()),
  network_controller: NetworkController,
  depend_version_list: DependVersionList,
  ...KEPT,
});

/** The kept settings a request carries (validated values), to merge into `extras.fgs`. */
function kept(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(KEPT_KEYS.filter((key) => body[key] !== undefined && body[key] !== null).map((key) => [key, body[key]]));
}

/** The scheme of a hot-reload `code_url` (with `code_type: "obs"`): `file:///abs/dir` names a host directory. */
const HOT_RELOAD_SCHEME = "file://";

/**
 * Code sent inline (a base64 zip) is stored; `code_type: "obs"` with a `file://` `code_url`
 * names a host directory the head runs (hot reload). Quiver has no OBS, SWR or JAR handling.
 */
function codeSource(codeType: string | null | undefined, codeUrl: string | null | undefined, fileName: string | null | undefined, funcCode: z.infer<typeof FuncCode> | null | undefined): CodeSource {
  if (codeType === "obs" && codeUrl?.startsWith(HOT_RELOAD_SCHEME)) {
    let dir: string;
    try {
      dir = decodeURIComponent(new URL(codeUrl).pathname);
    } catch {
      throw invalid("code_url", `code_url "${codeUrl}" is not a file:///absolute/path URL.`);
    }
    return { hotReloadDir: dir };
  }
  return codeUpload(codeType, fileName, funcCode);
}

/** Only code sent inline (a base64 zip) can be stored: Quiver has no OBS, SWR or JAR handling. */
function codeUpload(codeType: string | null | undefined, fileName: string | null | undefined, funcCode: z.infer<typeof FuncCode> | null | undefined): CodeUpload {
  const type = codeType ?? "zip";
  if (type !== "zip" && type !== "inline") {
    throw invalid("code_type", `code_type "${type}" is not supported by Quiver, which has no OBS or image registry; send a base64 zip with code_type "zip".`);
  }
  return { zip: rules.codeFromBase64(funcCode?.file ?? undefined, type === "inline"), fileName: fileName ?? "", webBootstrap: WEB_BOOTSTRAP.fgs };
}

const createFunction: FgsOperation = async (ctx) => {
  const p = parseBody(CreateFunction, jsonBody(ctx.body));
  const name = rules.functionName(p.func_name);
  const pkg = rules.packageName(p.package ?? DEFAULT_NAMESPACE);
  const runtime = fgsRuntime(p.runtime);
  const config: FunctionConfig = {
    runtime,
    // An HTTP function's server is started by its bootstrap; its handler names nothing to load.
    handler: runtime.family === "custom" ? p.handler : rules.handler(p.handler),
    memoryMb: rules.memorySize(p.memory_size),
    timeoutSec: rules.timeout(p.timeout),
    description: rules.description(p.description ?? ""),
    environment: rules.userData(p.user_data ?? ""),
    type: fgsFunctionType(runtime),
    publicNetwork: publicNetworkOf(p.network_controller) ?? false,
    layers: await bindDependencies(ctx, p.depend_version_list ?? []),
    extras: { fgs: { ...kept(p), code_type: p.code_type ?? "zip" } },
  };
  const code = codeSource(p.code_type, p.code_url, p.code_filename, p.func_code);
  // Check the zip before the package is created, so refused code leaves nothing behind.
  if (!("hotReloadDir" in code)) await ctx.service.functions.checkCode(code);
  if (pkg !== DEFAULT_NAMESPACE) await ctx.service.namespaces.ensure(ctx.scope, pkg);
  const fn = await ctx.service.functions.create(ctx.scope, { namespace: pkg, name, config, code, maxFunctions: ctx.config.limits.maxFunctionsPerNamespace });
  return ok(metadataOut(ctx.out, { fn, version: null }));
};

const listFunctions: FgsOperation = async (ctx) => {
  const { offset, limit } = rules.paging(queryValue(ctx, "marker"), queryValue(ctx, "maxitems"));
  const pkg = queryValue(ctx, "package_name");
  const nameFilter = queryValue(ctx, "func_name");
  const page = await ctx.service.functions.list(ctx.scope, {
    ...(pkg ? { namespace: pkg } : {}),
    ...(nameFilter ? { nameContains: nameFilter } : {}),
    offset,
    limit,
    order: "ASC",
    orderBy: "createdAt",
  });
  return ok({ functions: page.items.map((fn) => metadataOut(ctx.out, { fn, version: null }, false)), next_marker: offset + page.items.length, count: page.total });
};

async function resolveSnapshot(ctx: FgsContext): Promise<ResolvedQualifier> {
  const urn = requestUrn(ctx);
  return ctx.service.versions.resolve(functionOf(ctx, urn), await versionOfQualifier(ctx, urn));
}

const showConfig: FgsOperation = async (ctx) => ok(metadataOut(ctx.out, await resolveSnapshot(ctx)));

/** The package's bytes in `func_code.file`; a hot-reloaded head's directory is zipped (and stored) for it. */
const showCode: FgsOperation = async (ctx) => {
  const snap = await resolveSnapshot(ctx);
  const hotHead = !snap.version && snap.fn.hotReloadDir !== undefined;
  const code = hotHead ? await ctx.service.versions.packageOf(functionOf(ctx, requestUrn(ctx)), LATEST) : snap.version ? snap.version.code : snap.fn.code;
  return ok(codeOut(ctx.out, snap, code ? await ctx.service.functions.readCode(code.sha256) : null));
};

/** Code and configuration changes apply to the head; published versions are immutable in Quiver. */
function headRef(ctx: FgsContext): FunctionRef {
  const urn = requestUrn(ctx);
  if (rules.coreQualifier(urn.qualifier) !== LATEST) {
    throw new QuiverError("InvalidParameter", `Version "${urn.qualifier ?? ""}" cannot be changed: only latest is mutable.`, { parameter: "function_urn" });
  }
  return functionOf(ctx, urn);
}

const updateCode: FgsOperation = async (ctx) => {
  const ref = headRef(ctx);
  const p = parseBody(UpdateCode, jsonBody(ctx.body));
  const upload = codeSource(p.code_type, p.code_url, p.code_filename, p.func_code);
  const codeType = p.code_type ?? "zip";
  // A list replaces the function's dependencies; absent, they stay.
  const layers = p.depend_version_list == null ? undefined : await bindDependencies(ctx, p.depend_version_list);
  const fn = await ctx.service.functions.updateCode(ref, upload, (current) => ({
    ...current,
    layers: layers ?? current.layers ?? [],
    extras: { ...current.extras, fgs: { ...fgsExtras(current), code_type: codeType } },
  }));
  return ok(codeOut(ctx.out, { fn, version: null }, null));
};

const updateConfig: FgsOperation = async (ctx) => {
  const ref = headRef(ctx);
  const p = parseBody(UpdateConfig, jsonBody(ctx.body));
  const change = configChange(p);
  const layers = p.depend_version_list == null ? undefined : await bindDependencies(ctx, p.depend_version_list);
  const fn = await ctx.service.functions.updateConfig(ref, (current) => ({
    ...current,
    ...change,
    ...(layers ? { layers } : {}),
    extras: { ...current.extras, fgs: { ...fgsExtras(current), ...kept(p) } },
  }));
  return ok(metadataOut(ctx.out, { fn, version: null }));
};

/** Validates the given fields of an update; absent fields keep their current values. */
function configChange(p: z.infer<typeof UpdateConfig>): Partial<FunctionConfig> {
  return {
    ...(p.runtime != null ? { runtime: fgsRuntime(p.runtime), type: fgsFunctionType(fgsRuntime(p.runtime)) } : {}),
    ...(p.handler != null ? { handler: rules.handler(p.handler) } : {}),
    ...(p.memory_size != null ? { memoryMb: rules.memorySize(p.memory_size) } : {}),
    ...(p.timeout != null ? { timeoutSec: rules.timeout(p.timeout) } : {}),
    ...(p.description != null ? { description: rules.description(p.description) } : {}),
    ...(p.user_data != null ? { environment: rules.userData(p.user_data) } : {}),
    ...(publicNetworkOf(p.network_controller) !== undefined ? { publicNetwork: publicNetworkOf(p.network_controller) } : {}),
  };
}

/**
 * An unqualified URN deletes the function with its versions; a qualified one deletes that
 * version (for `!alias`, the version the alias points to, as v1.0 documents; refused while
 * the alias routes to it).
 */
const deleteFunction: FgsOperation = async (ctx) => {
  const urn = requestUrn(ctx);
  if (urn.qualifier === null) await ctx.service.functions.delete(functionOf(ctx, urn));
  else await ctx.service.versions.delete(functionOf(ctx, urn), await versionOfQualifier(ctx, urn));
  return noContent;
};

/**
 * Function operations by wire name (the SDK's method name). FunctionGraph documents no
 * per-API rates, so the rate (per account, per second) is Quiver's own, SCF's for the same calls.
 */
export const FUNCTION_ACTIONS = atRate(100, {
  createFunction,
  listFunctions,
  showFunctionConfig: showConfig,
  showFunctionCode: showCode,
  updateFunctionCode: updateCode,
  updateFunctionConfig: updateConfig,
  deleteFunction,
}) satisfies FgsActions;
