import { z } from "zod";
import { QuiverError, isQuiverError } from "../../../core/errors.js";
import type { CodeSource } from "../../../core/functions/functions.js";
import type { ResolvedQualifier } from "../../../core/functions/versions.js";
import { DEFAULT_NAMESPACE, LATEST, type FunctionConfig, type FunctionRef } from "../../../core/model.js";
import { KEPT_SETTINGS, keptSettings, LAYERS } from "../kept-settings.js";
import { bindLayers, boundLayersOut } from "./layers.js";
import { getFunctionItemsQuery } from "./queries.js";
import { capInMemory } from "../../../core/capacity.js";
import { getFunctionOut, listFunctionItem } from "../map-out.js";
import * as rules from "../rules.js";
import { scfRuntime } from "../runtimes.js";
import { WEB_BOOTSTRAP } from "../../../core/web-functions.js";
import { bool, ignored, int, parseParams, str } from "../schema.js";
import type { Action } from "../../shared/pipeline.js";
import type { ScfAction, ScfContext } from "./context.js";
import { functionTriggersOut } from "./trigger-reads.js";
import { signedCodeUrl } from "../../shared/code-urls.js";

const Variables = z.strictObject({ Variables: z.array(z.strictObject({ Key: str.optional(), Value: str.optional() })).optional() });

const CodeSchema = z.strictObject({
  ZipFile: str.optional(),
  CosBucketName: str.optional(),
  CosObjectName: str.optional(),
  CosBucketRegion: str.optional(),
  DemoId: str.optional(),
  TempCosObjectName: str.optional(),
  GitUrl: str.optional(),
  GitUserName: str.optional(),
  GitPassword: str.optional(),
  GitPasswordSecret: str.optional(),
  GitBranch: str.optional(),
  GitDirectory: str.optional(),
  GitCommitId: str.optional(),
  GitUserNameSecret: str.optional(),
  ImageConfig: ignored.optional(),
});

const CreateFunction = z.strictObject({
  FunctionName: str,
  Code: CodeSchema,
  Handler: str.optional(),
  Description: str.optional(),
  MemorySize: int.optional(),
  Timeout: int.optional(),
  Environment: Variables.optional(),
  Runtime: str.optional(),
  Namespace: str.optional(),
  Type: str.optional(),
  CodeSource: str.optional(),
  AutoDeployClsTopicIndex: str.optional(),
  AutoCreateClsTopic: str.optional(),
  ProtocolType: str.optional(),
  Layers: LAYERS,
  ...KEPT_SETTINGS,
});

const UpdateFunctionCode = z.strictObject({
  FunctionName: str,
  Handler: str.optional(),
  CosBucketName: str.optional(),
  CosObjectName: str.optional(),
  ZipFile: str.optional(),
  Namespace: str.optional(),
  CosBucketRegion: str.optional(),
  InstallDependency: str.optional(),
  EnvId: str.optional(),
  Publish: str.optional(),
  Code: CodeSchema.optional(),
  CodeSource: str.optional(),
});

const UpdateFunctionConfiguration = z.strictObject({
  FunctionName: str,
  Description: str.optional(),
  MemorySize: int.optional(),
  Timeout: int.optional(),
  Runtime: str.optional(),
  Environment: Variables.optional(),
  Namespace: str.optional(),
  Publish: str.optional(),
  L5Enable: str.optional(),
  IgnoreSysLog: bool.optional(),
  Layers: LAYERS,
  ...KEPT_SETTINGS,
});

const GetFunction = z.strictObject({
  FunctionName: str,
  Qualifier: str.optional(),
  Namespace: str.optional(),
  ShowCode: str.optional(),
  // Serverless Inc's clients send it on every call (TRUE or FALSE); Triggers are always answered.
  ShowTriggers: str.optional(),
});

const DeleteFunction = z.strictObject({
  FunctionName: str,
  Namespace: str.optional(),
  Qualifier: str.optional(),
  ForceDelete: str.optional(),
});

const DeleteFunctionVersion = DeleteFunction.extend({ Qualifier: str });

