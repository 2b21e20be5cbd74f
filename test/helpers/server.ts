import { join } from "node:path";
import { parseConfig, type ConfigInput, type QuiverConfig } from "../../src/config/config.js";
import { createQuiver, type Quiver } from "../../src/server/app.js";
import { tempDir, writeAccountsFile } from "./temp.js";

// The Tencent SDK sends through http_proxy when it is set; tests talk to 127.0.0.1 only.
for (const name of ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"]) Reflect.deleteProperty(process.env, name);

export interface TestServer {
  /** The running Quiver (replaced by `restart()`). */
  readonly quiver: Quiver;
  /** `127.0.0.1:PORT`, as the SDK's `endpoint` wants it. */
  readonly endpoint: string;
  readonly url: string;
  readonly dataDir: string;
  readonly config: QuiverConfig;
  /** Closes the server and opens a new one on the same data directory (a new port). */
  restart(): Promise<void>;
  /** Closes the server and removes the temp directory. */
  stop(): Promise<void>;
}

export type Overrides = Omit<ConfigInput, "dataDir" | "accountsFile" | "port" | "host">;

/** Starts a real Quiver in-process on port 0 with a temp data dir and two accounts. */
export async function startServer(overrides: Overrides = {}): Promise<TestServer> {
  const dir = tempDir();
  const config = parseConfig({
    logLevel: "silent",
    ...overrides,
    host: "127.0.0.1",
    port: 0,
    dataDir: join(dir.path, "data"),
    accountsFile: writeAccountsFile(dir.path),
  });
  let quiver = await createQuiver(config);
  let url = await quiver.listen();
  let closed = false;
  const server: TestServer = {
    get quiver() {
      return quiver;
    },
    get url() {
      return url;
    },
    get endpoint() {
      return url.replace(/^http:\/\//, "");
    },
    dataDir: config.dataDir,
    config,
    async restart() {
      await quiver.close();
      quiver = await createQuiver(config);
      url = await quiver.listen();
    },
    async stop() {
      if (closed) return;
      closed = true;
      await quiver.close();
      dir.remove();
    },
  };
  return server;
}
