import { spawn } from "node:child_process";
import { childEnv } from "./baselines.js";

const ECHO_SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => { res.setHeader("content-type", "application/json"); res.end(Buffer.concat(chunks)); });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

export interface EchoServer {
  readonly port: number;
  stop(): void;
}

/** A bare Node HTTP echo server in its own process: the loopback floor of any HTTP API call. */
export async function startEcho(): Promise<EchoServer> {
  const child = spawn(process.execPath, ["-e", ECHO_SERVER], { env: childEnv(), stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => child.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  return { port, stop: () => child.kill() };
}
