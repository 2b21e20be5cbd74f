import { z } from "zod";
import { invalid } from "../../../core/errors.js";
import { namespaceOut } from "../map-out.js";
import * as rules from "../rules.js";
import { ignored, int, parseParams, str } from "../schema.js";
import { atRate, type Action } from "../../shared/pipeline.js";
import type { ScfAction } from "./context.js";

const CreateNamespace = z.strictObject({ Namespace: str, Description: str.optional(), ResourceEnv: ignored.optional() });
const UpdateNamespace = z.strictObject({ Namespace: str, Description: str });
const DeleteNamespace = z.strictObject({ Namespace: str });
const ListNamespaces = z.strictObject({
  Limit: int.optional(),
  Offset: int.optional(),
  Orderby: str.optional(),
  Order: str.optional(),
  SearchKey: z.array(z.strictObject({ Key: str, Value: str })).optional(),
});

const createNamespace: ScfAction = async (ctx, params) => {
  const p = parseParams(CreateNamespace, params);
  const name = p.Namespace === "default" ? p.Namespace : rules.namespaceName(p.Namespace, "NamespaceInvalid");
  await ctx.service.createNamespace(ctx.scope, name, rules.description(p.Description ?? ""), ctx.config.limits.maxNamespaces);
  return {};
};

const updateNamespace: ScfAction = async (ctx, params) => {
  const p = parseParams(UpdateNamespace, params);
  await ctx.service.updateNamespace(ctx.scope, p.Namespace, rules.description(p.Description));
  return {};
};

const deleteNamespace: ScfAction = async (ctx, params) => {
  const p = parseParams(DeleteNamespace, params);
  await ctx.service.deleteNamespace(ctx.scope, p.Namespace);
  return {};
};

const listNamespaces: ScfAction = async (ctx, params) => {
  const p = parseParams(ListNamespaces, params);
  const { offset, limit } = rules.paging(p.Offset, p.Limit);
  const orderBy = p.Orderby === undefined || p.Orderby === "" ? "Name" : p.Orderby;
  if (orderBy !== "Name" && orderBy !== "Updatetime") throw invalid("OrderBy", `Orderby "${orderBy}" is invalid: Name or Updatetime.`);
  const search = p.SearchKey ?? [];
  for (const key of search) {
    if (key.Key !== "Namespace" && key.Key !== "Description") throw invalid("SearchKey", `SearchKey.Key "${key.Key}" is invalid: Namespace or Description.`);
  }
  const nameContains = search.find((k) => k.Key === "Namespace")?.Value;
  const descriptionContains = search.find((k) => k.Key === "Description")?.Value;
  const page = await ctx.service.listNamespaces(ctx.scope, {
    offset,
    limit,
    order: rules.order(p.Order, "ASC"),
    orderBy: orderBy === "Name" ? "name" : "updatedAt",
    ...(nameContains ? { nameContains } : {}),
    ...(descriptionContains ? { descriptionContains } : {}),
  });
  return { Namespaces: page.items.map(namespaceOut), TotalCount: page.total };
};

/** Namespace actions by wire name, at the rate Tencent documents (per account, per second). */
export const NAMESPACE_ACTIONS: Readonly<Record<string, Action<ScfAction>>> = atRate(20, {
  CreateNamespace: createNamespace,
  UpdateNamespace: updateNamespace,
  DeleteNamespace: deleteNamespace,
  ListNamespaces: listNamespaces,
});
