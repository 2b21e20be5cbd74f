/**
 * What the client commands print: text for people, or one JSON document with `--json` for
 * scripts; a progress indicator on stderr only when it is a terminal (piped output stays clean).
 */
import type { CliError } from "./failure.js";

export interface Output {
  readonly json: boolean;
  /** A result: `text` for people, `data` as the JSON document. */
  result(data: unknown, text: string): void;
  /** A line of progress or information (stderr; never part of `--json` output). */
  note(line: string): void;
  /** Runs `work` with a spinner labelled `label` while stderr is a terminal. */
  progress<T>(label: string, work: () => Promise<T>): Promise<T>;
  /** Prints a failure (vendor code, message, hint) and returns its exit code. */
  failure(error: CliError): number;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export function makeOutput(json: boolean, stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  const tty = stderr.isTTY === true && process.env["TERM"] !== "dumb";
  return {
    json,
    result(data, text) {
      stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : text.endsWith("\n") || text === "" ? text : `${text}\n`);
    },
    note(line) {
      if (!json) stderr.write(`${line}\n`);
    },
    async progress(label, work) {
      if (!tty) return work();
      let frame = 0;
      const draw = (): void => {
        stderr.write(`\r${FRAMES[frame % FRAMES.length] ?? ""} ${label}`);
        frame += 1;
      };
      draw();
      const timer = setInterval(draw, 80);
      try {
        const value = await work();
        stderr.write(`\r✔ ${label}\x1b[K\n`);
        return value;
      } catch (error) {
        stderr.write(`\r✖ ${label}\x1b[K\n`);
        throw error;
      } finally {
        clearInterval(timer);
      }
    },
    failure(error) {
      if (json) {
        stdout.write(`${JSON.stringify({ error: { code: error.vendorCode ?? null, message: error.message, hint: error.hint ?? null, exitCode: error.exitCode } }, null, 2)}\n`);
      } else {
        stderr.write(`quiver: ${error.vendorCode === undefined ? "" : `${error.vendorCode}: `}${error.message}\n`);
        if (error.hint) stderr.write(`hint: ${error.hint}\n`);
      }
      return error.exitCode;
    },
  };
}

/** Rows as aligned columns (the first row is the header). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")).join("\n");
}
