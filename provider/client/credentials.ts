/**
 * Credentials for the EMR flow client: a key pair found in settings, or Alibaba Cloud's default
 * credential chain (profiles, OIDC, ECS RAM role, credentials URI) from `@alicloud/credentials`.
 *
 * Secrets are held only in memory and only behind a function (`secret()`), so that printing or
 * serializing a settings object never shows them. The chain is run here, provider by provider,
 * rather than through `@alicloud/credentials`'s own default chain for two reasons:
 * - its error joins every provider's message, and some of those quote the files they read
 *   (a CLI config that fails to parse is printed whole, secrets included);
 * - it remembers the last provider it *tried* even when that one failed, so one failure sticks.
 * The providers themselves are `@alicloud/credentials`' own, required only when the chain is
 * actually needed.
 */
import { CredentialsError } from "./errors";
import type { Redactor } from "./redact";

/** The secret half of a key pair. */
export interface SecretParts {
    accessKeySecret: string;
    /** An STS token, when the key pair is temporary. */
    securityToken?: string;
}

/** A key pair found in settings (explicit arguments, stack config or environment). */
export interface StaticCredentialSource {
    kind: "static";
    accessKeyId: string;
    /** Where the pair came from, e.g. `stack config alicloud:accessKey`. */
    source: string;
    /** The secret half. A function, so that it never shows in JSON or `util.inspect` output. */
    secret(): SecretParts;
}

/** Alibaba Cloud's default credential chain, run when no key pair was found in settings. */
export interface ChainCredentialSource {
    kind: "chain";
    source: string;
    /** The places looked at before the chain, by name (for the message when the chain finds nothing too). */
    lookedAt: readonly string[];
    /** Settings found but not used, by name, with why (a security token with no key pair). */
    ignored?: readonly string[];
}

/** Where the client gets its credentials. */
export type CredentialSource = StaticCredentialSource | ChainCredentialSource;

/** Makes a {@link StaticCredentialSource}; the secret is kept in a closure. */
export function staticCredentials(accessKeyId: string, accessKeySecret: string, securityToken?: string, source = "explicit arguments"): StaticCredentialSource {
    const parts: SecretParts = securityToken ? { accessKeySecret, securityToken } : { accessKeySecret };
    return { kind: "static", accessKeyId, source, secret: () => ({ ...parts }) };
}

/** The default-chain source, as settings produce it. */
export function chainCredentials(lookedAt: readonly string[] = [], ignored: readonly string[] = []): ChainCredentialSource {
    const source: ChainCredentialSource = { kind: "chain", source: "Alibaba Cloud default credential chain", lookedAt: [...lookedAt] };
    if (ignored.length > 0) source.ignored = [...ignored];
    return source;
}

/** The places the default chain looks, in its order (names only). */
export const CHAIN_PLACES: readonly string[] = [
    "OIDC role (env ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE)",
    "Alibaba Cloud CLI profile (~/.aliyun/config.json; profile from ALIBABA_CLOUD_PROFILE or the CLI's current one)",
    "credentials file (ALIBABA_CLOUD_CREDENTIALS_FILE or ~/.alibabacloud/credentials)",
    "ECS instance RAM role (instance metadata; role from ALIBABA_CLOUD_ECS_METADATA)",
    "credentials URI (env ALIBABA_CLOUD_CREDENTIALS_URI)",
];

/** Credentials as the signer needs them, plus where they came from. */
export interface ResolvedCredentials {
    accessKeyId: string;
    accessKeySecret: string;
    securityToken?: string;
    /** e.g. `stack config alicloud:accessKey` or `credentials file (~/.alibabacloud/credentials)`. */
    source: string;
}

/** Something that hands out credentials for each call (refreshing temporary ones). */
export interface CredentialProvider {
    get(): Promise<ResolvedCredentials>;
    /** Where the credentials come (or last came) from, for messages. */
    describe(): string;
}

