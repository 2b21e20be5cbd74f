// The console's operations through FunctionGraph (Huawei keys): the same operations as backend-scf.js.
import { fgs, quiverGet } from "./http.js";

export const fgsBackend = {
  vendor: "huawei",
  async check() {
    await fgs("GET", "/functions", { query: "maxitems=1" });
  },
  async stats(namespace, name, minutes) {
    return quiverGet("/quiver/v1/stats", new URLSearchParams({ function: name, namespace, minutes: String(minutes) }).toString());
  },
};
