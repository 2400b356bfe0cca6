/**
 * Everything the EMR flow client needs, resolved from layered sources: explicit arguments, then
 * Pulumi stack config, then environment variables, then (for credentials only) Alibaba Cloud's
 * default credential chain. The names are the ones Alibaba Cloud users already have set for
 * Pulumi's alicloud provider and for Terraform, so no new setup is needed.
 *
 * Nothing here writes anything anywhere: the result lives in memory, and secrets in it sit
 * behind a function so that printing the settings never shows them (see `credentials.ts`).
 * The source of every value is kept for messages.
 */
import { chainCredentials, staticCredentials, type CredentialSource } from "./credentials";
import { ENDPOINT_ENV_VAR, parseEndpointOverride } from "./endpoint";
import { CredentialsError, EmrConfigError } from "./errors";
import type { RetryPolicy } from "./retry";

/**
 * How long to wait for a TCP connection, in ms. The SDK's own default (3 s) suits interactive
 * tools; a deployment on a slow or distant network (an overseas region, a proxy) would fail
 * spuriously with it. A connection that times out provably sent nothing, so even SubmitFlow is
 * retried after it.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/**
 * How long to wait for an answer, in ms. The SDK's 3 s is too short: the EMR control plane
 * answers SubmitFlow in well under a second when healthy, but under load it takes several, and a
 * SubmitFlow that times out leaves its outcome unknown (it is never retried), which costs the
 * user a manual check. Waiting longer is the cheaper failure.
 */
export const DEFAULT_READ_TIMEOUT_MS = 30_000;
/** The signature used unless told otherwise: ACS3-HMAC-SHA256 (`v3`). */
export const DEFAULT_SIGNATURE_VERSION = "v3";

/** Signature versions: `v3` (ACS3-HMAC-SHA256, the default) or `v2` (the old HMAC-SHA1 query signature). */
export type SignatureVersion = "v3" | "v2";

/** What the client needs. Build it with {@link resolveSettings}. */
export interface ClientSettings {
    /** The region used when a call names none. No default: every call must then name one. */
    regionId?: string;
    /** An endpoint override (`host[:port]` or `http(s)://host[:port]`); default: per region. */
    endpoint?: string;
    credentials: CredentialSource;
    /** Default `v3`. */
    signatureVersion?: SignatureVersion;
    /** Default {@link DEFAULT_CONNECT_TIMEOUT_MS} (5 s). */
    connectTimeoutMs?: number;
    /** Default {@link DEFAULT_READ_TIMEOUT_MS} (30 s). */
    readTimeoutMs?: number;
    /**
     * A hard cap on the calls this process starts in any one second, shared by every client in
     * it (see `throttle.ts`). Default: no cap; the client goes at full speed until the service
     * throttles, then adapts its rate to what the service accepts.
     */
    maxRequestsPerSecond?: number;
    /** Overrides of the retry policy's limits; see `retry.ts` for the defaults. */
    retry?: Partial<RetryPolicy>;
    /** Where each value came from, e.g. `{ regionId: "stack config alicloud:region" }`. */
    sources?: SettingSources;
}

/** Where each resolved setting came from (names of settings, never values). */
export interface SettingSources {
    credentials?: string;
    regionId?: string;
    endpoint?: string;
    signatureVersion?: string;
    connectTimeoutMs?: string;
    readTimeoutMs?: string;
    maxRequestsPerSecond?: string;
}

/** Values passed directly (for example resource or provider arguments). */
export interface ExplicitSettings {
    accessKeyId: string;
    accessKeySecret: string;
    securityToken: string;
    regionId: string;
    endpoint: string;
    signatureVersion: string;
    connectTimeoutMs: number | string;
    readTimeoutMs: number | string;
    maxRequestsPerSecond: number | string;
    retry: Partial<RetryPolicy>;
}

/** The layers {@link resolveSettings} reads. */
export interface SettingsSources {
    explicit?: Partial<ExplicitSettings>;
    /** Reads fully qualified stack config keys such as `alicloud:region`. */
    config?: (key: string) => string | undefined;
    /** Default: none (pass `process.env` to read the environment). */
    env?: NodeJS.ProcessEnv;
}

