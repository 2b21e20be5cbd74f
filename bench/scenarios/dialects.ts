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

/** FunctionGraph (`src/dialects/fgs`) has not landed on main: its rows say "not yet measured". */
export const fgsDialect: { readonly name: string; readonly missing: string } = {
  name: "FunctionGraph",
  missing: "not yet measured: the FunctionGraph dialect (src/dialects/fgs) is not merged; implement ControlDialect for it in bench/scenarios/dialects.ts",
};
