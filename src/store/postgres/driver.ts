/**
 * The smallest slice of the `pg` driver this store uses, typed structurally so that nothing
 * compiles against `pg` and the driver is loaded only when `--store postgres` asks for it.
 */
export interface PgQueryResult<Row> {
  readonly rows: Row[];
  readonly rowCount: number | null;
}

export interface PgQueryable {
  query<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<PgQueryResult<Row>>;
}

export interface PgClient extends PgQueryable {
  /** Passing an error discards the connection instead of returning it to the pool. */
  release(error?: Error | boolean): void;
}

export interface PgPool extends PgQueryable {
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

export interface PgPoolOptions {
  readonly connectionString: string;
  readonly max?: number;
  readonly connectionTimeoutMillis?: number;
  /** Runs on each new connection, e.g. to set `search_path`. */
  readonly options?: string;
}

type TypeParser = (text: string) => unknown;
interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool;
  types: { getTypeParser(oid: number, format?: string): TypeParser };
}

/** Raised when the driver is missing or the database cannot be reached or prepared. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
}

const INT8_OID = 20;

/** Loads `pg` on demand and opens a pool. */
export async function openPool(options: PgPoolOptions): Promise<PgPool> {
  let pg: PgModule;
  try {
    const loaded = (await import("pg")) as unknown as { default?: PgModule } & PgModule;
    pg = loaded.default ?? loaded;
  } catch (error) {
    throw new StoreUnavailableError(`the PostgreSQL store needs the "pg" package (npm install pg): ${(error as Error).message}`, { cause: error });
  }
  // Times are epoch milliseconds in BIGINT columns: parse them as numbers (exact below 2^53)
  // for this pool only, rather than changing pg's process-wide parsers.
  const getTypeParser = (oid: number, format?: string): TypeParser => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format));
  return new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    ...(options.options ? { options: options.options } : {}),
    types: { getTypeParser },
  });
}

/** The URL with any password hidden, for error messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable URL>";
  }
}
