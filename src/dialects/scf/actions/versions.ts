import { z } from "zod";
import { invalid } from "../../../core/errors.js";
import { latestItem, publishOut, versionItem } from "../map-out.js";
import * as rules from "../rules.js";
import { int, parseParams, str } from "../schema.js";
import type { Action } from "../../shared/pipeline.js";
import type { ScfAction } from "./context.js";
import { namespaceOf } from "./functions.js";

const PublishVersion = z.strictObject({
  FunctionName: str,
  Description: str.optional(),
  Namespace: str.optional(),
});

const ListVersionByFunction = z.strictObject({
  FunctionName: str,
  Namespace: str.optional(),
  Offset: int.optional(),
  Limit: int.optional(),
  Order: str.optional(),
  OrderBy: str.optional(),
});

const publishVersion: ScfAction = async (ctx, params) => {
  const p = parseParams(PublishVersion, params);
  const namespace = namespaceOf(p.Namespace);
  const description = rules.description(p.Description ?? "");
  const { version } = await ctx.service.publish(ctx.scope, namespace, rules.functionRef(p.FunctionName), {
    description,
    naming: { kind: "next-number" },
    maxVersions: ctx.config.limits.scfMaxVersions,
    expectedSha512: null,
  });
  return publishOut(namespace, version);
};

/**
 * `$LATEST` always comes first, then the published versions in the requested order, and
 * Offset/Limit page through that combined list (the official example: `["$LATEST","3","2","1"]`).
 */
const listVersionByFunction: ScfAction = async (ctx, params) => {
  const p = parseParams(ListVersionByFunction, params);
  const { offset, limit } = rules.paging(p.Offset, p.Limit);
  if (p.OrderBy !== undefined && p.OrderBy !== "" && p.OrderBy !== "AddTime" && p.OrderBy !== "ModTime") {
    throw invalid("OrderBy", `OrderBy "${p.OrderBy}" is invalid: AddTime or ModTime.`);
  }
  const order = rules.order(p.Order, "DESC");
  const includeLatest = offset === 0;
  const { fn, page } = await ctx.service.listVersions(ctx.scope, namespaceOf(p.Namespace), rules.functionRef(p.FunctionName), {
    offset: Math.max(0, offset - 1),
    limit: includeLatest ? limit - 1 : limit,
    order,
    orderBy: p.OrderBy === "ModTime" ? "updatedAt" : "createdAt",
  });
  const items = [...(includeLatest ? [latestItem(fn)] : []), ...page.items.map(versionItem)];
  return {
    FunctionVersion: items.map((item) => item["Version"]),
    Versions: items,
    TotalCount: page.total + 1,
  };
};

/** Version actions by wire name, at the rates Tencent documents (per account, per second). */
export const VERSION_ACTIONS: Readonly<Record<string, Action<ScfAction>>> = {
  PublishVersion: { handler: publishVersion, ratePerSecond: 20 },
  ListVersionByFunction: { handler: listVersionByFunction, ratePerSecond: 20 },
};
