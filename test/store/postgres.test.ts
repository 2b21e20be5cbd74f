import { test } from "../helpers/node-test.js";
import type { MetadataStore } from "../../src/core/ports.js";
import { runStoreConformance } from "../../src/store/conformance/metadata-store.case.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { createTestSchema, PG_OFF, PG_URL } from "./pg-schema.js";

if (PG_OFF) {
  void test("PostgreSQL store conformance", (t) => t.skip("QUIVER_TEST_PG=off"));
} else {
  runStoreConformance("postgres", async () => {
    const schema = await createTestSchema();
    const open = (): Promise<PostgresStore> => PostgresStore.open({ url: PG_URL, schema: schema.name, poolSize: 5 });
    const store = await open();
    const peers: MetadataStore[] = [];
    return {
      store,
      // A second node on the same database.
      openPeer: async () => {
        const peer = await open();
        peers.push(peer);
        return peer;
      },
      multiNode: true,
      cleanup: async () => {
        for (const peer of peers) await peer.close();
        await store.close();
        await schema.drop();
      },
    };
  });
}
