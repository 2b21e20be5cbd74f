import { z } from "zod";
import { invalid, isQuiverError } from "../../../core/errors.js";
import type { BoundLayer } from "../../../core/layers.js";
import type { RuntimeId } from "../../../core/model.js";
import { LAYER_NAME, LAYER_NAME_RULE, MAX_LAYERS, MAX_TAGS } from "../kept-settings.js";
import { deletedLayerInfo, layerVersionInfo, layerVersionOut } from "../map-out.js";
import * as rules from "../rules.js";
import { scfRuntime } from "../runtimes.js";
import { boundedText, int, parseParams, str } from "../schema.js";
import { signedLayerUrl } from "../../shared/code-urls.js";
import { atRate, type Action } from "../../shared/pipeline.js";
import type { ScfAction, ScfContext } from "./context.js";

const Tag = z.strictObject({ Key: boundedText(127), Value: boundedText(255) });

/** A layer's zip: only inline (`ZipFile`); COS sources have no backing service here. */
const Content = z.strictObject({
  ZipFile: str.optional(),
  CosBucketName: str.optional(),
  CosObjectName: str.optional(),
  CosBucketRegion: str.optional(),
});

const PublishLayerVersion = z.strictObject({
  LayerName: str,
  CompatibleRuntimes: z.array(str),
  Content,
  Description: str.optional(),
  LicenseInfo: str.optional(),
  Tags: z.array(Tag).max(MAX_TAGS, `at most ${MAX_TAGS} tags per layer`).optional(),
  // Named in newer API references; Quiver runs the host's architecture and only records it.
  CompatibleArchitecture: boundedText(32).optional(),
});

const LayerVersionParams = z.strictObject({ LayerName: str, LayerVersion: int });

const ListLayers = z.strictObject({
  CompatibleRuntime: str.optional(),
  Offset: int.optional(),
  Limit: int.optional(),
  SearchKey: str.optional(),
});

const ListLayerVersions = z.strictObject({ LayerName: str, CompatibleRuntime: z.array(str).optional() });

/** SCF documents no limit for a layer's license text; Quiver's (docs/limits.md). */
const MAX_LICENSE_CHARS = 512;

function layerName(name: string): string {
  if (!LAYER_NAME.test(name)) throw invalid("LayerName", `LayerName "${name}" is invalid: ${LAYER_NAME_RULE}.`);
  return name;
}

function layerVersion(version: number): number {
  if (version < 1) throw invalid("LayerVersion", `LayerVersion ${version} is invalid: layer versions are numbered from 1.`);
  return version;
}

/** A runtime a layer is for, in SCF's spelling; refused with the parameter's own code. */
function compatibleRuntime(name: string, parameter: string): RuntimeId {
  try {
    return scfRuntime(name);
  } catch (error) {
    if (!isQuiverError(error)) throw error;
    throw invalid(parameter, error.message);
  }
}

function contentZip(content: z.infer<typeof Content>): Buffer {
  if (content.ZipFile !== undefined) return rules.zipFromBase64(content.ZipFile);
  if (Object.values(content).some((value) => value !== undefined)) {
    throw invalid("Content", "Content from COS is not supported by Quiver, which has no COS; send the layer as a base64 Content.ZipFile.");
  }
  throw invalid("Content", "Content is empty: send the layer as a base64 Content.ZipFile.");
}

const publishLayerVersion: ScfAction = async (ctx, params) => {
  const p = parseParams(PublishLayerVersion, params);
  const name = layerName(p.LayerName);
  if (p.CompatibleRuntimes.length === 0) throw invalid("CompatibleRuntimes", "CompatibleRuntimes is empty: name at least one runtime, e.g. Nodejs18.15.");
  const runtimes = p.CompatibleRuntimes.map((runtime) => compatibleRuntime(runtime, "CompatibleRuntimes"));
  if ((p.LicenseInfo ?? "").length > MAX_LICENSE_CHARS) throw invalid("LicenseInfo", `LicenseInfo is ${p.LicenseInfo?.length ?? 0} characters long; at most ${MAX_LICENSE_CHARS} are allowed.`);
  const version = await ctx.service.layers.publish(ctx.scope, {
    name,
    description: rules.description(p.Description ?? ""),
    license: p.LicenseInfo ?? "",
    compatibleRuntimes: runtimes,
    architecture: p.CompatibleArchitecture ?? "x86_64",
    zip: contentZip(p.Content),
    fileName: "",
    extras: p.Tags === undefined ? {} : { scf: { Tags: p.Tags } },
    maxVersions: ctx.config.limits.maxLayerVersions,
    maxLayers: ctx.config.limits.maxLayers,
  });
  return { LayerVersion: version.version };
};

