/**
 * The Python bootstrap is not run through tsc or eslint: it is byte-compiled here, warnings as
 * errors, by the interpreter the engine itself resolves (`npm run lint` runs pyflakes over it).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "../helpers/node-test.js";
import { promisify } from "node:util";
import { resolvePython } from "../../src/runtime/launcher.js";
import { PYTHON_BOOTSTRAP } from "../../src/runtime/paths.js";

const run = promisify(execFile);

void describe("the Python bootstrap", () => {
  void it("compiles under the interpreter the engine runs it with", async () => {
    const python = await resolvePython();
    assert.ok(python !== null, "no python3 on this host");
    // The .pyc goes to a temp dir: one in src/runtime/child/__pycache__ would ship with the bootstrap.
    const dir = await mkdtemp(join(tmpdir(), "quiver-pycompile-"));
    try {
      const compile = "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)";
      await run(python, ["-W", "error", "-c", compile, PYTHON_BOOTSTRAP, join(dir, "bootstrap.pyc")]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
