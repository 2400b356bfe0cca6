/**
 * Property values as they cross the engine <-> provider boundary.
 *
 * The Pulumi engine talks to a provider in `google.protobuf.Struct`s. Two things in those structs
 * are not plain JSON, and both come from `@pulumi/pulumi/runtime/rpc`:
 *
 * - a secret is an object `{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
 *   value: <v> }` (`specialSigKey` / `specialSecretSig`);
 * - an unknown value (a preview's "known after apply") is the string
 *   `"04da6b54-80e4-46f7-96ec-b56ff0331ba9"` (`unknownValue`).
 *
 * In the harness a secret is a {@link Secret} instance and an unknown is the {@link UNKNOWN}
 * string, so tests build and compare values without spelling signatures. {@link encodeProperties}
 * turns them into the struct the engine would send, following the engine's marshalling rules
 * (`MarshalProperties` with `KeepSecrets` / `KeepUnknowns`): a secret the provider did not agree
 * to receive is sent as its bare value, an unknown that may not be sent is left out, and there is
 * never an `undefined`. {@link decodeProperties} does the reverse for what the host answers, and
 * {@link annotateSecrets} re-applies the engine's rule that an output named like a secret input
 * stays secret when the provider does not handle secrets itself (the dynamic provider host never
 * does: its `Configure` answers `acceptSecrets: false`).
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** `rpc.specialSigKey`: the key that marks a special (non-JSON) value in a struct. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** `rpc.specialSecretSig`: the signature value of a secret. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** `rpc.unknownValue`: what an unknown (computed, not yet known) value is on the wire. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A value on the harness side of the wire: JSON, plus {@link Secret} wrappers anywhere and the
 * {@link UNKNOWN} string. `undefined` is accepted in objects and dropped, as the SDK does.
 */
export type PropertyValue =
    | null
    | undefined
    | boolean
    | number
    | string
    | Secret
    | PropertyValue[]
    | { [key: string]: PropertyValue };

/** A resource's property bag (inputs, outputs, state). */
export type PropertyMap = Record<string, PropertyValue>;

/** A value that the engine keeps marked as secret. */
export class Secret<T extends PropertyValue = PropertyValue> {
    constructor(public readonly value: T) {}
    /** Keeps the value out of accidental logs, as the CLI does. */
    toString(): string {
        return "[secret]";
    }
    toJSON(): Record<string, unknown> {
        return { [SIG_KEY]: SECRET_SIG, value: this.value };
    }
}

/** Wraps a value as a secret. */
export function secret<T extends PropertyValue>(value: T): Secret<T> {
    return new Secret(value);
}

export function isSecret(value: unknown): value is Secret {
    return value instanceof Secret;
}

/** True for a plain object (not an array, not a Secret, not null). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Secret);
}

/** True for the wire form of a secret. */
export function isWireSecret(value: unknown): value is { value: unknown } {
    return isPlainObject(value) && value[SIG_KEY] === SECRET_SIG;
}

/** Does the value hold a secret anywhere? */
export function containsSecrets(value: unknown): boolean {
    if (value instanceof Secret) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsSecrets);
    }
    if (isPlainObject(value)) {
        return Object.values(value).some(containsSecrets);
    }
    return false;
}

/** Does the value hold an unknown anywhere? */
export function containsUnknowns(value: unknown): boolean {
    if (value === UNKNOWN) {
        return true;
    }
    if (value instanceof Secret) {
        return containsUnknowns(value.value);
    }
    if (Array.isArray(value)) {
        return value.some(containsUnknowns);
    }
    if (isPlainObject(value)) {
        return Object.values(value).some(containsUnknowns);
    }
    return false;
}

