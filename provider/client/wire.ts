/**
 * What happened on the wire during one API call, as far as Node's HTTP client can tell:
 * whether the connection was made, and the HTTP status and content type of the answer.
 *
 * `@alicloud/openapi-client` throws away this information in two cases that matter:
 * - a non-JSON answer (an HTML 502 from a proxy) makes it throw a bare `SyntaxError` with no
 *   status, so a retryable gateway error would look like garbage;
 * - its transport reports "ConnectTimeout" from a socket idle timer that also runs while the
 *   request waits for its answer, so the name alone does not say whether the request was sent.
 * Node publishes every outgoing request on the `http.client.request.start` diagnostics channel.
 * The request is tied to its call by the signature nonce, which the client chooses for each
 * attempt: the SDK sends it as the `x-acs-signature-nonce` header (signature v3) or the
 * `SignatureNonce` query parameter (v2), and every request needs a fresh one anyway. (An
 * `AsyncLocalStorage` store would tie them too, but on Node.js 20 it turns on async hooks for
 * every promise and callback of the process.) Observing adds listeners; the one thing it does
 * to a request is enforce the real connect timeout (see `connectTimeoutMs`), which the SDK's
 * transport cannot: its own "connect" timer also runs while the answer is awaited, so the
 * client sets that one to the read timeout.
 */
import * as crypto from "node:crypto";
import * as diagnosticsChannel from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { Socket } from "node:net";

/** What one call saw on the wire (the last request it made, if it made several). */
export interface WireRecord {
    /** A request object was created. */
    requested: boolean;
    /** A TCP connection was established for the request (or an open one reused). */
    connected: boolean;
    /** The answer's status line arrived. */
    statusCode?: number;
    contentType?: string;
    /**
     * When set, a connection still not made after this many ms is destroyed with an `ETIMEDOUT`
     * error; `connected` stays false, so the error is known to have sent nothing.
     */
    connectTimeoutMs?: number;
}

/** The records of the calls being observed, by the signature nonce of their request. */
const records = new Map<string, WireRecord>();
let subscribed = false;

/** The signature nonce a request carries, in its header (v3) or its query (v2). */
export function nonceOf(request: Pick<ClientRequest, "getHeader" | "path">): string | undefined {
    const header = request.getHeader("x-acs-signature-nonce");
    if (typeof header === "string") return header;
    const m = /[?&]SignatureNonce=([^&#]*)/.exec(request.path ?? "");
    if (!m) return undefined;
    try {
        return decodeURIComponent(m[1]!);
    } catch {
        return undefined;
    }
}

/** A fresh signature nonce: random, never reused. */
export function newNonce(): string {
    return crypto.randomUUID();
}

function onRequestStart(message: unknown): void {
    if (records.size === 0) return;
    const request = (message as { request?: ClientRequest }).request;
    if (!request) return;
    const nonce = nonceOf(request);
    const record = nonce === undefined ? undefined : records.get(nonce);
    if (!record) return;
    record.requested = true;
    record.connected = false;
    delete record.statusCode;
    delete record.contentType;
    const watch = (socket: Socket): void => {
        // A pooled keep-alive socket is already connected; a new one connects later.
        if (!socket.connecting) {
            record.connected = true;
            return;
        }
        let timer: NodeJS.Timeout | undefined;
        const limit = record.connectTimeoutMs;
        if (limit !== undefined && limit > 0) {
            timer = setTimeout(() => {
                if (socket.connecting) socket.destroy(Object.assign(new Error(`connect timed out after ${limit} ms`), { code: "ETIMEDOUT" }));
            }, limit);
            timer.unref();
            socket.once("close", () => clearTimeout(timer));
        }
        socket.once("connect", () => {
            record.connected = true;
            if (timer) clearTimeout(timer);
        });
    };
    // Node 20 publishes after the socket is assigned (and its "socket" event has fired); other
    // versions may publish before.
    if (request.socket) watch(request.socket as Socket);
    else request.once("socket", watch);
    request.once("response", (response: IncomingMessage) => {
        record.statusCode = response.statusCode;
        const type = response.headers["content-type"];
        if (typeof type === "string") record.contentType = type;
    });
}

function ensureSubscribed(): void {
    if (subscribed) return;
    subscribed = true;
    diagnosticsChannel.subscribe("http.client.request.start", onRequestStart);
}

/**
 * Runs `fn`, recording into `record` what the HTTP request signed with `nonce` saw (`fn` makes at
 * most one such request: a retry is a new call with a new nonce).
 */
export async function observeWire<T>(nonce: string, fn: () => Promise<T>, record: WireRecord = { requested: false, connected: false }): Promise<T> {
    ensureSubscribed();
    records.set(nonce, record);
    try {
        return await fn();
    } finally {
        records.delete(nonce);
    }
}
