import type { VersionNaming } from "../../core/ports.js";
import type { PgQueryable } from "./driver.js";

/**
 * The version names `decidePublish` may ask about, loaded under the function's row lock
 * (its `isNameTaken` callback is synchronous):
 * - `next-number`: numeric names above the last number handed out (explicitly named versions
 *   such as FunctionGraph's `exact` "7" can hold a number the counter has not reached);
 * - `exact`: that one name;
 * - `unique`: the base and every `base-N`.
 */
export async function takenVersionNames(db: PgQueryable, functionId: string, lastNumber: number, naming: VersionNaming): Promise<Set<string>> {
  const query = namesQuery(naming, lastNumber);
  const { rows } = await db.query<{ name: string }>(`SELECT name FROM versions WHERE function_id = $1 AND ${query.condition}`, [functionId, ...query.args]);
  return new Set(rows.map((row) => row.name));
}

function namesQuery(naming: VersionNaming, lastNumber: number): { condition: string; args: unknown[] } {
  switch (naming.kind) {
    case "next-number":
      // At most 15 digits: the cast cannot overflow, and longer names can never be a counter value.
      // CASE, because SQL does not promise to test the pattern before attempting the cast.
      return { condition: "CASE WHEN name ~ '^[1-9][0-9]{0,14}$' THEN name::bigint > $2 ELSE false END", args: [lastNumber] };
    case "exact":
      return { condition: "name = $2", args: [naming.name] };
    case "unique":
      return { condition: "(name = $2 OR left(name, length($2) + 1) = $2 || '-')", args: [naming.base] };
  }
}
