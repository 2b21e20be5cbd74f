// Which API the console speaks: the SCF API with Tencent keys, FunctionGraph with Huawei keys.
// Both answer the same operations (backend-scf.js, backend-fgs.js), so the views are shared.
import { huaweiRequest } from "./http.js";
import { scfBackend } from "./backend-scf.js";
import { fgsBackend } from "./backend-fgs.js";

/** Checks the keys with a read that needs them, and returns the backend for them. */
export async function backendFor(session) {
  if (session.kind === "tencent") {
    await scfBackend.check();
    return scfBackend;
  }
  // Huawei keys name no project: IAM's project list (signed with them) says which one is theirs.
  const { projects } = await huaweiRequest("GET", "/v3/projects", "");
  const project = projects?.[0];
  if (!project) throw new Error("These keys have no project.");
  session.projectId = project.id;
  session.region = project.name;
  await fgsBackend.check();
  return fgsBackend;
}