/** Stack config keys read. */
export const CONFIG_KEYS = {
    accessKey: "alicloud:accessKey",
    secretKey: "alicloud:secretKey",
    securityToken: "alicloud:securityToken",
    region: "alicloud:region",
    endpoint: "emr-flow:endpoint",
    signatureVersion: "emr-flow:signatureVersion",
    connectTimeoutMs: "emr-flow:connectTimeoutMs",
    readTimeoutMs: "emr-flow:readTimeoutMs",
    maxRequestsPerSecond: "emr-flow:maxRequestsPerSecond",
} as const;

/** Environment variables read, in order of preference. */
export const ENV_VARS = {
    credentials: [
        { id: "ALIBABA_CLOUD_ACCESS_KEY_ID", secret: "ALIBABA_CLOUD_ACCESS_KEY_SECRET", token: "ALIBABA_CLOUD_SECURITY_TOKEN" },
        { id: "ALICLOUD_ACCESS_KEY", secret: "ALICLOUD_SECRET_KEY", token: "ALICLOUD_SECURITY_TOKEN" },
    ],
    region: ["ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"],
    endpoint: [ENDPOINT_ENV_VAR],
    signatureVersion: ["EMR_FLOW_SIGNATURE_VERSION"],
    connectTimeoutMs: ["EMR_FLOW_CONNECT_TIMEOUT_MS"],
    readTimeoutMs: ["EMR_FLOW_READ_TIMEOUT_MS"],
    maxRequestsPerSecond: ["EMR_FLOW_MAX_REQUESTS_PER_SECOND"],
} as const;

interface Found<T> {
    value: T;
    source: string;
}

function nonEmpty(value: unknown): string | undefined {
    if (typeof value === "number") return String(value);
    if (typeof value !== "string") return undefined;
    const trimmed = value.trim();
    return trimmed === "" ? undefined : trimmed;
}

/**
 * Resolves the client's settings. Throws {@link CredentialsError} when a layer holds half a key
 * pair (naming the missing key), and {@link EmrConfigError} for a malformed endpoint, timeout or
 * signature version (naming the setting). When no layer holds a key pair, the result names the
 * default credential chain, which runs on the first call; if it finds nothing, that call throws
 * one {@link CredentialsError} listing every place looked at.
 */
export function resolveSettings(sources: SettingsSources = {}): ClientSettings {
    const explicit = sources.explicit ?? {};
    const config = (key: string): string | undefined => nonEmpty(sources.config?.(key));
    const env = sources.env ?? {};
    const fromEnv = (name: string): string | undefined => nonEmpty(env[name]);

    const pick = (explicitValue: unknown, explicitName: string, configKey: string | undefined, envNames: readonly string[]): Found<string> | undefined => {
        const e = nonEmpty(explicitValue);
        if (e !== undefined) return { value: e, source: `explicit ${explicitName}` };
        if (configKey) {
            const c = config(configKey);
            if (c !== undefined) return { value: c, source: `stack config ${configKey}` };
        }
        for (const name of envNames) {
            const v = fromEnv(name);
            if (v !== undefined) return { value: v, source: `environment ${name}` };
        }
        return undefined;
    };

    const settings: ClientSettings = { credentials: resolveCredentials(explicit, config, fromEnv), sources: {} };
    const srcs = settings.sources as SettingSources;
    srcs.credentials = settings.credentials.source;

    const region = pick(explicit.regionId, "regionId", CONFIG_KEYS.region, ENV_VARS.region);
    if (region) {
        settings.regionId = region.value;
        srcs.regionId = region.source;
    }

    const endpoint = pick(explicit.endpoint, "endpoint", CONFIG_KEYS.endpoint, ENV_VARS.endpoint);
    if (endpoint) {
        // Parsed now so that a bad value is reported before any call, naming its source.
        parseEndpointOverride(endpoint.value, endpoint.source);
        settings.endpoint = endpoint.value;
        srcs.endpoint = endpoint.source;
    }

    const signature = pick(explicit.signatureVersion, "signatureVersion", CONFIG_KEYS.signatureVersion, ENV_VARS.signatureVersion);
    if (signature) {
        const v = signature.value.toLowerCase();
        if (v !== "v3" && v !== "v2") {
            throw new EmrConfigError("InvalidSetting", `${signature.source} = "${signature.value}" is not a signature version: use "v3" (default) or "v2".`, signature.source);
        }
        settings.signatureVersion = v;
        srcs.signatureVersion = signature.source;
    }

    for (const key of ["connectTimeoutMs", "readTimeoutMs"] as const) {
        const found = pick(explicit[key], key, CONFIG_KEYS[key], ENV_VARS[key]);
        if (!found) continue;
        const ms = Number(found.value);
        if (!/^\d+$/.test(found.value) || !Number.isSafeInteger(ms) || ms < 1) {
            throw new EmrConfigError("InvalidSetting", `${found.source} = "${found.value}" is not a timeout: use a whole number of milliseconds, at least 1.`, found.source);
        }
        settings[key] = ms;
        srcs[key] = found.source;
    }

    const rate = pick(explicit.maxRequestsPerSecond, "maxRequestsPerSecond", CONFIG_KEYS.maxRequestsPerSecond, ENV_VARS.maxRequestsPerSecond);
    if (rate) {
        const perSecond = Number(rate.value);
        if (!/^\d+(\.\d+)?$/.test(rate.value) || !(perSecond > 0) || perSecond > 10_000) {
            throw new EmrConfigError("InvalidSetting", `${rate.source} = "${rate.value}" is not a rate: use a number of calls per second greater than 0 and at most 10000 (default: no cap; the rate adapts to throttling).`, rate.source);
        }
        settings.maxRequestsPerSecond = perSecond;
        srcs.maxRequestsPerSecond = rate.source;
    }

    if (explicit.retry) settings.retry = { ...explicit.retry };
    return settings;
}