// A provider of `@alicloud/credentials`, as far as this module relies on it.
interface UpstreamProvider {
    getCredentials(): Promise<{ accessKeyId: string; accessKeySecret: string; securityToken?: string }>;
}

// Upstream messages that say only which setting was absent: safe to quote. Anything else may
// quote a file or an HTTP answer holding secrets and is summarised instead.
const SAFE_UPSTREAM_MESSAGES: readonly RegExp[] = [
    /^the CLI profile is disabled$/,
    /^IMDS credentials is disabled$/,
    /^roleArn does not exist and env ALIBABA_CLOUD_ROLE_ARN is null\.$/,
    /^oidcProviderArn does not exist and env ALIBABA_CLOUD_OIDC_PROVIDER_ARN is null\.$/,
    /^oidcTokenFilePath is not exists and env ALIBABA_CLOUD_OIDC_TOKEN_FILE is null\.$/,
    /^reading aliyun cli config from '[^']*' failed\.$/,
    /^no any configured profiles in '[^']*'$/,
    /^unable to get profile with '[^']*'$/,
    /^Can not find credential type for "[^"]*"$/,
    /^cannot found home dir$/,
    /^get metadata token failed with \d+$/,
    /^[A-Z][A-Z0-9_]* is not set$/,
];

function safeReason(err: unknown): string {
    const message = err instanceof Error ? err.message : String(err);
    if (/ENOENT|no such file/i.test(message)) return "file not found";
    if (SAFE_UPSTREAM_MESSAGES.some((re) => re.test(message))) return message;
    if (/ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|timeout/i.test(message)) return "could not be reached";
    return "failed (details withheld: they may quote credential data)";
}

interface ChainStep {
    place: string;
    build(lib: CredentialsLib): UpstreamProvider;
}

// The subset of `@alicloud/credentials` used here.
interface CredentialsLib {
    OIDCRoleArnCredentialsProvider: { builder(): { build(): UpstreamProvider } };
    CLIProfileCredentialsProvider: { builder(): { build(): UpstreamProvider } };
    ProfileCredentialsProvider: { builder(): { build(): UpstreamProvider } };
    ECSRAMRoleCredentialsProvider: { builder(): { withRoleName(name: string | undefined): { build(): UpstreamProvider } } };
    URICredentialsProvider: { builder(): { withCredentialsURI(uri: string | undefined): { build(): UpstreamProvider } } };
}

const CHAIN_STEPS: readonly ChainStep[] = [
    { place: CHAIN_PLACES[0], build: (lib) => lib.OIDCRoleArnCredentialsProvider.builder().build() },
    { place: CHAIN_PLACES[1], build: (lib) => lib.CLIProfileCredentialsProvider.builder().build() },
    { place: CHAIN_PLACES[2], build: (lib) => lib.ProfileCredentialsProvider.builder().build() },
    { place: CHAIN_PLACES[3], build: (lib) => lib.ECSRAMRoleCredentialsProvider.builder().withRoleName(process.env.ALIBABA_CLOUD_ECS_METADATA).build() },
    {
        place: CHAIN_PLACES[4],
        build: (lib) => {
            // Upstream builds this provider even without a URI and then fails on a request to
            // "undefined"; a clear skip is better.
            const uri = process.env.ALIBABA_CLOUD_CREDENTIALS_URI;
            if (!uri) throw new Error("ALIBABA_CLOUD_CREDENTIALS_URI is not set");
            return lib.URICredentialsProvider.builder().withCredentialsURI(uri).build();
        },
    },
];

function loadCredentialsLib(): CredentialsLib {
    // Required here: only a deployment without a key pair in its settings pays for loading it.
    return require("@alicloud/credentials") as CredentialsLib;
}

/** Hands out a static key pair. */
class StaticProvider implements CredentialProvider {
    constructor(private readonly source: StaticCredentialSource) {}
    async get(): Promise<ResolvedCredentials> {
        const secret = this.source.secret();
        return { accessKeyId: this.source.accessKeyId, ...secret, source: this.source.source };
    }
    describe(): string {
        return this.source.source;
    }
}

