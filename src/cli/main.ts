/**
 * The `quiver` command. `serve` runs the server (commands/serve.ts, unchanged flags and help);
 * every other command is a client of the SCF or FunctionGraph API through the vendor's
 * official SDK, so it works against Quiver (`--endpoint`) and the real clouds alike. The
 * client commands import no server, store or runtime code (ESLint enforces it).
 */
import { Command, CommanderError, Option } from "commander";
import { CliError, EXIT, fromSdkError } from "./client/failure.js";
import { makeOutput } from "./client/output.js";
import type { GlobalOptions } from "./client/connect.js";
import { registerAlias } from "./commands/alias.js";
import { registerDeploy, registerDev } from "./commands/deploy.js";
import { registerDiff } from "./commands/diff.js";
import { registerInvoke } from "./commands/invoke.js";
import { registerListings } from "./commands/listing.js";
import { registerLogs } from "./commands/logs.js";
import { serve } from "./commands/serve.js";

export { configFromArgs } from "./commands/serve.js";

function program(): Command {
  const root = new Command("quiver")
    .description("Quiver: serve the SCF and FunctionGraph APIs, or deploy, publish, shift, invoke and watch functions through them")
    .addOption(new Option("--endpoint <url>", "the API's base URL, e.g. http://127.0.0.1:9000 (default: the real cloud)").env("QUIVER_ENDPOINT"))
    .addOption(new Option("--dialect <dialect>", "which API: scf (Tencent, default) or fgs (Huawei FunctionGraph)").choices(["scf", "fgs"]).default("scf"))
    .option("--region <region>", "region (default ap-guangzhou, or the project file's)")
    .option("-n, --namespace <namespace>", "namespace (FunctionGraph: package)")
    .option("--json", "print results as JSON, for scripts")
    .option("--secret-id <id>", "Tencent SecretId (else TENCENTCLOUD_SECRET_ID, tccli's credential file, a local Quiver's data dir)")
    .option("--secret-key <key>", "Tencent SecretKey")
    .option("--ak <ak>", "Huawei access key (else HUAWEICLOUD_SDK_AK, a local Quiver's data dir)")
    .option("--sk <sk>", "Huawei secret key")
    .option("--project-id <id>", "Huawei project id")
    .option("--profile <name>", "tccli profile whose credentials to use", "default")
    .option("--data-dir <dir>", "the data directory of a local quiver serve, whose default account is used without other credentials", ".quiver")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  const globals = (): GlobalOptions => root.opts<GlobalOptions>();
  root.command("serve").description("serve the Tencent SCF and Huawei FunctionGraph APIs (quiver serve --help for its options)")
    .helpOption(false).allowUnknownOption().allowExcessArguments();
  registerDeploy(root, globals);
  registerDev(root, globals);
  registerListings(root, globals);
  registerDiff(root, globals);
  registerAlias(root, globals);
  registerInvoke(root, globals);
  registerLogs(root, globals);
  for (const command of root.commands) command.exitOverride();
  return root;
}

/** Runs `quiver <args>`; returns the exit code, or -1 while a server keeps running. */
export async function main(args: string[]): Promise<number> {
  // `quiver serve …` (and plain `quiver`, as before there were other commands) is the server.
  if (args.length === 0 || args[0] === "serve") return serve(args);
  const root = program();
  try {
    await root.parseAsync(args, { from: "user" });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" that exit 0; the rest are usage errors, already printed.
      return error.exitCode === 0 || error.code === "commander.helpDisplayed" || error.code === "commander.help" ? 0 : EXIT.usage;
    }
    const json = root.opts<GlobalOptions>().json === true;
    return makeOutput(json).failure(error instanceof CliError ? error : fromSdkError(error));
  }
}