const ListFunctions = z.strictObject({
  Order: str.optional(),
  Orderby: str.optional(),
  Offset: int.optional(),
  Limit: int.optional(),
  SearchKey: str.optional(),
  Namespace: str.optional(),
  Description: str.optional(),
  Filters: ignored.optional(),
});

export function namespaceOf(value: string | undefined): string {
  return value === undefined || value === "" ? DEFAULT_NAMESPACE : rules.namespaceName(value);
}

/** The parameters that name a function in most actions. */
export interface FunctionParams {
  readonly FunctionName: string;
  readonly Namespace?: string | undefined;
}

/** The function the parameters name, both names checked (the namespace first). */
export function functionOf(ctx: ScfContext, p: FunctionParams): FunctionRef {
  return { scope: ctx.scope, namespace: namespaceOf(p.Namespace), name: rules.functionRef(p.FunctionName) };
}

/** The bucket name that means "a host directory" (LocalStack's convention): `CosObjectName` is its absolute path. */
export const HOT_RELOAD_BUCKET = "hot-reload";

/**
 * Inline zips are stored in Quiver; the `hot-reload` bucket names a host directory the head
 * runs (hot reload). Other COS, demo, Git and image sources have no backing service here.
 */
function codeSourceOf(code: z.infer<typeof CodeSchema> | undefined, topLevel: { ZipFile?: string | undefined; CosBucketName?: string | undefined; CosObjectName?: string | undefined } = {}): CodeSource {
  const bucket = topLevel.CosBucketName ?? code?.CosBucketName;
  if (bucket === HOT_RELOAD_BUCKET && topLevel.ZipFile === undefined && code?.ZipFile === undefined) {
    const dir = topLevel.CosObjectName ?? code?.CosObjectName;
    if (dir === undefined || dir === "") throw new QuiverError("MissingParameter", `The "${HOT_RELOAD_BUCKET}" bucket needs CosObjectName: the absolute path of the directory to run.`, { parameter: "Code" });
    return { hotReloadDir: dir };
  }
  return { zip: zipOf(code, topLevel.ZipFile), fileName: "", webBootstrap: WEB_BOOTSTRAP.scf };
}

/** Only inline zips are stored in Quiver; COS, demo, Git and image sources have no backing service here. */
function zipOf(code: z.infer<typeof CodeSchema> | undefined, topLevelZip?: string): Buffer {
  const zip = topLevelZip ?? code?.ZipFile;
  if (zip !== undefined) return rules.zipFromBase64(zip);
  const other = code && Object.keys(code).find((key) => code[key as keyof typeof code] !== undefined);
  if (other) {
    throw new QuiverError("InvalidParameter", `Code.${other} is not supported by Quiver, which has no COS, demo, Git or image registry; send the code as a base64 Code.ZipFile.`, { parameter: "Code" });
  }
  throw new QuiverError("CodeMissing", "The code is missing: send it as a base64 zip in Code.ZipFile.", { parameter: "Code" });
}

const createFunction: ScfAction = async (ctx, params) => {
  const p = parseParams(CreateFunction, params);
  const name = rules.functionName(p.FunctionName);
  if (p.Runtime === undefined) {
    throw new QuiverError("MissingParameter", "Runtime is required: SCF's default, Python2.7, cannot run on Quiver; use e.g. Nodejs18.15 or Python3.9.", { parameter: "Runtime" });
  }
  if (p.Type !== undefined && p.Type !== "Event" && p.Type !== "HTTP") throw new QuiverError("InvalidParameter", `Type "${p.Type}" is invalid: Event or HTTP.`, { parameter: "Type" });
  const config: FunctionConfig = {
    runtime: scfRuntime(p.Runtime),
    handler: rules.handler(p.Handler ?? "index.main_handler"),
    memoryMb: rules.memorySize(p.MemorySize ?? 128),
    timeoutSec: rules.timeout(p.Timeout ?? 3),
    description: rules.description(p.Description ?? ""),
    environment: rules.environment(p.Environment?.Variables ?? []),
    type: p.Type === "HTTP" ? "HTTP" : "Event",
    publicNetwork: publicNetworkOf(p.PublicNetConfig) ?? false,
    layers: await bindLayers(ctx, p.Layers ?? []),
    extras: { scf: keptSettings(p) },
  };
  const code = codeSourceOf(p.Code);
  await ctx.service.functions.create(ctx.scope, {
    namespace: namespaceOf(p.Namespace),
    name,
    config,
    code,
    maxFunctions: ctx.config.limits.maxFunctionsPerNamespace,
  });
  return {};
};

