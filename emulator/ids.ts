/** ID and request-ID shapes the real service uses. */
import { createHash, randomBytes, randomUUID } from "node:crypto";

/** 16 upper-case hex characters, random. */
export function randomHex16(): string {
    return randomBytes(8).toString("hex").toUpperCase();
}

/** 16 upper-case hex characters derived from `input`, for IDs that must be stable across restarts (jobs, clusters). */
export function stableHex16(input: string): string {
    return createHash("sha256").update(input).digest("hex").slice(0, 16).toUpperCase();
}

/** Alibaba request IDs are upper-case UUIDs. */
export function requestId(): string {
    return randomUUID().toUpperCase();
}
