import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { describe, it } from "../helpers/node-test.js";
import { configFromArgs } from "../../src/cli/main.js";
import { ConfigError, parseConfig, type ConfigInput } from "../../src/config/config.js";
import { TriggerUrls } from "../../src/dialects/shared/trigger-urls.js";

describe("trigger URLs", () => {
  it("put SCF triggers under /scf/{appId}/{region}/{namespace}/{function}/{trigger}", () => {
    const urls = TriggerUrls.fixed("https://fn.example.com/");
    assert.equal(urls.scf("1250000000", "ap-guangzhou", "default", "hello", "web"), "https://fn.example.com/scf/1250000000/ap-guangzhou/default/hello/web");
  });

  it("put APIG triggers under /apig/{projectId}{path}", () => {
    const urls = TriggerUrls.fixed("http://gw.local:8080");
    assert.equal(urls.apig("0123abcd", "/orders/list"), "http://gw.local:8080/apig/0123abcd/orders/list");
  });

  it("read the listener's port when a URL is built, since port 0 is chosen at listen", () => {
    let address: AddressInfo | null = null;
    const urls = TriggerUrls.listening("127.0.0.1", 0, () => address);
    assert.equal(urls.apig("p", "/x"), "http://127.0.0.1:0/apig/p/x");
    address = { address: "127.0.0.1", family: "IPv4", port: 41234 };
    assert.equal(urls.apig("p", "/x"), "http://127.0.0.1:41234/apig/p/x");
  });

  it("show a wildcard host as loopback, bracketing IPv6", () => {
    const port = { address: "::", family: "IPv6", port: 9000 };
    assert.equal(TriggerUrls.listening("0.0.0.0", 9000, () => port).apig("p", "/"), "http://127.0.0.1:9000/apig/p/");
    assert.equal(TriggerUrls.listening("::", 9000, () => port).apig("p", "/"), "http://[::1]:9000/apig/p/");
  });
});

describe("trigger flags", () => {
  it("--public-url and --http-trigger-port reach the configuration", () => {
    const input = configFromArgs(["serve", "--public-url", "https://fn.example.com", "--http-trigger-port", "0"]) as ConfigInput;
    const config = parseConfig(JSON.parse(JSON.stringify(input)) as ConfigInput);
    assert.equal(config.publicUrl, "https://fn.example.com");
    assert.equal(config.httpTriggerPort, 0);
  });

  it("refuses a public URL that is not http(s)", () => {
    assert.throws(() => parseConfig({ publicUrl: "ftp://fn.example.com" }), (error: unknown) => error instanceof ConfigError && /publicUrl/.test(error.message));
  });
});
