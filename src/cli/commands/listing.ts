/** `quiver functions`, `namespaces`, `versions`, `publish` and `trigger list|fire`. */
import type { Command } from "commander";
import { connect, type GlobalOptions } from "../client/connect.js";
import { table } from "../client/output.js";

export function registerListings(program: Command, globals: () => GlobalOptions): void {
  program.command("functions")
    .description("the functions of a namespace (--namespace), or of all namespaces with --all")
    .option("--all", "every namespace")
    .addHelpText("after", "\nExamples:\n  quiver functions\n  quiver functions --all --json")
    .action(async (flags: { all?: boolean }) => {
      const session = connect(globals());
      const list = await session.platform.listFunctions(flags.all ? undefined : session.namespace);
      session.out.result(list.map((f) => ({ name: f.name, namespace: f.namespace, status: f.status, runtime: f.runtime, description: f.description })),
        list.length === 0 ? "No functions" : table([["NAME", "NAMESPACE", "STATUS", "RUNTIME"], ...list.map((f) => [f.name, f.namespace, f.status, f.runtime])]));
    });

  program.command("namespaces")
    .description("the account's namespaces (FunctionGraph: packages)")
    .addHelpText("after", "\nExample:\n  quiver namespaces --json")
    .action(async () => {
      const session = connect(globals());
      const names = await session.platform.listNamespaces();
      session.out.result(names, names.join("\n"));
    });

  program.command("versions").argument("<function>")
    .description("the function's versions, $LATEST first")
    .addHelpText("after", "\nExample:\n  quiver versions hello")
    .action(async (name: string) => {
      const session = connect(globals());
      const versions = await session.platform.listVersions({ namespace: session.namespace, name });
      session.out.result(versions, table([["VERSION", "CREATED", "DESCRIPTION"], ...versions.map((v) => [v.version, v.createdAt, v.description])]));
    });

  program.command("publish").argument("<function>")
    .description("publish $LATEST as a new immutable version")
    .option("--description <text>", "the version's description", "")
    .addHelpText("after", "\nExample:\n  quiver publish hello --description 'fix the greeting'")
    .action(async (name: string, flags: { description: string }) => {
      const session = connect(globals());
      const version = await session.out.progress(`Publishing ${name}`, () => session.platform.publish({ namespace: session.namespace, name }, flags.description));
      session.out.result({ function: name, version }, `Published ${name} version ${version}`);
    });

  const trigger = program.command("trigger").description("list a function's triggers, or fire a timer trigger now");
  trigger.command("list").argument("<function>")
    .description("the function's triggers")
    .addHelpText("after", "\nExample:\n  quiver trigger list hello")
    .action(async (name: string) => {
      const session = connect(globals());
      const list = await session.platform.listTriggers({ namespace: session.namespace, name });
      session.out.result(list, list.length === 0 ? `${name} has no triggers` : table([["NAME", "TYPE", "QUALIFIER", "ENABLED", "DESCRIPTION"], ...list.map((t) => [t.name, t.type, t.qualifier, t.enabled ? "yes" : "no", t.description])]));
    });
  trigger.command("fire").argument("<function>").argument("<trigger>")
    .description("run a timer trigger now, as if its time had come (Quiver only; FunctionGraph: by name or trigger id)")
    .addHelpText("after", "\nExample:\n  quiver trigger fire hello every-minute")
    .action(async (name: string, triggerName: string) => {
      const session = connect(globals());
      const requestId = await session.platform.fireTrigger({ namespace: session.namespace, name }, triggerName);
      session.out.result({ function: name, trigger: triggerName, requestId }, `Fired ${triggerName}: request ${requestId}`);
    });
}
