import type { BlobStore, MetadataStore } from "./ports.js";

/** A blob younger than this is never collected: its metadata commit may still be on its way. */
export const BLOB_GRACE_MS = 60 * 60_000;

/**
 * Deletes code packages that no function head or version refers to any more (deleted
 * functions and versions, replaced code). Metadata is the source of truth: a blob is removed
 * only when it is unreferenced AND has not been written or reused for `graceMs`, since a
 * create or update writes (or touches) its blob before committing the reference.
 */
export async function collectUnreferencedBlobs(store: MetadataStore, blobs: BlobStore, now: number, graceMs = BLOB_GRACE_MS): Promise<number> {
  const cutoff = now - graceMs;
  const candidates = (await blobs.list()).filter((blob) => blob.touchedAt < cutoff);
  if (candidates.length === 0) return 0;
  // Read the references after listing: a blob referenced in between is kept.
  const referenced = await store.referencedBlobs();
  let removed = 0;
  for (const blob of candidates) {
    if (!referenced.has(blob.sha256) && (await blobs.removeIfUntouchedSince(blob.sha256, cutoff))) removed += 1;
  }
  return removed;
}
