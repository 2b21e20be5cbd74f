import type { ScfClient } from "./scf-client.js";
import { nodeZipBase64 } from "./zips.js";

/** Creates a Node.js function through the SDK with sensible defaults. */
export async function createNodeFunction(
  client: ScfClient,
  name: string,
  extra: { Namespace?: string; MemorySize?: number; Timeout?: number; Description?: string; marker?: string; Environment?: { Variables: { Key: string; Value: string }[] } } = {},
): Promise<void> {
  const { marker, ...rest } = extra;
  await client.CreateFunction({
    FunctionName: name,
    Runtime: "Nodejs18.15",
    Handler: "index.main_handler",
    Code: { ZipFile: await nodeZipBase64(marker ?? name) },
    ...rest,
  });
}
