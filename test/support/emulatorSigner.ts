/**
 * A second, independent implementation of Alibaba Cloud request signing (V3 ACS3-HMAC-SHA256 and
 * the v2 HMAC-SHA1 query signature), written from the published algorithm for the emulator
 * tests. It shares no code with the emulator, so the two can only agree if both follow the spec.
 * Every part of a request can be overridden after signing, to build tampered requests.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";

export interface Key {
    id: string;
    secret: string;
    token?: string;
}

export interface WireRequest {
    method: string;
    /** Path plus query, exactly as put on the wire. */
    path: string;
    headers: Record<string, string>;
    body: string;
}

export interface WireResponse {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    text: string;
    json: Record<string, unknown>;
}

/** RFC 3986: unreserved characters stay, everything else is %XX (upper-case hex, UTF-8). */
function rfc3986(text: string): string {
    let out = "";
    for (const byte of Buffer.from(text, "utf8")) {
        const c = String.fromCharCode(byte);
        out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    }
    return out;
}

/** The wire query, deliberately encoded like Node's `querystring` (leaves `!'()*` bare) as the SDK does. */
function wireQuery(params: Record<string, string>): string {
    return Object.entries(params)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .join("&");
}

function utcStamp(ms: number): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface SignOptions {
    key: Key;
    action: string;
    params: Record<string, string>;
    host: string;
    method?: string;
    version?: string;
    /** Wall-clock time to put in the request. */
    time?: number;
    nonce?: string;
    body?: string;
    contentType?: string;
}

export function signV3(o: SignOptions): WireRequest {
    const method = o.method ?? "POST";
    const body = o.body ?? "";
    const headers: Record<string, string> = {
        host: o.host,
        "x-acs-action": o.action,
        "x-acs-version": o.version ?? "2016-04-08",
        "x-acs-date": utcStamp(o.time ?? Date.now()),
        "x-acs-signature-nonce": o.nonce ?? randomUUID(),
        "x-acs-content-sha256": createHash("sha256").update(body).digest("hex"),
    };
    if (o.contentType) headers["content-type"] = o.contentType;
    if (o.key.token) headers["x-acs-security-token"] = o.key.token;
    const names = Object.keys(headers).map((h) => h.toLowerCase()).sort();
    const canonicalQuery = Object.keys(o.params)
        .sort()
        .map((k) => `${rfc3986(k)}=${rfc3986(o.params[k]!)}`)
        .join("&");
    const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim()}\n`).join("");
    const canonical = [method, "/", canonicalQuery, canonicalHeaders, names.join(";"), headers["x-acs-content-sha256"]].join("\n");
    const toSign = `ACS3-HMAC-SHA256\n${createHash("sha256").update(canonical).digest("hex")}`;
    const signature = createHmac("sha256", o.key.secret).update(toSign).digest("hex");
    headers["authorization"] = `ACS3-HMAC-SHA256 Credential=${o.key.id},SignedHeaders=${names.join(";")},Signature=${signature}`;
    const query = wireQuery(o.params);
    return { method, path: query ? `/?${query}` : "/", headers, body };
}

export function signV2(o: SignOptions): WireRequest {
    const method = o.method ?? "POST";
    const all: Record<string, string> = {
        Action: o.action,
        Version: o.version ?? "2016-04-08",
        Format: "JSON",
        Timestamp: utcStamp(o.time ?? Date.now()),
        SignatureNonce: o.nonce ?? randomUUID(),
        SignatureMethod: "HMAC-SHA1",
        SignatureVersion: "1.0",
        AccessKeyId: o.key.id,
        ...(o.key.token ? { SecurityToken: o.key.token } : {}),
        ...o.params,
    };
    const canonical = Object.keys(all)
        .sort()
        .map((k) => `${rfc3986(k)}=${rfc3986(all[k]!)}`)
        .join("&");
    const toSign = `${method}&${rfc3986("/")}&${rfc3986(canonical)}`;
    all["Signature"] = createHmac("sha1", `${o.key.secret}&`).update(toSign).digest("base64");
    return { method, path: `/?${wireQuery(all)}`, headers: { host: o.host }, body: o.body ?? "" };
}

/** Sends a request to 127.0.0.1:`port` exactly as given. */
export function send(port: number, req: WireRequest, timeoutMs = 5000): Promise<WireResponse> {
    return new Promise((resolve, reject) => {
        const r = httpRequest(
            { host: "127.0.0.1", port, method: req.method, path: req.path, headers: { ...req.headers, "content-length": String(Buffer.byteLength(req.body)) }, agent: false },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    let json: Record<string, unknown> = {};
                    try {
                        json = JSON.parse(text) as Record<string, unknown>;
                    } catch {
                        // Left empty: tests assert on `text` when the body is not JSON.
                    }
                    resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
                });
                res.on("error", reject);
            },
        );
        r.setTimeout(timeoutMs, () => r.destroy(new Error("client timeout")));
        r.on("error", reject);
        r.end(req.body);
    });
}

/** A small signed-call helper bound to one emulator. */
export class EmulatorCaller {
    constructor(
        public readonly port: number,
        public readonly key: Key,
        public readonly style: "V3" | "v2" = "V3",
    ) {}

    sign(action: string, params: Record<string, string>, extra: Partial<SignOptions> = {}): WireRequest {
        const options: SignOptions = { key: this.key, action, params, host: `127.0.0.1:${this.port}`, ...extra };
        return this.style === "V3" ? signV3(options) : signV2(options);
    }

    call(action: string, params: Record<string, string>, extra: Partial<SignOptions> = {}): Promise<WireResponse> {
        return send(this.port, this.sign(action, params, extra));
    }

    /** Calls and requires HTTP 200, returning the JSON body. */
    async ok(action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
        const res = await this.call(action, params);
        if (res.status !== 200) throw new Error(`${action} failed: ${res.status} ${res.text}`);
        return res.json;
    }
}
