// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Files that must not import from the named top-level folders of src/ (a layer above them, or
 * beside them where only the composition root may join the two).
 * @param {string[]} files
 * @param {string[]} above
 */
function layer(files, above) {
  return {
    files,
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{ group: above.map((folder) => `**/${folder}/**`), message: `this layer must not import from ${above.join("/, ")}/ (imports run downwards only)` }],
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".quiver/**", ".tmp/**", "bench/results/**", "test/fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test's describe/it return promises the runner itself tracks.
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "it", "test", "suite", "before", "after", "beforeEach", "afterEach"] }] },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-explicit-any": "error",
      curly: ["error", "multi-line"],
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
  {
    // Tests take it/test from the kit, which gives each test its own timeout (Node 20 has none).
    files: ["test/**/*.ts"],
    ignores: ["test/helpers/node-test.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [{ name: "node:test", importNames: ["it", "test"], message: "import it/test from test/helpers/node-test.js: it gives every test a timeout" }],
      }],
    },
  },
  {
    // The core is vendor-neutral: no HTTP, SQL driver, process or dialect imports.
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: ["node:http", "node:https", "node:child_process", "fastify", "better-sqlite3", "pg"], message: "core/ must stay free of transport, SQL and process code" },
          { group: ["**/dialects/**", "**/store/**", "**/server/**", "**/runtime/**", "**/cli/**"], message: "core/ must not depend on adapters" },
        ],
      }],
    },
  },
  // The layers, bottom up: core; then store, runtime and the small helpers (accounts, blobs,
  // code, config); then dialects; then server, the composition root; then cli. Imports only
  // run downwards (docs/architecture.md).
  layer(["src/store/**/*.ts", "src/cluster/**/*.ts", "src/runtime/**/*.ts", "src/accounts/**/*.ts", "src/blobs/**/*.ts", "src/code/**/*.ts", "src/config/**/*.ts"], ["dialects", "server", "cli"]),
  // Dialects reach stores and processes only through core's ports, which the server wires.
  layer(["src/dialects/**/*.ts"], ["server", "cli", "store", "runtime"]),
  layer(["src/server/**/*.ts"], ["cli"]),
  // The CLI's client commands talk to a platform through the vendors' SDKs: no server, store,
  // runtime or dialect code (only `quiver serve`, commands/serve.ts, starts the server).
  layer(["src/cli/**/*.ts"], ["server", "store", "runtime", "dialects"]),
  {
    // core/ and store/ say what an error is about with a typed subject; a wire parameter name is
    // for a dialect's own validation only (see src/core/errors.ts, docs/architecture.md).
    files: ["src/core/**/*.ts", "src/store/**/*.ts"],
    // errors.ts defines the detail and invalid(), the dialects' shorthand for it.
    ignores: ["src/core/errors.ts"],
    rules: {
      "no-restricted-syntax": ["error",
        { selector: "NewExpression[callee.name='QuiverError'] Property[key.name='parameter']", message: "core/ and store/ set a typed `subject`, never a dialect's wire `parameter`" },
        { selector: "ImportSpecifier[imported.name='invalid']", message: "invalid() names a wire parameter: dialect code only; use a typed `subject`" },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: "readonly", URL: "readonly", console: "readonly" } },
  },
  {
    // The web console: plain ES modules the browser runs as served (no build), so browser globals.
    files: ["console/**/*.js"],
    languageOptions: {
      globals: Object.fromEntries([
        "window", "document", "location", "sessionStorage", "fetch", "URLSearchParams", "AbortController", "TextEncoder",
        "TextDecoder", "crypto", "FormData", "ResizeObserver", "atob", "addEventListener", "removeEventListener", "setTimeout", "clearTimeout",
      ].map((name) => [name, "readonly"])),
    },
  },
  {
    // The runtime bootstraps: plain JS run by Node inside the sandbox, without a build.
    files: ["src/runtime/child/**/*.js"],
    languageOptions: { globals: { setTimeout: "readonly", clearTimeout: "readonly" } },
  },
  {
    files: ["src/runtime/child/cjs/**/*.js"],
    languageOptions: { sourceType: "commonjs" },
  },
  {
    // Tenant code the isolation tests deploy: plain CommonJS, as a user's function is written.
    files: ["test/isolation/functions/**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", exports: "writable", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
