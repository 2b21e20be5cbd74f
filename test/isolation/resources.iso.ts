/**
 * Hostile tenant vs. the disk: /tmp is a private tmpfs with a size cap (engine option
 * `tmpSizeMb`, small here), and a single file cannot grow past the file-size limit. Either
 * write fails with ENOSPC or EFBIG, the instance keeps answering and the server stays healthy.
 */
import assert from "node:assert/strict";
import { after, before, describe } from "../helpers/node-test.js";
import { healthy, perLang, show, SKIP, Tenancy, type Lang } from "./tenancy.js";

const MiB = 1024 * 1024;
/** The /tmp cap the server is started with. */
const TMP_CAP_MB = 16;
const REFUSED = ["ENOSPC", "EFBIG"];

void describe("isolation: disk", () => {
  let ten: Tenancy;
  before(async () => {
    if (SKIP) return; // every test is skipped, with the reason
    ten = await Tenancy.start({ engine: { tmpSizeMb: TMP_CAP_MB } });
  });
  after(() => ten?.close());

  /** The server, A's instance and B's instance all still answer. */
  async function stillHealthy(lang: Lang): Promise<void> {
    assert.ok(await healthy(ten.port), "GET /healthz answers");
    const self = await ten.probe(ten.probeName(lang), [{ op: "self" }]);
    assert.equal(self.results[0]?.ok, true, "A's probe answers after the attempt");
    await ten.victim(lang);
  }

  perLang("cannot fill the disk beyond the /tmp cap", { short: ["node"] }, async (_t, lang) => {
    const bytes = (TMP_CAP_MB + 8) * MiB;
    const answer = await ten.probe(ten.probeName(lang), [{ op: "fill", dir: "/tmp", bytes, fileBytes: MiB }]);
    const r = answer.results[0];
    assert.ok(r);
    assert.equal(r.ok, false, `A wrote ${bytes} bytes to /tmp with a ${TMP_CAP_MB} MB cap: ${show(r)}`);
    assert.ok(REFUSED.includes(r.code ?? ""), `the write fails with ENOSPC or EFBIG: ${show(r)}`);
    const written = (r.data as { written: number } | null)?.written ?? 0;
    assert.ok(written <= TMP_CAP_MB * MiB, `no more than the cap was written (${written} bytes)`);
    await stillHealthy(lang);
  });

  perLang("cannot write a file beyond the file-size limit", { short: ["python"] }, async (_t, lang) => {
    const limits = await ten.probe(ten.probeName(lang), [{ op: "limits" }]);
    const fileSize = (limits.results[0]?.data as { fileSize: number | null } | undefined)?.fileSize ?? null;
    assert.notEqual(fileSize, null, "the sandbox sets a file-size limit (RLIMIT_FSIZE)");
    const limit = fileSize as number;
    const path = "/tmp/too-big";
    const answer = await ten.probe(ten.probeName(lang), [
      { op: "write", path, bytes: limit + MiB },
      { op: "remove", path },
    ]);
    const r = answer.results[0];
    assert.ok(r);
    assert.equal(r.ok, false, `A wrote a file of ${limit + MiB} bytes with a file-size limit of ${limit}: ${show(r)}`);
    assert.ok(REFUSED.includes(r.code ?? ""), `the write fails with EFBIG (or ENOSPC when the /tmp cap is lower): ${show(r)}`);
    const written = (r.data as { written: number } | null)?.written ?? 0;
    assert.ok(written <= limit, `no more than the limit was written (${written} bytes)`);
    await stillHealthy(lang);
  });
});
