import type { FgsBenchClient } from "../lib/fgs-client.js";
import type { ScfBenchClient } from "../lib/scf-client.js";

/**
 * The control-plane calls a publish benchmark needs, per wire dialect. Adding FunctionGraph
 * is writing one of these (see `fgsDialect`) and listing it in `controlDialects`.
 */
export interface ControlDialect {
  readonly name: string;
  create(functionName: string, zip: Buffer): Promise<void>;
  /** Measured time of one code upload; signing happens before the clock starts. */
  updateCode(functionName: string, zip: Buffer): Promise<number>;
  /** Measured time of one publish, and the version it made. */
  publish(functionName: string): Promise<{ ms: number; version: string }>;
  deleteVersion(functionName: string, version: string): Promise<void>;
  deleteFunction(functionName: string): Promise<void>;
}

export function scfDialect(client: ScfBenchClient): ControlDialect {
  return {
    name: "SCF",
    create: async (functionName, zip) => {
      await client.call("CreateFunction", { FunctionName: functionName, Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: zip.toString("base64") } });
    },
    updateCode: async (functionName, zip) => {
      const signed = client.sign("UpdateFunctionCode", { FunctionName: functionName, ZipFile: zip.toString("base64") });
      const start = performance.now();
      await client.send("UpdateFunctionCode", signed);
      return performance.now() - start;
    },
    publish: async (functionName) => {
      const signed = client.sign("PublishVersion", { FunctionName: functionName, Description: "bench" });
      const start = performance.now();
      const out = await client.send("PublishVersion", signed);
      return { ms: performance.now() - start, version: String(out["FunctionVersion"]) };
    },
    deleteVersion: async (functionName, version) => {
      await client.call("DeleteFunctionVersion", { FunctionName: functionName, Qualifier: version });
    },
    deleteFunction: async (functionName) => {
      await client.call("DeleteFunction", { FunctionName: functionName });
    },
  };
}

/**
 * FunctionGraph v2 through its own wire API. Publishes carry explicit version names: unnamed
 * ones are named after the second they happen in, and a tight loop would measure the
 * same-second de-duplication instead of the publish.
 */
export function fgsDialect(client: FgsBenchClient): ControlDialect {
  const base = `/v2/${client.projectId}/fgs/functions`;
  const urn = (name: string): string => `${client.projectId}:default:${name}`;
  let seq = 0;
  return {
    name: "FunctionGraph",
    create: async (functionName, zip) => {
      await client.call("POST", base, {
        func_name: functionName, package: "default", runtime: "Node.js18.15", handler: "index.main_handler",
        memory_size: 128, timeout: 3, code_type: "zip", code_filename: "index.zip", func_code: { file: zip.toString("base64") },
      });
    },
    updateCode: async (functionName, zip) => {
      const send = client.prepare("PUT", `${base}/${urn(functionName)}/code`, { code_type: "zip", code_filename: "index.zip", func_code: { file: zip.toString("base64") } });
      const start = performance.now();
      await send();
      return performance.now() - start;
    },
    publish: async (functionName) => {
      seq += 1;
      const send = client.prepare("POST", `${base}/${urn(functionName)}/versions`, { version: `b${seq}`, description: "bench" });
      const start = performance.now();
      const { status, json } = await send();
      const ms = performance.now() - start;
      if (status >= 400) throw new Error(`publish ${functionName}: ${status} ${JSON.stringify(json)}`);
      return { ms, version: String(json["version"]) };
    },
    deleteVersion: async (functionName, version) => {
      await client.call("DELETE", `${base}/${urn(functionName)}:${version}`);
    },
    deleteFunction: async (functionName) => {
      await client.call("DELETE", `${base}/${urn(functionName)}`);
    },
  };
}
