import type { AddressInfo } from "node:net";

/**
 * Where an HTTP trigger is reached: the URL both dialects show for it (SCF in the trigger's
 * description, FunctionGraph as `event_data.invoke_url`) and the front door serves.
 *
 * - SCF: `{base}/scf/{appId}/{region}/{namespace}/{function}/{trigger}`; every sub-path under it
 *   reaches the same trigger (the event's `path` is the sub-path, `/` for none).
 * - FunctionGraph APIG: `{base}/apig/{projectId}{path}`, the trigger's own path (unique per project).
 *
 * `base` is `--public-url` when given (what clients should use behind a proxy), else the address
 * of the listener that serves triggers. That listener may be on port 0 until it listens, so the
 * address is read when a URL is built, not when this object is made.
 */
export class TriggerUrls {
  readonly #base: () => string;

  constructor(base: () => string) {
    this.#base = base;
  }

  /** URLs under a fixed public base (`--public-url`); a trailing `/` is dropped. */
  static fixed(publicUrl: string): TriggerUrls {
    const base = publicUrl.replace(/\/+$/, "");
    return new TriggerUrls(() => base);
  }

  /**
   * URLs on a listener's own address, read lazily: `address()` is the server's (null before it
   * listens, when `host` and `configuredPort` stand in). A wildcard host (`0.0.0.0`, `::`) is
   * shown as the loopback address, which at least works from the same machine.
   */
  static listening(host: string, configuredPort: number, address: () => AddressInfo | string | null): TriggerUrls {
    let known: string | undefined;
    return new TriggerUrls(() => {
      if (known !== undefined) return known;
      const current = address();
      if (current === null || typeof current === "string") return httpBase(host, configuredPort);
      known = httpBase(host, current.port);
      return known;
    });
  }

  /** `http://host:port` or the public URL, without a trailing `/`. */
  base(): string {
    return this.#base();
  }

  scf(appId: string, region: string, namespace: string, functionName: string, triggerName: string): string {
    const segments = [appId, region, namespace, functionName, triggerName].map(encodeURIComponent);
    return `${this.#base()}/scf/${segments.join("/")}`;
  }

  /** `path` is the trigger's path, starting with `/`. */
  apig(projectId: string, path: string): string {
    return `${this.#base()}/apig/${encodeURIComponent(projectId)}${encodeURI(path)}`;
  }
}

function httpBase(host: string, port: number): string {
  const shown = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}
