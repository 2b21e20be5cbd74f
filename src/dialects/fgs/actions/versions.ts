import { z } from "zod";
import type { FunctionRecord, VersionRecord } from "../../../core/model.js";
import { metadataOut, type Snapshot } from "../map-out.js";
import * as rules from "../rules.js";
import { given, jsonBody, parseBody } from "../schema.js";
import { functionRef, ok, queryValue, type FgsContext, type FgsActions, type FgsOperation } from "./context.js";
import { atRate } from "../../shared/pipeline.js";

/** What a publish asks for, whichever API version carried it. */
export interface PublishRequest {
  readonly version: string | undefined;
  readonly description: string | undefined;
  readonly digest: string | undefined;
}

/**
 * Publishes latest as a new version. The function comes from the first seven URN fields; any
 * qualifier is ignored, since clients send `:latest`, nothing, or even the new version's name.
 * Without a name the version is called `v<yyyyMMdd-HHmmss>`; a second unnamed publish in the
 * same second gets `-2`, `-3`, … appended rather than failing.
 */
export async function publish(ctx: FgsContext, request: PublishRequest): Promise<{ fn: FunctionRecord; version: VersionRecord }> {
  const ref = functionRef(ctx);
  const description = rules.description(request.description ?? "");
  const naming = request.version === undefined
    ? { kind: "unique" as const, base: rules.defaultVersionName(ctx.now) }
    : { kind: "exact" as const, name: rules.versionName(request.version) };
  return ctx.service.publish(ctx.scope, ref.package, ref.name, {
    description,
    naming,
    maxVersions: ctx.config.limits.fgsMaxVersions,
    expectedSha512: request.digest ?? null,
  });
}

/**
 * `latest` first, then the published versions newest first; `marker` (an offset) and
 * `maxitems` page through that combined list, whose length is `count`.
 */
export async function listVersionSnapshots(ctx: FgsContext): Promise<{ items: Snapshot[]; nextMarker: number; count: number }> {
  const ref = functionRef(ctx);
  const { offset, limit } = rules.paging(queryValue(ctx, "marker"), queryValue(ctx, "maxitems"));
  const includeLatest = offset === 0;
  const { fn, page } = await ctx.service.listVersions(ctx.scope, ref.package, ref.name, {
    offset: Math.max(0, offset - 1),
    limit: includeLatest ? limit - 1 : limit,
    order: "DESC",
    orderBy: "createdAt",
  });
  const items: Snapshot[] = [...(includeLatest ? [{ fn, version: null }] : []), ...page.items.map((version) => ({ fn, version }))];
  return { items, nextMarker: offset + items.length, count: page.total + 1 };
}

const PublishBody = z.object({
  version: z.string().nullish(),
  description: z.string().nullish(),
  digest: z.string().nullish(),
});

const createFunctionVersion: FgsOperation = async (ctx) => {
  const p = parseBody(PublishBody, jsonBody(ctx.body));
  const { fn, version } = await publish(ctx, { version: given(p.version), description: given(p.description), digest: given(p.digest) });
  return ok(metadataOut(ctx.out, { fn, version }));
};

const listFunctionVersions: FgsOperation = async (ctx) => {
  const { items, nextMarker, count } = await listVersionSnapshots(ctx);
  return ok({ versions: items.map((snap) => metadataOut(ctx.out, snap)), next_marker: nextMarker, count });
};

/** Version operations by wire name, at SCF's documented version rate (FunctionGraph documents none). */
export const VERSION_ACTIONS = atRate(20, { createFunctionVersion, listFunctionVersions }) satisfies FgsActions;