/**
 * Runs the default chain on first use; sticks to the first provider that gives credentials (it
 * refreshes temporary ones itself). When none does, throws one {@link CredentialsError} listing
 * every place looked at; the next call tries the whole chain again.
 */
class ChainProvider implements CredentialProvider {
    private chosen?: { place: string; provider: UpstreamProvider };

    constructor(
        private readonly source: ChainCredentialSource,
        private readonly loadLib: () => CredentialsLib,
    ) {}

    describe(): string {
        return this.chosen ? this.chosen.place : this.source.source;
    }

    async get(): Promise<ResolvedCredentials> {
        if (this.chosen) {
            try {
                return this.toResolved(await this.chosen.provider.getCredentials(), this.chosen.place);
            } catch (err) {
                throw new CredentialsError(
                    "CredentialsUnavailable",
                    `Could not refresh credentials from ${this.chosen.place}: ${safeReason(err)}.`,
                    [this.chosen.place],
                );
            }
        }
        const lib = this.loadLib();
        const outcomes: string[] = [];
        for (const step of CHAIN_STEPS) {
            let provider: UpstreamProvider;
            try {
                provider = step.build(lib);
            } catch (err) {
                outcomes.push(`${step.place}: skipped (${safeReason(err)})`);
                continue;
            }
            try {
                const creds = await provider.getCredentials();
                if (creds && creds.accessKeyId && creds.accessKeySecret) {
                    this.chosen = { place: step.place, provider };
                    return this.toResolved(creds, step.place);
                }
                outcomes.push(`${step.place}: no credentials`);
            } catch (err) {
                outcomes.push(`${step.place}: ${safeReason(err)}`);
            }
        }
        const looked = [...this.source.lookedAt, ...CHAIN_PLACES];
        throw new CredentialsError(
            "CredentialsNotFound",
            "No Alibaba Cloud credentials found. Looked in, in order:\n" +
                this.source.lookedAt.map((p) => `  - ${p}: not set`).join("\n") +
                (this.source.lookedAt.length ? "\n" : "") +
                outcomes.map((o) => `  - ${o}`).join("\n") +
                (this.source.ignored ?? []).map((i) => `\nFound but ignored: ${i}.`).join("") +
                "\nSet stack config alicloud:accessKey and alicloud:secretKey (pulumi config set --secret alicloud:secretKey ...), " +
                "or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or configure a profile with the aliyun CLI.",
            looked,
        );
    }

    private toResolved(creds: { accessKeyId: string; accessKeySecret: string; securityToken?: string }, place: string): ResolvedCredentials {
        const out: ResolvedCredentials = { accessKeyId: creds.accessKeyId, accessKeySecret: creds.accessKeySecret, source: place };
        if (creds.securityToken) out.securityToken = creds.securityToken;
        return out;
    }
}

/** The provider for a {@link CredentialSource}. `loadLib` is replaceable for tests. */
export function credentialProvider(source: CredentialSource, loadLib: () => CredentialsLib = loadCredentialsLib): CredentialProvider {
    return source.kind === "static" ? new StaticProvider(source) : new ChainProvider(source, loadLib);
}

/**
 * The object handed to `@alicloud/openapi-client` as `Config.credential`: it asks `provider` for
 * credentials on every call and teaches `redactor` the secrets it hands out, so that any error
 * text quoting them can be scrubbed.
 */
export function openApiCredential(provider: CredentialProvider, redactor: Redactor): { getCredential(): Promise<Record<string, string | undefined>> } {
    return {
        async getCredential() {
            const creds = await provider.get();
            redactor.add(creds.accessKeySecret);
            redactor.add(creds.securityToken);
            return {
                accessKeyId: creds.accessKeyId,
                accessKeySecret: creds.accessKeySecret,
                securityToken: creds.securityToken,
                type: creds.securityToken ? "sts" : "access_key",
                providerName: "",
            };
        },
    };
}
