import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { canonicalQuery, canonicalUri, parseAuthorization, signature } from "../../src/dialects/fgs/signature.js";
import { sha256Hex } from "../../src/dialects/shared/digest.js";

/** The reference's test vector (huawei-functiongraph-api.md §2.1), computed with the SDK's own signer. */
const PATH = "/v2/proj123/fgs/functions/urn:fss:cn-north-4:proj123:function:default:myfn:latest/versions";
const HEADERS = [
  ["content-type", "application/json"],
  ["host", "127.0.0.1:8080"],
  ["x-project-id", "proj123"],
  ["x-sdk-date", "20240101T000000Z"],
] as const;

void describe("SDK-HMAC-SHA256", () => {
  void it("matches the reference POST vector", () => {
    const body = '{"version":"v1","description":"first"}';
    assert.equal(sha256Hex(body), "4b2f0c638e8eb98220c66fefa410c812b9fb6cd1b43da176ca2648831d3ee5ae");
    const sig = signature({
      method: "POST",
      canonicalUri: canonicalUri(PATH, true),
      canonicalQuery: "",
      signedHeaders: HEADERS,
      payloadHash: sha256Hex(body),
      sdkDate: "20240101T000000Z",
      secretKey: "test-sk-secret",
    });
    assert.equal(sig, "f375635484c025ef3e31aebcd905cf045ab25e40682f720e6ee4e1f0c06c7e48");
  });

  void it("matches the reference GET vector with a query", () => {
    const sig = signature({
      method: "GET",
      canonicalUri: canonicalUri("/v2/proj123/fgs/functions/urn:fss:cn-north-4:proj123:function:default:myfn/versions", true),
      canonicalQuery: canonicalQuery("maxitems=10&marker=0"),
      signedHeaders: HEADERS,
      payloadHash: sha256Hex(""),
      sdkDate: "20240101T000000Z",
      secretKey: "test-sk-secret",
    });
    assert.equal(sig, "d67c5126478d1568ee7d9bce9fb38e607b02e8cfe8704b0d06cc4e8e816630a2");
  });

  void it("canonicalises raw and percent-encoded URNs alike, with a trailing slash", () => {
    const raw = canonicalUri("/v2/p/fgs/functions/urn:fss:r:p:function:default:f:!dev/config", true);
    const encoded = canonicalUri("/v2/p/fgs/functions/urn%3Afss%3Ar%3Ap%3Afunction%3Adefault%3Af%3A%21dev/config", true);
    assert.equal(raw, encoded);
    assert.equal(raw, "/v2/p/fgs/functions/urn%3Afss%3Ar%3Ap%3Afunction%3Adefault%3Af%3A%21dev/config/");
  });

  void it("parses the Authorization header and rejects other schemes", () => {
    const parsed = parseAuthorization(`SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-sdk-date, Signature=${"a".repeat(64)}`);
    assert.deepEqual(parsed?.signedHeaders, ["content-type", "host", "x-sdk-date"]);
    assert.equal(parseAuthorization("V11-HMAC-SHA256 Credential=AK/20240101/r/s, SignedHeaders=host, Signature=00"), null);
  });
});
