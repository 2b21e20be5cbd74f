import { aliasTargets, type AliasRecord } from "../aliases.js";
import { QuiverError } from "../errors.js";

/**
 * A version may be deleted only while no alias routes to it, as its main or its additional
 * version. `aliases` are every alias of the function, read under the lock alias changes take.
 */
export function checkVersionDeletable(name: string, aliases: readonly AliasRecord[]): void {
  const users = aliases.filter((alias) => aliasTargets(alias).includes(name));
  if (users.length > 0) {
    throw new QuiverError("VersionInUse", `Version "${name}" cannot be deleted: alias ${users.map((a) => `"${a.name}"`).join(", ")} routes to it.`, { subject: "version" });
  }
}