const getFunction: ScfAction = async (ctx, params) => {
  const p = parseParams(GetFunction, params);
  const qualifier = p.Qualifier === undefined || p.Qualifier === "" ? LATEST : p.Qualifier;
  const ref = functionOf(ctx, p);
  const { fn, version } = await resolveForGet(ref, qualifier, ctx);
  const layers = await boundLayersOut(ctx, (version ?? fn).config.layers ?? []);
  return getFunctionOut(fn, version, await functionTriggersOut(ctx, ref), layers);
};

/**
 * `$LATEST`, a version, or an alias standing for its main version: the faas client asks
 * GetFunction with the alias it is about to invoke through. A name that is neither keeps the
 * version's not-found error.
 */
async function resolveForGet(ref: FunctionRef, qualifier: string, ctx: ScfContext): Promise<ResolvedQualifier> {
  try {
    return await ctx.service.versions.resolve(ref, qualifier);
  } catch (error) {
    if (!isQuiverError(error) || error.code !== "VersionNotFound") throw error;
    const alias = await ctx.service.aliases.find(await ctx.service.functions.get(ref), qualifier);
    if (!alias) throw error;
    return ctx.service.versions.resolve(ref, alias.version);
  }
}

const updateFunctionCode: ScfAction = async (ctx, params) => {
  const p = parseParams(UpdateFunctionCode, params);
  const namespace = namespaceOf(p.Namespace);
  const code = codeSourceOf(p.Code, p);
  const handler = p.Handler === undefined ? undefined : rules.handler(p.Handler);
  const ref: FunctionRef = { scope: ctx.scope, namespace, name: rules.functionRef(p.FunctionName) };
  await ctx.service.functions.updateCode(ref, code, (current) => ({ ...current, handler: handler ?? current.handler }));
  if (isTrue(p.Publish)) await publishAfterUpdate(ctx, ref);
  return {};
};

const updateFunctionConfiguration: ScfAction = async (ctx, params) => {
  const p = parseParams(UpdateFunctionConfiguration, params);
  const namespace = namespaceOf(p.Namespace);
  const memory = p.MemorySize === undefined ? undefined : rules.memorySize(p.MemorySize);
  const timeout = p.Timeout === undefined ? undefined : rules.timeout(p.Timeout);
  const description = p.Description === undefined ? undefined : rules.description(p.Description);
  const environment = p.Environment === undefined ? undefined : rules.environment(p.Environment.Variables ?? []);
  const runtime = p.Runtime === undefined ? undefined : scfRuntime(p.Runtime);
  const ref: FunctionRef = { scope: ctx.scope, namespace, name: rules.functionRef(p.FunctionName) };
  // Layers replace the whole list; absent, the function keeps the ones it has.
  const layers = p.Layers === undefined ? undefined : await bindLayers(ctx, p.Layers);
  await ctx.service.functions.updateConfig(ref, (current) => {
    if (runtime && (runtime.family !== current.runtime.family || runtime.version !== current.runtime.version)) {
      throw new QuiverError("InvalidParameter", "Runtime cannot be changed after the function is created.", { parameter: "Runtime" });
    }
    return {
      ...current,
      publicNetwork: publicNetworkOf(p.PublicNetConfig) ?? current.publicNetwork ?? false,
      memoryMb: memory ?? current.memoryMb,
      timeoutSec: timeout ?? current.timeoutSec,
      description: description ?? current.description,
      environment: environment ?? current.environment,
      layers: layers ?? current.layers ?? [],
      extras: { ...current.extras, scf: { ...(current.extras["scf"] as object | undefined), ...keptSettings(p) } },
    };
  });
  if (isTrue(p.Publish)) await publishAfterUpdate(ctx, ref);
  return {};
};

async function publishAfterUpdate(ctx: ScfContext, ref: FunctionRef): Promise<void> {
  await ctx.service.versions.publish(ref, { description: "", naming: { kind: "next-number" }, maxVersions: ctx.config.limits.scfMaxVersions, expectedSha512: null });
}

