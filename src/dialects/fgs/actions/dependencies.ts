import { z } from "zod";
import { QuiverError, invalid, isQuiverError } from "../../../core/errors.js";
import type { BoundLayer, LayerVersionRecord } from "../../../core/layers.js";
import type { RuntimeId } from "../../../core/model.js";
import { dependencyOut, dependencyPackageOut } from "../map-out.js";
import * as rules from "../rules.js";
import { fgsRuntime } from "../runtimes.js";
import { jsonBody, parseBody } from "../schema.js";
import { atRate } from "../../shared/pipeline.js";
import { noContent, ok, queryValue, type FgsActions, type FgsContext, type FgsOperation } from "./context.js";

/** A dependency's name: up to 96 letters, digits, `_`, `.` or `-`, starting with a letter and ending with a letter or digit. */
const DEPENDENCY_NAME = /^[A-Za-z]([A-Za-z0-9_.-]{0,94}[A-Za-z0-9])?$/;
const MAX_DESCRIPTION = 512;
/** A dependency zip sent in the request: at most 40 MB (larger ones go through OBS, which Quiver has not). */
const MAX_DEPENDENCY_ZIP_BYTES = 40 * 1024 * 1024;
/** Dependencies one function may use (FunctionGraph documents 20). */
export const MAX_DEPENDENCIES = 20;

const opt = <T extends z.ZodType>(schema: T) => schema.nullish();

const CreateDependencyVersion = z.object({
  depend_type: z.string(),
  depend_file: opt(z.string()),
  depend_link: opt(z.string()),
  runtime: z.string(),
  name: z.string(),
  description: opt(z.string()),
});

function dependencyName(name: string): string {
  if (!DEPENDENCY_NAME.test(name)) {
    throw invalid("dependency.name", `Dependency name "${name}" is invalid: up to 96 letters, digits, '_', '.' or '-', starting with a letter and ending with a letter or digit.`);
  }
  return name;
}

/** The runtime a dependency is for; one Quiver cannot run is refused as an invalid dependency. */
function dependencyRuntime(name: string): RuntimeId {
  try {
    return fgsRuntime(name);
  } catch (error) {
    if (!isQuiverError(error)) throw error;
    throw invalid("dependency.runtime", error.message);
  }
}

/** Only `depend_type: zip` with the zip in `depend_file` can be stored: there is no OBS here. */
function dependencyZip(type: string, file: string | null | undefined): Buffer {
  if (type === "obs") throw invalid("depend_link", "depend_type obs is not supported by Quiver, which has no OBS; send the zip as base64 in depend_file with depend_type zip.");
  if (type !== "zip") throw invalid("depend_type", `depend_type "${type}" is invalid: zip or obs.`);
  const zip = rules.codeFromBase64(file ?? undefined, false);
  if (zip.length > MAX_DEPENDENCY_ZIP_BYTES) throw invalid("depend_file", `The dependency zip is ${zip.length} bytes; at most ${MAX_DEPENDENCY_ZIP_BYTES} (40 MB) are allowed in depend_file.`);
  return zip;
}

/** Creates the next version of the named dependency (its first creates the package). */
const createDependencyVersion: FgsOperation = async (ctx) => {
  const p = parseBody(CreateDependencyVersion, jsonBody(ctx.body));
  const name = dependencyName(p.name);
  const runtime = dependencyRuntime(p.runtime);
  const description = p.description ?? "";
  if (description.length > MAX_DESCRIPTION) throw invalid("dependency.description", `description is ${description.length} characters long; at most ${MAX_DESCRIPTION} are allowed.`);
  const version = await ctx.service.layers.publish(ctx.scope, {
    name,
    description,
    license: "",
    compatibleRuntimes: [runtime],
    architecture: "x86_64",
    zip: dependencyZip(p.depend_type, p.depend_file),
    fileName: `${name}.zip`,
    extras: {},
    maxVersions: ctx.config.limits.maxLayerVersions,
    maxLayers: ctx.config.limits.maxLayers,
  });
  return ok(dependencyOut(ctx.out, version));
};

