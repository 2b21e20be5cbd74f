import { join } from "node:path";
import type { MetadataStore } from "../../src/core/ports.js";
import type { StoreUnderTest } from "../../src/store/conformance/fixtures.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempDir } from "../helpers/accounts.js";

/**
 * A SQLite store in a fresh temp file for the conformance suite, seen through `view` (the store
 * itself by default). Another instance on the same file stands for this node after a restart.
 */
export async function sqliteUnderTest(view: (store: SqliteStore) => MetadataStore = (store) => store): Promise<StoreUnderTest> {
  const dir = tempDir("quiver-store-");
  const file = join(dir.path, "quiver.db");
  const store = new SqliteStore(file);
  const peers: SqliteStore[] = [];
  return {
    store: view(store),
    openPeer: async () => {
      const peer = new SqliteStore(file);
      peers.push(peer);
      return view(peer);
    },
    multiNode: false,
    cleanup: async () => {
      for (const peer of peers) await peer.close();
      await store.close();
      dir.remove();
    },
  };
}
