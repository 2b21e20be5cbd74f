import { createHash } from "node:crypto";

/** Lower-case hex SHA-256, the payload hash both vendors' signatures are built on. */
export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