/** The value with every {@link Secret} replaced by what it holds (for assertions on content). */
export function reveal(value: PropertyValue): PropertyValue {
    if (value instanceof Secret) {
        return reveal(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(reveal);
    }
    if (isPlainObject(value)) {
        const out: Record<string, PropertyValue> = {};
        for (const [k, v] of Object.entries(value)) {
            out[k] = reveal(v as PropertyValue);
        }
        return out;
    }
    return value;
}

/** Dotted paths (`a.b[0].c`) of every secret in a property map, outermost only. */
export function secretPaths(map: PropertyMap): string[] {
    const paths: string[] = [];
    const walk = (value: unknown, path: string): void => {
        if (value instanceof Secret) {
            paths.push(path);
        } else if (Array.isArray(value)) {
            value.forEach((v, i) => walk(v, `${path}[${i}]`));
        } else if (isPlainObject(value)) {
            for (const [k, v] of Object.entries(value)) {
                walk(v, path === "" ? k : `${path}.${k}`);
            }
        }
    };
    walk(map, "");
    return paths;
}

/** How the engine marshals a property map for one call (Go `plugin.MarshalOptions`). */
export interface MarshalOptions {
    /** Send secrets as signature objects (only when the provider answered `acceptSecrets`). */
    keepSecrets: boolean;
    /** Send unknowns as {@link UNKNOWN}; otherwise they are left out. */
    keepUnknowns: boolean;
}

const SKIP = Symbol("skip");

function encodeValue(value: unknown, opts: MarshalOptions, path: string): JsonValue | typeof SKIP {
    if (value === undefined) {
        return SKIP;
    }
    if (value === UNKNOWN) {
        return opts.keepUnknowns ? UNKNOWN : SKIP;
    }
    if (value === null || typeof value === "boolean" || typeof value === "string") {
        return value;
    }
    if (typeof value === "number") {
        if (!Number.isFinite(value)) {
            throw new TypeError(`${path || "<root>"}: ${value} cannot be sent in a Struct`);
        }
        return value;
    }
    if (value instanceof Secret) {
        const inner = encodeValue(value.value, opts, path);
        if (inner === SKIP) {
            return SKIP;
        }
        return opts.keepSecrets ? { [SIG_KEY]: SECRET_SIG, value: inner } : inner;
    }
    if (Array.isArray(value)) {
        const out: JsonValue[] = [];
        value.forEach((v, i) => {
            const e = encodeValue(v, opts, `${path}[${i}]`);
            if (e !== SKIP) {
                out.push(e);
            }
        });
        return out;
    }
    if (isPlainObject(value) && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
        if (isWireSecret(value)) {
            // Already in wire form (e.g. captured straight from a program): normalise through Secret.
            return encodeValue(new Secret(value.value as PropertyValue), opts, path);
        }
        const out: { [key: string]: JsonValue } = {};
        for (const [k, v] of Object.entries(value)) {
            const e = encodeValue(v, opts, path === "" ? k : `${path}.${k}`);
            if (e !== SKIP) {
                out[k] = e;
            }
        }
        return out;
    }
    throw new TypeError(`${path || "<root>"}: a ${describe(value)} is not a property value`);
}

function describe(value: unknown): string {
    if (typeof value === "object" && value !== null) {
        return value.constructor?.name ?? "object";
    }
    return typeof value;
}

/** The plain JSON object the engine would put in the request's Struct. */
export function toWire(map: PropertyMap, opts: MarshalOptions): Record<string, JsonValue> {
    const encoded = encodeValue(map, opts, "");
    if (encoded === SKIP || encoded === null || typeof encoded !== "object" || Array.isArray(encoded)) {
        throw new TypeError("a property map must be an object");
    }
    return encoded;
}

/** The `google.protobuf.Struct` the engine would send for this property map. */
export function encodeProperties(map: PropertyMap, opts: MarshalOptions): Struct {
    return Struct.fromJavaScript(toWire(map, opts));
}

/** Wire JSON (signature objects, unknown strings) to harness values (Secret, UNKNOWN). */
export function fromWire(value: unknown): PropertyValue {
    if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") {
        return value;
    }
    if (Array.isArray(value)) {
        return value.map(fromWire);
    }
    if (isWireSecret(value)) {
        return new Secret(fromWire(value.value));
    }
    if (isPlainObject(value)) {
        // Other signatures (assets, archives, resource references) stay as their wire objects.
        const out: Record<string, PropertyValue> = {};
        for (const [k, v] of Object.entries(value)) {
            out[k] = fromWire(v);
        }
        return out;
    }
    if (value instanceof Secret) {
        return value;
    }
    return undefined;
}

/** Decodes a Struct from the host into harness values. */
export function decodeProperties(struct: Struct | undefined): PropertyMap {
    if (!struct) {
        return {};
    }
    const decoded = fromWire(struct.toJavaScript());
    return isPlainObject(decoded) ? (decoded as PropertyMap) : {};
}

/**
 * The engine's `annotateSecrets(outs, ins)`: for a provider that does not accept secrets, every
 * output whose input of the same name held a secret is marked secret again. Objects on both sides
 * are matched key by key rather than tainting the whole object. Returns a new map.
 */
export function annotateSecrets(outs: PropertyMap, ins: PropertyMap): PropertyMap {
    const result: PropertyMap = { ...outs };
    for (const [key, inValue] of Object.entries(ins)) {
        if (!(key in result)) {
            continue;
        }
        const outValue = result[key];
        if (isPlainObject(outValue) && isPlainObject(inValue)) {
            result[key] = annotateSecrets(outValue as PropertyMap, inValue as PropertyMap);
        } else if (!(outValue instanceof Secret) && containsSecrets(inValue)) {
            result[key] = new Secret(outValue);
        }
    }
    return result;
}
