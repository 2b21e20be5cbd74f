import { QuiverError } from "../../core/errors.js";
import { DEFAULT_NAMESPACE } from "../../core/model.js";

/**
 * Function URNs (as the FunctionGraph API reference defines them):
 * `urn:fss:<region>:<project>:function:<package>:<name>[:<version> | :!<alias>]`, plus the
 * documented short forms `name`, `package:name`, `project:package:name` and
 * `project:package:name:qualifier`.
 */
export interface FunctionUrn {
  readonly package: string;
  readonly name: string;
  /** `latest`, a version name, `!alias`, or null when the URN names no qualifier. */
  readonly qualifier: string | null;
}

export interface UrnContext {
  readonly region: string;
  readonly projectId: string;
}

const bad = (urn: string, why: string): QuiverError =>
  new QuiverError("InvalidParameter", `The function URN "${urn}" is invalid: ${why}.`, { parameter: "function_urn" });

export function parseFunctionUrn(urn: string, ctx: UrnContext): FunctionUrn {
  const fields = urn.split(":");
  if (fields.some((field) => field === "")) throw bad(urn, "it has an empty field");
  switch (fields.length) {
    case 1:
      return ref(urn, DEFAULT_NAMESPACE, fields[0], null);
    case 2:
      return ref(urn, fields[0], fields[1], null);
    case 3:
    case 4:
      checkProject(urn, fields[0], ctx);
      return ref(urn, fields[1], fields[2], fields[3] ?? null);
    case 7:
    case 8:
      return fullUrn(urn, fields, ctx);
    default:
      throw bad(urn, "use urn:fss:<region>:<project>:function:<package>:<name>[:<qualifier>] or a documented short form");
  }
}

function fullUrn(urn: string, fields: readonly string[], ctx: UrnContext): FunctionUrn {
  const [urnWord, fss, region, project, fnWord, pkg, name, qualifier] = fields;
  if (urnWord !== "urn" || fss !== "fss" || fnWord !== "function") throw bad(urn, "a full URN starts with urn:fss: and has 'function' as its fifth field");
  if (region !== ctx.region) throw bad(urn, `region ${region ?? ""} is not this endpoint's region ${ctx.region}`);
  checkProject(urn, project, ctx);
  return ref(urn, pkg, name, qualifier ?? null);
}

function checkProject(urn: string, project: string | undefined, ctx: UrnContext): void {
  if (project !== ctx.projectId) {
    throw new QuiverError("AuthForbidden", `The URN "${urn}" names project ${project ?? ""}, not the project ${ctx.projectId} of the request.`);
  }
}

function ref(urn: string, pkg: string | undefined, name: string | undefined, qualifier: string | null): FunctionUrn {
  if (pkg === undefined || name === undefined) throw bad(urn, "the package or function name is missing");
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(pkg) || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw bad(urn, "package and name are letters, digits, '_' or '-'");
  if (qualifier !== null && !/^!?[A-Za-z0-9_.-]{1,64}$/.test(qualifier)) throw bad(urn, "the qualifier is not a version name or !alias");
  return { package: pkg, name, qualifier };
}

/** `urn:fss:<region>:<project>:function:<package>:<name>` and, with a qualifier, `:<qualifier>`. */
export function functionUrn(ctx: UrnContext, pkg: string, name: string, qualifier?: string): string {
  const base = `urn:fss:${ctx.region}:${ctx.projectId}:function:${pkg}:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}
