import { invalid } from "../../../core/errors.js";
import type { ListFunctionsQuery } from "../../../core/ports.js";
import * as rules from "../rules.js";

const ORDER_BY: ReadonlyMap<string, ListFunctionsQuery["orderBy"]> = new Map([
  ["AddTime", "createdAt"],
  ["ModTime", "updatedAt"],
  ["FunctionName", "name"],
] as const);

/** ListFunctions parameters → the store query. Without a namespace, `default` is listed, as SCF does. */
export function getFunctionItemsQuery(p: { Order?: string | undefined; Orderby?: string | undefined; Offset?: number | undefined; Limit?: number | undefined; SearchKey?: string | undefined; Namespace?: string | undefined; Description?: string | undefined }): ListFunctionsQuery {
  const orderByKey = p.Orderby === undefined || p.Orderby === "" ? "AddTime" : p.Orderby;
  const orderBy = ORDER_BY.get(orderByKey);
  if (orderBy === undefined) throw invalid("OrderBy", `Orderby "${orderByKey}" is invalid: AddTime, ModTime or FunctionName.`);
  const { offset, limit } = rules.paging(p.Offset, p.Limit);
  return {
    namespace: p.Namespace === undefined || p.Namespace === "" ? "default" : rules.namespaceName(p.Namespace),
    ...(p.SearchKey ? { nameContains: p.SearchKey } : {}),
    ...(p.Description ? { descriptionContains: p.Description } : {}),
    offset,
    limit,
    order: rules.order(p.Order, "DESC"),
    orderBy,
  };
}
