import { z } from "zod";
import { invalid } from "../../../core/errors.js";
import { latestItem, publishOut, versionItem } from "../map-out.js";
import * as rules from "../rules.js";
import { int, parseParams, str } from "../schema.js";
import type { Action } from "../../shared/pipeline.js";
import type { ScfAction } from "./context.js";
import { functionOf, namespaceOf } from "./functions.js";

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
  const { version } = await ctx.service.versions.publish({ scope: ctx.scope, namespace, name: rules.functionRef(p.FunctionName) }, {
    description,
    naming: { kind: "next-number" },
    maxVersions: ctx.config.limits.scfMaxVersions,
    expectedSha512: null,
  });
  return publishOut(namespace, version);
};

/** `$LATEST` first, then the published versions in the requested order; Offset/Limit page through both. */
const listVersionByFunction: ScfAction = async (ctx, params) => {
  const p = parseParams(ListVersionByFunction, params);
  const { offset, limit } = rules.paging(p.Offset, p.Limit);
  if (p.OrderBy !== undefined && p.OrderBy !== "" && p.OrderBy !== "AddTime" && p.OrderBy !== "ModTime") {
    throw invalid("OrderBy", `OrderBy "${p.OrderBy}" is invalid: AddTime or ModTime.`);
  }
  const order = rules.order(p.Order, "DESC");
  const page = await ctx.service.versions.list(functionOf(ctx, p), {
    offset,
    limit,
    order,
    orderBy: p.OrderBy === "ModTime" ? "updatedAt" : "createdAt",
  });
  const items = page.items.map(({ fn, version }) => (version ? versionItem(version) : latestItem(fn)));
  return {
    FunctionVersion: items.map((item) => item["Version"]),
    Versions: items,
    TotalCount: page.total,
  };
};

/** Version actions by wire name, at the rates Tencent documents (per account, per second). */
export const VERSION_ACTIONS: Readonly<Record<string, Action<ScfAction>>> = {
  PublishVersion: { handler: publishVersion, ratePerSecond: 20 },
  ListVersionByFunction: { handler: listVersionByFunction, ratePerSecond: 20 },
};
