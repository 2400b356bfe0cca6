/**
 * Request authentication, written from Alibaba Cloud's published algorithms (and checked against
 * what `@alicloud/openapi-client` sends), independently of any client code in this repository:
 * a signing bug shared by client and emulator would otherwise pass unnoticed.
 *
 * - V3 `ACS3-HMAC-SHA256`: `Authorization` header over a canonical request.
 * - v2 (RPC "SignatureVersion 1.0"): HMAC-SHA1 `Signature`, in the query or in a form body.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { Errors } from "./errors";

/** The parts of an HTTP request that signing covers, already split but not interpreted. */
export interface RawRequest {
    method: string;
    /** Path exactly as sent, without the query. */
    path: string;
    /** Query pairs decoded from the wire, in wire order. */
    query: [string, string][];
    /** Form body pairs (application/x-www-form-urlencoded), decoded. */
    form: [string, string][];
    /** `IncomingMessage.rawHeaders`: name/value alternating, duplicates kept. */
    rawHeaders: string[];
    body: Buffer;
}

export interface Credential {
    accessKeyId: string;
    accessKeySecret: string;
    /** Set for STS credentials: requests must carry exactly this token. */
    securityToken?: string;
}

export interface VerifiedCaller {
    accessKeyId: string;
    style: "V3" | "v2";
}

/** Requests whose timestamp is further than this from the server clock are refused, and nonces are remembered this long. */
export const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;

export const V3_ALGORITHM = "ACS3-HMAC-SHA256";

/** RFC 3986 percent-encoding, as both signature versions require (`encodeURIComponent` leaves `!'()*` bare). */
export function percentEncode(value: string): string {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Splits and decodes an `a=b&c=d` string. `+` means space (HTML form and Node `querystring`
 * rules); a malformed `%` escape is a client error, not a crash.
 */
export function parsePairs(text: string, what: string): [string, string][] {
    const pairs: [string, string][] = [];
    for (const part of text.split("&")) {
        if (part === "") continue;
        const eq = part.indexOf("=");
        const rawKey = eq < 0 ? part : part.slice(0, eq);
        const rawValue = eq < 0 ? "" : part.slice(eq + 1);
        try {
            pairs.push([decodeURIComponent(rawKey.replace(/\+/g, " ")), decodeURIComponent(rawValue.replace(/\+/g, " "))]);
        } catch {
            throw Errors.badRequest(`The ${what} contains a malformed percent-encoding: ${part.slice(0, 100)}`);
        }
    }
    return pairs;
}

/** Memory of nonces seen in the last 15 minutes, per AccessKey ID. */
export class NonceCache {
    private readonly seen = new Map<string, number>();
    private inserts = 0;

    /** Returns false if the nonce was already used within the window; otherwise remembers it. */
    claim(accessKeyId: string, nonce: string, now: number): boolean {
        const key = `${accessKeyId}\n${nonce}`;
        const expiry = this.seen.get(key);
        if (expiry !== undefined && expiry > now) return false;
        this.seen.set(key, now + TIMESTAMP_WINDOW_MS);
        // Sweep expired entries now and then so a long-running emulator stays small.
        if (++this.inserts % 1000 === 0) {
            for (const [k, e] of this.seen) if (e <= now) this.seen.delete(k);
        }
        return true;
    }

    clear(): void {
        this.seen.clear();
    }
}

function headerValues(rawHeaders: string[]): Map<string, string[]> {
    const map = new Map<string, string[]>();
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        const name = rawHeaders[i]!.toLowerCase();
        const list = map.get(name) ?? [];
        list.push(rawHeaders[i + 1]!);
        map.set(name, list);
    }
    return map;
}

/** `YYYY-MM-DDTHH:mm:ssZ` (UTC) as both signature versions send it. */
function checkTimestamp(value: string, now: number): void {
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(value);
    const ms = match ? Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!) : NaN;
    if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) + "Z" !== value) throw Errors.timestampFormat(value);
    if (Math.abs(now - ms) > TIMESTAMP_WINDOW_MS) throw Errors.timestampExpired(value);
}

function sameText(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
}

/** The query in signed form: decoded pairs re-encoded with RFC 3986, sorted by name then value. */
export function canonicalQuery(pairs: readonly [string, string][]): string {
    return pairs
        .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join("&");
}

export class Verifier {
    private readonly keys = new Map<string, Credential>();

    constructor(credentials: readonly Credential[], private readonly nonces: NonceCache) {
        for (const credential of credentials) this.keys.set(credential.accessKeyId, credential);
    }

    /** Authenticates `req` or throws the `ApiError` the service would answer. `now` is wall-clock ms. */
    verify(req: RawRequest, now: number): VerifiedCaller {
        const headers = headerValues(req.rawHeaders);
        const authorization = headers.get("authorization");
        if (authorization !== undefined) return this.verifyV3(req, headers, authorization, now);
        // The v2 parameters may come in the query or, as @alicloud/pop-core sends a POST, in the
        // form body together with every other parameter.
        if ([...req.query, ...req.form].some(([k]) => k === "Signature" || k === "SignatureMethod" || k === "AccessKeyId")) return this.verifyV2(req, now);
        throw Errors.incompleteSignature("the request carries neither an Authorization header nor a Signature parameter");
    }

    private credential(accessKeyId: string): Credential {
        const credential = this.keys.get(accessKeyId);
        if (!credential) throw Errors.accessKeyNotFound();
        return credential;
    }

