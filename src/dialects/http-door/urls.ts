import { DoorError } from "../shared/trigger-http.js";

/**
 * The two trigger URL shapes read back from a request path (the inverse of `TriggerUrls`).
 * Segments are percent-decoded; the part below the trigger is also kept as sent, for web
 * functions, whose servers see the path exactly as the client sent it.
 */

export interface ScfTriggerAddress {
  readonly appId: string;
  readonly region: string;
  readonly namespace: string;
  readonly functionName: string;
  readonly triggerName: string;
  /** The decoded path below the trigger's URL; `/` for none. */
  readonly below: string;
  readonly rawBelow: string;
}

export interface ApigTriggerAddress {
  readonly projectId: string;
  /** The decoded API path (below the project); `/` for none. */
  readonly path: string;
  readonly rawPath: string;
}

const SCF_PREFIX = "/scf/".length;
const APIG_PREFIX = "/apig/".length;

/** `/scf/{appId}/{region}/{namespace}/{function}/{trigger}[/below]`; null when a part is missing. */
export function scfAddress(rawPath: string): ScfTriggerAddress | null {
  const segments = splitPath(rawPath, SCF_PREFIX);
  const [appId, region, namespace, functionName, triggerName] = segments;
  if (appId === undefined || region === undefined || namespace === undefined || functionName === undefined || triggerName === undefined) return null;
  const below = segments.length > 5 ? `/${segments.slice(5).join("/")}` : "/";
  return { appId, region, namespace, functionName, triggerName, below, rawBelow: rawAfterSegments(rawPath, SCF_PREFIX, 5) };
}

/** `/apig/{projectId}{path}`. */
export function apigAddress(rawPath: string): ApigTriggerAddress {
  const slash = rawPath.indexOf("/", APIG_PREFIX);
  const projectId = decodeSegment(slash < 0 ? rawPath.slice(APIG_PREFIX) : rawPath.slice(APIG_PREFIX, slash));
  if (slash < 0) return { projectId, path: "/", rawPath: "/" };
  return { projectId, path: `/${splitPath(rawPath, slash + 1).join("/")}`, rawPath: rawPath.slice(slash) };
}

/** The decoded segments of `rawPath` from `start` on; a trailing `/` is kept as an empty last segment. */
function splitPath(rawPath: string, start: number): string[] {
  return rawPath.length <= start ? [] : rawPath.slice(start).split("/").map(decodeSegment);
}

/** The raw path after `count` segments that start at `start`; `/` when nothing follows them. */
function rawAfterSegments(rawPath: string, start: number, count: number): string {
  let at = start;
  for (let i = 0; i < count; i++) {
    const next = rawPath.indexOf("/", at);
    if (next < 0) return "/";
    at = next + 1;
  }
  return rawPath.slice(at - 1);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new DoorError("bad-request", `The path segment "${segment}" is not validly percent-encoded.`);
  }
}