/** `PublicNetConfig.PublicNetStatus`: ENABLE asks for public network; absent leaves it as it is. */
function publicNetworkOf(setting: { PublicNetStatus?: string | undefined } | undefined): boolean | undefined {
  const status = setting?.PublicNetStatus?.toUpperCase();
  if (status === undefined) return undefined;
  if (status !== "ENABLE" && status !== "DISABLE") throw new QuiverError("InvalidParameter", `PublicNetConfig.PublicNetStatus "${setting?.PublicNetStatus ?? ""}" is invalid: ENABLE or DISABLE.`, { parameter: "PublicNetConfig" });
  return status === "ENABLE";
}

function isTrue(value: string | undefined): boolean {
  return value?.toUpperCase() === "TRUE";
}

const deleteFunction: ScfAction = async (ctx, params) => {
  const p = parseParams(DeleteFunction, params);
  const ref = functionOf(ctx, p);
  if (p.Qualifier === undefined || p.Qualifier === "") await ctx.service.functions.delete(ref);
  else await ctx.service.versions.delete(ref, p.Qualifier);
  return {};
};

const deleteFunctionVersion: ScfAction = async (ctx, params) => {
  const p = parseParams(DeleteFunctionVersion, params);
  await ctx.service.versions.delete(functionOf(ctx, p), p.Qualifier);
  return {};
};

const listFunctions: ScfAction = async (ctx, params) => {
  const p = parseParams(ListFunctions, params);
  const query = getFunctionItemsQuery(p);
  if (query.namespace !== undefined) await ctx.service.namespaces.require(ctx.scope, query.namespace);
  const page = await ctx.service.functions.list(ctx.scope, query);
  const capacity = await ctx.service.capacity.byFunction(ctx.scope);
  const items = page.items.map((fn) => {
    const facts = capacity.get(fn.id);
    const cap = facts?.cap ?? null;
    const reservedMb = cap === null ? null : capInMemory(cap, fn.config.memoryMb);
    return listFunctionItem(fn, { reservedMb, provisionedMb: facts?.provisionedMb ?? 0 });
  });
  return { Functions: items, TotalCount: page.total };
};

const GetFunctionAddress = z.strictObject({
  FunctionName: str,
  Qualifier: str.optional(),
  Namespace: str.optional(),
});

/**
 * GetFunctionAddress: a short-lived URL this server serves the package at, and its SHA-256
 * (hex). A hot-reloaded head's files are zipped and stored for it, as a publish would.
 */
const getFunctionAddress: ScfAction = async (ctx, params) => {
  const p = parseParams(GetFunctionAddress, params);
  const qualifier = p.Qualifier === undefined || p.Qualifier === "" ? LATEST : p.Qualifier;
  const ref = functionOf(ctx, p);
  const code = await ctx.service.versions.packageOf(ref, qualifier);
  const target = { region: ctx.scope.region, namespace: ref.namespace, functionName: ref.name, qualifier, sha256: code.sha256 };
  return { Url: signedCodeUrl(ctx.apiBase, ctx.account, target, Date.now() / 1000), CodeSha256: code.sha256 };
};

/** Function actions by wire name, at the rates Tencent documents (per account, per second). */
export const FUNCTION_ACTIONS: Readonly<Record<string, Action<ScfAction>>> = {
  CreateFunction: { handler: createFunction, ratePerSecond: 100 },
  GetFunction: { handler: getFunction, ratePerSecond: 100 },
  UpdateFunctionCode: { handler: updateFunctionCode, ratePerSecond: 100 },
  UpdateFunctionConfiguration: { handler: updateFunctionConfiguration, ratePerSecond: 100 },
  DeleteFunction: { handler: deleteFunction, ratePerSecond: 100 },
  DeleteFunctionVersion: { handler: deleteFunctionVersion, ratePerSecond: 100 },
  ListFunctions: { handler: listFunctions, ratePerSecond: 100 },
  // Tencent documents no rate for it; the same as GetFunction.
  GetFunctionAddress: { handler: getFunctionAddress, ratePerSecond: 100 },
};