function resolveCredentials(
    explicit: Partial<ExplicitSettings>,
    config: (key: string) => string | undefined,
    fromEnv: (name: string) => string | undefined,
): CredentialSource {
    const layers: { id: string; secret: string; token: string; idValue?: string; secretValue?: string; tokenValue?: string }[] = [
        {
            id: "explicit accessKeyId",
            secret: "explicit accessKeySecret",
            token: "explicit securityToken",
            idValue: nonEmpty(explicit.accessKeyId),
            secretValue: nonEmpty(explicit.accessKeySecret),
            tokenValue: nonEmpty(explicit.securityToken),
        },
        {
            id: `stack config ${CONFIG_KEYS.accessKey}`,
            secret: `stack config ${CONFIG_KEYS.secretKey}`,
            token: `stack config ${CONFIG_KEYS.securityToken}`,
            idValue: config(CONFIG_KEYS.accessKey),
            secretValue: config(CONFIG_KEYS.secretKey),
            tokenValue: config(CONFIG_KEYS.securityToken),
        },
        ...ENV_VARS.credentials.map((names) => ({
            id: `environment ${names.id}`,
            secret: `environment ${names.secret}`,
            token: `environment ${names.token}`,
            idValue: fromEnv(names.id),
            secretValue: fromEnv(names.secret),
            tokenValue: fromEnv(names.token),
        })),
    ];
    const lookedAt: string[] = [];
    const ignored: string[] = [];
    for (const layer of layers) {
        if (layer.idValue !== undefined && layer.secretValue !== undefined) {
            return staticCredentials(layer.idValue, layer.secretValue, layer.tokenValue, layer.id);
        }
        if (layer.idValue !== undefined || layer.secretValue !== undefined) {
            // Half a pair is a mistake worth stopping for: falling through to another layer would
            // silently deploy with other credentials than the ones the user set.
            const [has, missing] = layer.idValue !== undefined ? [layer.id, layer.secret] : [layer.secret, layer.id];
            throw new CredentialsError(
                "CredentialsIncomplete",
                `Incomplete Alibaba Cloud credentials: ${has} is set but ${missing} is not. Set both, or neither to use the next source.`,
                [...lookedAt, `${layer.id} / ${layer.secret}`],
            );
        }
        if (layer.tokenValue !== undefined) {
            ignored.push(`${layer.token} is set, but neither ${layer.id} nor ${layer.secret} is: a security token is used only with the key pair it was issued for`);
        }
        lookedAt.push(`${layer.id} / ${layer.secret}`);
    }
    return chainCredentials(lookedAt, ignored);
}
