/** The global options of the client commands, and the platform they name. */
import { huaweiKeys, tencentKeys, type CredentialFlags } from "./credentials.js";
import { CliError, EXIT } from "./failure.js";
import { fgsPlatform } from "./fgs-platform.js";
import { makeOutput, type Output } from "./output.js";
import type { Platform } from "./platform.js";
import { scfPlatform } from "./scf-platform.js";

export interface GlobalOptions extends CredentialFlags {
  readonly endpoint?: string | undefined;
  readonly dialect?: string | undefined;
  readonly region?: string | undefined;
  readonly namespace?: string | undefined;
  readonly json?: boolean | undefined;
}

export const DEFAULT_REGION = "ap-guangzhou";

export interface Session {
  readonly platform: Platform;
  readonly out: Output;
  readonly namespace: string;
  readonly options: GlobalOptions;
}

export function dialectOf(options: GlobalOptions): "scf" | "fgs" {
  const dialect = options.dialect ?? "scf";
  if (dialect !== "scf" && dialect !== "fgs") throw new CliError(`--dialect must be scf or fgs, not "${dialect}"`, EXIT.usage);
  return dialect;
}

/** The platform the options name: credentials are looked up only here, when a command needs them. */
export function connect(options: GlobalOptions, regionHint?: string): Session {
  const out = makeOutput(options.json === true);
  const endpoint = options.endpoint ?? process.env["QUIVER_ENDPOINT"];
  if (endpoint !== undefined && !/^https?:\/\/[^/]+\/?$/.test(endpoint)) throw new CliError(`--endpoint must be a base URL such as http://127.0.0.1:9000, not "${endpoint}"`, EXIT.usage);
  const dialect = dialectOf(options);
  if (dialect === "scf") {
    const keys = tencentKeys(options, endpoint);
    const region = options.region ?? regionHint ?? process.env["TENCENTCLOUD_REGION"] ?? DEFAULT_REGION;
    return { platform: scfPlatform({ endpoint, region, keys }), out, namespace: options.namespace ?? "default", options };
  }
  const keys = huaweiKeys(options, endpoint);
  const region = options.region ?? regionHint ?? process.env["HUAWEICLOUD_SDK_REGION"] ?? keys.region ?? DEFAULT_REGION;
  return { platform: fgsPlatform({ endpoint, region, keys }), out, namespace: options.namespace ?? "default", options };
}
