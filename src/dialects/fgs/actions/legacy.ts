import { z } from "zod";
import { legacyMetadataOut } from "../map-out.js";
import { given, jsonBody, parseBody } from "../schema.js";
import { functionRef, ok, versionOfQualifier, type FgsActions, type FgsOperation } from "./context.js";
import { listVersionSnapshots, publish } from "./versions.js";

/**
 * The legacy v1.0 API (`/v1.0/{project_id}/fss/...`, PascalCase bodies), sharing storage and
 * rules with v2. The legacy Java client posts whole metadata objects, so keys other than
 * `Digest`, `Version` and `Description` are ignored, and `""` means "not given".
 */
const LegacyPublish = z.object({
  Digest: z.string().nullish(),
  Version: z.string().nullish(),
  Description: z.string().nullish(),
});

const legacyPublish: FgsOperation = async (ctx) => {
  const p = parseBody(LegacyPublish, jsonBody(ctx.body));
  const { fn, version } = await publish(ctx, { version: given(p.Version), description: given(p.Description), digest: given(p.Digest) });
  return ok(legacyMetadataOut(ctx.out, { fn, version }));
};

const legacyListVersions: FgsOperation = async (ctx) => {
  const { items, nextMarker } = await listVersionSnapshots(ctx);
  const versions = items.map((snap) => ({ ...legacyMetadataOut(ctx.out, snap), VersionUrn: legacyMetadataOut(ctx.out, snap)["FuncUrn"] }));
  return ok({ Versions: versions, NextMarker: nextMarker });
};

const legacyShowConfig: FgsOperation = async (ctx) => {
  const ref = functionRef(ctx);
  const snap = await ctx.service.resolve(ctx.scope, ref.package, ref.name, await versionOfQualifier(ctx, ref));
  return ok(legacyMetadataOut(ctx.out, snap));
};

/** Legacy operations by wire name, at the rates of their v2 counterparts. */
export const LEGACY_ACTIONS = {
  legacyCreateFunctionVersion: { handler: legacyPublish, ratePerSecond: 20 },
  legacyListFunctionVersions: { handler: legacyListVersions, ratePerSecond: 20 },
  legacyShowFunctionConfig: { handler: legacyShowConfig, ratePerSecond: 100 },
} satisfies FgsActions;