/** The version's fields, with `Location`: a short-lived URL this server serves the zip at (as GetFunctionAddress serves code). */
const getLayerVersion: ScfAction = async (ctx, params) => {
  const p = parseParams(LayerVersionParams, params);
  const layer = await ctx.service.layers.get(ctx.scope, { name: layerName(p.LayerName), version: layerVersion(p.LayerVersion) });
  const target = { region: ctx.scope.region, layerName: layer.name, version: layer.version, sha256: layer.code.sha256 };
  return layerVersionOut(layer, signedLayerUrl(ctx.apiBase, ctx.account, target, Date.now() / 1000));
};

/** One entry per layer, describing its latest version (the SDK's ListLayers documents so). */
const listLayers: ScfAction = async (ctx, params) => {
  const p = parseParams(ListLayers, params);
  const { offset, limit } = rules.paging(p.Offset, p.Limit);
  const runtime = p.CompatibleRuntime === undefined || p.CompatibleRuntime === "" ? undefined : compatibleRuntime(p.CompatibleRuntime, "Runtime");
  const page = await ctx.service.layers.list(ctx.scope, { offset, limit, ...(p.SearchKey ? { nameContains: p.SearchKey } : {}), ...(runtime ? { runtime } : {}) });
  return { Layers: page.items.map(layerVersionInfo), TotalCount: page.total };
};

/** Every version of a layer, newest first; with CompatibleRuntime, those listing any of them. */
const listLayerVersions: ScfAction = async (ctx, params) => {
  const p = parseParams(ListLayerVersions, params);
  const wanted = (p.CompatibleRuntime ?? []).map((runtime) => compatibleRuntime(runtime, "Runtime"));
  const versions = await ctx.service.layers.versions(ctx.scope, { name: layerName(p.LayerName) });
  const matches = versions.filter((v) => wanted.length === 0 || v.compatibleRuntimes.some((r) => wanted.some((w) => w.family === r.family && w.version === r.version)));
  return { LayerVersions: matches.map(layerVersionInfo) };
};

/** SCF lets a layer version in use be deleted: functions bound to it keep running its files. */
const deleteLayerVersion: ScfAction = async (ctx, params) => {
  const p = parseParams(LayerVersionParams, params);
  await ctx.service.layers.delete(ctx.scope, { name: layerName(p.LayerName), version: layerVersion(p.LayerVersion) }, "allow-in-use");
  return {};
};

/**
 * `Layers` of CreateFunction / UpdateFunctionConfiguration, bound in the caller's scope (another
 * account's layer is ResourceNotFound.Layer, as one that never existed). Entries with an empty
 * LayerName unbind; the rest must name a version from 1.
 */
export async function bindLayers(ctx: ScfContext, layers: readonly { LayerName: string; LayerVersion: number }[]): Promise<BoundLayer[]> {
  const refs = layers.filter((layer) => layer.LayerName !== "").map((layer) => {
    if (layer.LayerVersion < 1) throw invalid("Layers", `Layer "${layer.LayerName}" needs a LayerVersion from 1; 0 only goes with an empty LayerName, to unbind.`);
    return { name: layer.LayerName, version: layer.LayerVersion };
  });
  return ctx.service.layers.bind(ctx.scope, refs, MAX_LAYERS);
}

/** GetFunction's `Layers`: each bound version's info, or `Deleted` for one deleted since it was bound. */
export async function boundLayersOut(ctx: ScfContext, layers: readonly BoundLayer[]): Promise<Record<string, unknown>[]> {
  return Promise.all(
    layers.map(async (layer) => {
      const current = await ctx.service.layers.get(ctx.scope, layer).catch((error: unknown) => {
        if (isQuiverError(error) && error.code === "LayerNotFound") return null;
        throw error;
      });
      return current && current.id === layer.id ? layerVersionInfo(current) : deletedLayerInfo(layer);
    }),
  );
}

/**
 * Layer actions by wire name. Tencent documents 20 per second for PublishLayerVersion and
 * ListLayers; the others' rates are not documented, and get the same.
 */
export const LAYER_ACTIONS: Readonly<Record<string, Action<ScfAction>>> = atRate(20, {
  PublishLayerVersion: publishLayerVersion,
  GetLayerVersion: getLayerVersion,
  ListLayers: listLayers,
  ListLayerVersions: listLayerVersions,
  DeleteLayerVersion: deleteLayerVersion,
});


