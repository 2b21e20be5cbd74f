import { join } from "node:path";
import { runStoreConformance } from "../../src/store/conformance/metadata-store.case.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempDir } from "../helpers/accounts.js";

runStoreConformance("sqlite", async () => {
  const dir = tempDir("quiver-store-");
  const file = join(dir.path, "quiver.db");
  const store = new SqliteStore(file);
  const peers: SqliteStore[] = [];
  return {
    store,
    // Another instance on the same file stands for this node after a restart.
    openPeer: async () => {
      const peer = new SqliteStore(file);
      peers.push(peer);
      return peer;
    },
    multiNode: false,
    cleanup: async () => {
      for (const peer of peers) await peer.close();
      await store.close();
      dir.remove();
    },
  };
});
