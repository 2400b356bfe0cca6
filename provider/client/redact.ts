/**
 * Keeping secrets out of error text.
 *
 * `@alicloud/openapi-client` and its transport put request data into error messages: a network
 * error's message ends with the full request URL, and with the old (v2) signature that URL
 * carries `SecurityToken` and `Signature`. The service's own `SignatureDoesNotMatch` message
 * quotes its string-to-sign, which holds the same parameters URL-encoded. Everything that ends up
 * in one of this package's errors passes through {@link Redactor.scrub} first.
 */

/** What replaces a secret. */
export const REDACTED = "<redacted>";

// Secrets shorter than this are not replaced literally: replacing "a" everywhere would mangle
// the message while protecting nothing (no real AccessKey secret or STS token is this short).
const MIN_LITERAL_SECRET_LENGTH = 6;

// Parameter and field names whose values are secret or derived from a secret.
const SECRET_NAME = "(?:SecurityToken|Signature|AccessKeySecret|BearerToken|x-acs-security-token|x-acs-bearer-token)";

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
    // The query string of any URL: business parameters are repeated in our own message, and the
    // v2 signature puts the STS token and signature there.
    [/(\bhttps?:\/\/[^\s?#'"]+)\?[^\s'"]*/gi, "$1?<query omitted>"],
    // name=value in a query string or form, raw or URL-encoded once or twice.
    [new RegExp(`(${SECRET_NAME}(?:=|%3D|%253D))(?:(?!&|%26|%2526)[^\\s"'])*`, "gi"), `$1${REDACTED}`],
    // SubmitFlow's Conf parameter: the service's SignatureDoesNotMatch message quotes the canonical
    // request or string-to-sign, which holds it, and a conf value may be a secret (the provider gets
    // secrets unwrapped, so it cannot tell which). The IDs around it stay readable.
    [/(Conf(?:=|%3D|%253D))(?:(?!&|%26|%2526)[^\s"'\\])*/g, `$1${REDACTED}`],
    // "name": "value" in JSON, for any key that looks like a secret.
    [/("[A-Za-z0-9_-]*(?:secret|token|signature|password|authorization)[A-Za-z0-9_-]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, `$1"${REDACTED}"`],
    // name: value header lines.
    [new RegExp(`(${SECRET_NAME}\\s*:\\s*)[^\\s,;]+`, "gi"), `$1${REDACTED}`],
    // The v3 Authorization header's signature.
    [/(ACS3-HMAC-SHA256\s+Credential=[^,\s]*,SignedHeaders=[^,\s]*,Signature=)[0-9a-f]+/gi, `$1${REDACTED}`],
];

/** Replaces known secret values and secret-looking fields in text. */
export class Redactor {
    // An ES private field: util.inspect and JSON.stringify of a client never show it.
    readonly #secrets = new Set<string>();

    /** Remembers a secret value so that it is replaced wherever it appears literally. */
    add(secret: string | undefined): void {
        if (secret && secret.length >= MIN_LITERAL_SECRET_LENGTH) {
            this.#secrets.add(secret);
            // Also the encoded forms a URL or a string-to-sign would hold.
            const once = encodeURIComponent(secret);
            if (once !== secret) {
                this.#secrets.add(once);
                this.#secrets.add(encodeURIComponent(once));
            }
        }
    }

    /**
     * Returns the text with every known secret and secret-looking field replaced. With
     * `keepQueries`, URL query strings are kept (secret-named parameters are still replaced):
     * for URLs the service itself hands out, such as `Recommend`.
     */
    scrub(text: string, options: { keepQueries?: boolean } = {}): string {
        let out = text;
        // Longest first, so that a secret containing another is replaced whole.
        for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) {
            out = out.split(secret).join(REDACTED);
        }
        for (const [index, [pattern, replacement]] of PATTERNS.entries()) {
            if (index === 0 && options.keepQueries) continue;
            out = out.replace(pattern, replacement);
        }
        return out;
    }
}

/** Scrubs with the patterns only (no known secret values). */
export function scrubText(text: string): string {
    return new Redactor().scrub(text);
}