/** One entry per package (its latest version, `id` the package id); FunctionGraph's public dependencies are none here. */
const listDependencies: FgsOperation = async (ctx) => {
  const { offset, limit } = rules.paging(queryValue(ctx, "marker"), queryValue(ctx, "maxitems") ?? queryValue(ctx, "limit"));
  const type = queryValue(ctx, "dependency_type");
  if (type !== undefined && type !== "" && type !== "public" && type !== "private" && type !== "all") {
    throw invalid("dependency_type", `dependency_type "${type}" is invalid: public, private or all.`);
  }
  if (type === "public" || queryValue(ctx, "ispublic") === "true") return ok({ dependencies: [], next_marker: offset, count: 0 });
  const runtime = queryValue(ctx, "runtime");
  const name = queryValue(ctx, "name");
  const page = await ctx.service.layers.list(ctx.scope, {
    offset,
    limit,
    ...(runtime ? { runtime: dependencyRuntime(runtime) } : {}),
    ...(name ? { nameContains: name } : {}),
  });
  return ok({ dependencies: page.items.map((layer) => dependencyPackageOut(ctx.out, layer)), next_marker: offset + page.items.length, count: page.total });
};

/** The versions of the package `{depend_id}` names, newest first. */
async function packageVersions(ctx: FgsContext): Promise<LayerVersionRecord[]> {
  const id = ctx.dependency?.id;
  if (id === undefined) throw invalid("depend_id", "The request names no dependency.");
  return ctx.service.layers.versions(ctx.scope, { layerId: id });
}

async function packageVersion(ctx: FgsContext): Promise<LayerVersionRecord> {
  const versions = await packageVersions(ctx);
  const wanted = ctx.dependency?.version ?? "";
  const found = /^\d{1,15}$/.test(wanted) ? versions.find((v) => v.version === Number(wanted)) : undefined;
  if (!found) throw new QuiverError("LayerNotFound", `Dependency "${versions[0]?.name ?? ""}" has no version ${wanted}.`, { subject: "layerVersion" });
  return found;
}

const listDependencyVersion: FgsOperation = async (ctx) => {
  const { offset, limit } = rules.paging(queryValue(ctx, "marker"), queryValue(ctx, "maxitems"));
  const versions = await packageVersions(ctx);
  const page = versions.slice(offset, offset + limit);
  return ok({ dependencies: page.map((version) => dependencyOut(ctx.out, version)), next_marker: offset + page.length, count: versions.length });
};

/** One version, with `download_link`: a short-lived URL of its zip (the same as its `link`). */
const showDependencyVersion: FgsOperation = async (ctx) => {
  const version = await packageVersion(ctx);
  return ok({ ...dependencyOut(ctx.out, version), download_link: ctx.out.layerUrl(version) });
};

/** Refused (412 FSS.1033) while a function or function version uses it, as FunctionGraph documents. */
const deleteDependencyVersion: FgsOperation = async (ctx) => {
  const version = await packageVersion(ctx);
  await ctx.service.layers.delete(ctx.scope, { name: version.name, version: version.version }, "refuse-in-use");
  return noContent;
};

/**
 * `depend_version_list` of createFunction, updateFunctionCode and updateFunctionConfig: dependency
 * version ids of the caller's project, bound in order (another account's is FSS.1056, as one
 * that never existed).
 */
export function bindDependencies(ctx: FgsContext, ids: readonly string[]): Promise<BoundLayer[]> {
  return ctx.service.layers.bindByIds(ctx.scope, ids, MAX_DEPENDENCIES);
}

/** Dependency operations by the SDK's method names. FunctionGraph documents no rates: Quiver's own, as SCF's layer actions. */
export const DEPENDENCY_ACTIONS = atRate(20, {
  createDependencyVersion,
  listDependencies,
  listDependencyVersion,
  showDependencyVersion,
  deleteDependencyVersion,
}) satisfies FgsActions;