    private checkToken(credential: Credential, token: string | undefined): void {
        // An STS key needs its own token; a long-term key must not come with one.
        if ((credential.securityToken ?? "") !== (token ?? "")) throw Errors.securityTokenMismatch();
    }

    private verifyV3(req: RawRequest, headers: Map<string, string[]>, authorizationValues: string[], now: number): VerifiedCaller {
        if (authorizationValues.length !== 1) throw Errors.incompleteSignature("more than one Authorization header");
        const authorization = authorizationValues[0]!.trim();
        const space = authorization.indexOf(" ");
        const algorithm = space < 0 ? authorization : authorization.slice(0, space);
        if (algorithm !== V3_ALGORITHM) throw Errors.incompleteSignature(`unsupported signature algorithm "${algorithm.slice(0, 40)}"; use ${V3_ALGORITHM}`);
        const fields = new Map<string, string>();
        for (const part of (space < 0 ? "" : authorization.slice(space + 1)).split(",")) {
            const eq = part.indexOf("=");
            if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
        }
        const accessKeyId = fields.get("Credential");
        const signedHeadersText = fields.get("SignedHeaders");
        const signature = fields.get("Signature");
        if (!accessKeyId || !signedHeadersText || !signature) {
            throw Errors.incompleteSignature("Authorization must be: ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>");
        }
        const credential = this.credential(accessKeyId);

        const single = (name: string): string => {
            const values = headers.get(name);
            if (!values || values.length === 0 || values[0]!.trim() === "") throw Errors.incompleteSignature(`header ${name} is required`);
            return values[0]!.trim();
        };
        const date = single("x-acs-date");
        const nonce = single("x-acs-signature-nonce");
        const contentHash = single("x-acs-content-sha256");

        const signedHeaders = signedHeadersText.split(";");
        const signedSet = new Set(signedHeaders);
        if (!signedSet.has("host")) throw Errors.incompleteSignature("SignedHeaders must include host");
        for (const name of headers.keys()) {
            if (name.startsWith("x-acs-") && !signedSet.has(name)) throw Errors.incompleteSignature(`header ${name} must be signed`);
        }
        const sorted = [...signedHeaders].sort();
        if (signedHeaders.some((name, i) => name !== sorted[i] || name !== name.toLowerCase() || name === "")) {
            throw Errors.incompleteSignature("SignedHeaders must be lower-case names, sorted, separated by ';'");
        }
        for (const name of signedHeaders) if (!headers.has(name)) throw Errors.incompleteSignature(`signed header ${name} is missing from the request`);

        checkTimestamp(date, now);

        const bodyHash = createHash("sha256").update(req.body).digest("hex");
        if (!sameText(bodyHash, contentHash.toLowerCase())) {
            throw Errors.signatureDoesNotMatch("x-acs-content-sha256 does not match the SHA-256 of the request body.");
        }

        const canonicalHeaders = signedHeaders
            .map((name) => `${name}:${headers.get(name)!.map((v) => v.trim()).sort().join(",")}\n`)
            .join("");
        const canonicalRequest = [req.method, req.path, canonicalQuery(req.query), canonicalHeaders, signedHeaders.join(";"), contentHash].join("\n");
        const stringToSign = `${V3_ALGORITHM}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
        const expected = createHmac("sha256", credential.accessKeySecret).update(stringToSign).digest("hex");
        if (!sameText(expected, signature.toLowerCase())) {
            throw Errors.signatureDoesNotMatch(`server string to sign is:${stringToSign} (canonical request: ${JSON.stringify(canonicalRequest)})`);
        }

        this.checkToken(credential, headers.get("x-acs-security-token")?.[0]);
        if (!this.nonces.claim(accessKeyId, nonce, now)) throw Errors.nonceUsed();
        return { accessKeyId, style: "V3" };
    }

    private verifyV2(req: RawRequest, now: number): VerifiedCaller {
        const params = [...req.query, ...req.form];
        const get = (name: string): string => {
            const found = params.filter(([k]) => k === name);
            if (found.length !== 1 || found[0]![1] === "") throw Errors.incompleteSignature(`parameter ${name} is required exactly once`);
            return found[0]![1];
        };
        const signature = get("Signature");
        const accessKeyId = get("AccessKeyId");
        if (get("SignatureMethod") !== "HMAC-SHA1") throw Errors.incompleteSignature("SignatureMethod must be HMAC-SHA1");
        if (get("SignatureVersion") !== "1.0") throw Errors.incompleteSignature("SignatureVersion must be 1.0");
        const nonce = get("SignatureNonce");
        const timestamp = get("Timestamp");
        const credential = this.credential(accessKeyId);
        checkTimestamp(timestamp, now);

        const canonical = canonicalQuery(params.filter(([k]) => k !== "Signature"));
        const stringToSign = `${req.method}&${percentEncode("/")}&${percentEncode(canonical)}`;
        const expected = createHmac("sha1", `${credential.accessKeySecret}&`).update(stringToSign).digest("base64");
        if (!sameText(expected, signature)) throw Errors.signatureDoesNotMatch(`server string to sign is:${stringToSign}`);

        const tokens = params.filter(([k]) => k === "SecurityToken");
        this.checkToken(credential, tokens[0]?.[1]);
        if (!this.nonces.claim(accessKeyId, nonce, now)) throw Errors.nonceUsed();
        return { accessKeyId, style: "v2" };
    }
}
