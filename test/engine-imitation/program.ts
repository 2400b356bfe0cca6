/**
 * Runs a real Pulumi program in-process, under `pulumi.runtime.setMocks`, and captures what it
 * registers: for every resource, its type, name, URN and inputs, and for a dynamic resource the
 * serialized provider (`__provider`), i.e. the exact string `pulumi up` would ship to the dynamic
 * provider host.
 *
 * Inputs are taken from the RegisterResource request the program sends to the (mock) resource
 * monitor, the same Struct the engine receives, before the mock deserializes it. That keeps a
 * nested secret where it is (the mock's own deserialization lifts secretness to the top-level
 * property) and keeps unknowns. They are given in harness form ({@link Secret}, {@link UNKNOWN};
 * see `values.ts`), ready to pass to `ProviderHost.check`/`create`, which encode them the way the
 * engine does.
 *
 * Limits (these are the mocks', not the engine's):
 * - the mocks return each resource's inputs as its outputs (unless `opts.newResource` says
 *   otherwise); nothing is created and no provider runs, so outputs computed by a provider are
 *   absent (use `ProviderHost` for those);
 * - a preview is simulated with `isDryRun: true`: the default mock then gives no id (so `id` and
 *   whatever depends on it is unknown) and the inputs as state, which is what the engine does for
 *   a create in preview on a provider without preview support (the dynamic one); an output that is
 *   not in the mock's state is unknown;
 * - resources are not parented to a stack resource; URNs are those of top-level resources;
 * - `getFlowInstance` reaches `call` as an invoke (it calls EMR itself only outside mocks); the
 *   default `call` does the real lookup for it, as `pulumi up` would;
 * - `setMocks` is process-wide: run these in the `*.mocks.spec.ts` mocha process, one program at
 *   a time (calls are serialized here).
 */
import * as path from "path";

import * as pulumi from "@pulumi/pulumi";

import { DEFAULT_PROJECT, DEFAULT_STACK, isDynamicType } from "./urn";
import { PropertyMap, PropertyValue, Secret, UNKNOWN, fromWire, reveal, secretPaths } from "./values";

/** One resource registration, as captured. */
export interface CapturedResource {
    type: string;
    name: string;
    urn: string;
    custom: boolean;
    /** Parent URN, if any. */
    parent?: string;
    /** Inputs in harness form: secrets are {@link Secret}, unknowns are {@link UNKNOWN}. */
    inputs: PropertyMap;
    /** The same inputs with every secret unwrapped. */
    plainInputs: PropertyMap;
    /** Dotted paths of the secret inputs, e.g. `["token", "nested.hidden"]`. */
    secretPaths: string[];
    /** The RegisterResource request's `object` as plain JSON: what the engine received. */
    wire: Record<string, unknown>;
    /** `inputs.__provider` for a dynamic resource (unwrapped if secret). */
    providerString?: string;
    /** True when `__provider` itself is secret (the provider closure captured a secret Output). */
    providerIsSecret?: boolean;
}

export interface RunProgramOptions {
    project?: string;
    stack?: string;
    /** Stack config. Keys without a namespace are qualified with the project (`name` -> `<project>:name`). */
    config?: Record<string, string>;
    /** Config keys that are secret (qualified or not). */
    secretKeys?: string[];
    /** Run as a preview (`pulumi.runtime.isDryRun()` is true; unresolved outputs are unknown). */
    isDryRun?: boolean;
    /** Replace the default mock (id `<name>-id`, or none in a preview; state = inputs). */
    newResource?: (args: pulumi.runtime.MockResourceArgs) => pulumi.runtime.MockResourceResult | Promise<pulumi.runtime.MockResourceResult>;
    /**
     * Answer invokes (`pulumi.runtime.invoke`). Default: `getFlowInstance`'s invoke is answered by
     * its real lookup (DescribeFlowInstance with the stack config's settings), as it is outside
     * mocks in `pulumi up`; any other invoke returns its inputs.
     */
    call?: (args: pulumi.runtime.MockCallArgs) => pulumi.runtime.MockCallResult | Promise<pulumi.runtime.MockCallResult>;
}

export interface ProgramResult {
    resources: CapturedResource[];
    /** The program's return value (its stack outputs), resolved: secrets as {@link Secret}, unknowns as {@link UNKNOWN}. */
    outputs: Record<string, PropertyValue>;
}

type Program = () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

/** The parts of the mock monitor this file touches. */
interface RegisterRequestLike {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): { toJavaScript(): unknown } | undefined;
}
interface MockMonitorLike {
    registerResource(req: RegisterRequestLike, callback: (...args: unknown[]) => void): unknown;
    newUrn(parent: string, type: string, name: string): string;
}

/** The internal parts of an Output used to read it without `apply` (which skips unknowns). */
interface OutputInternals {
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
    promise(withUnknowns?: boolean): Promise<unknown>;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `program` under mocks and returns what it registered and its outputs. Runs are serialized,
 * because the Pulumi runtime's settings are global.
 */
export function runProgram(program: Program, opts: RunProgramOptions = {}): Promise<ProgramResult> {
    const run = queue.then(() => failFast(() => runOnce(program, opts)));
    queue = run.catch(() => undefined);
    return run;
}

/**
 * A failed registration (e.g. "error serializing property \"__provider\"") surfaces in the Pulumi
 * runtime only as an unhandled rejection, and the outputs that depend on it never settle. Turn it
 * into a rejection of the run instead of a hang or a crash.
 */
async function failFast<T>(body: () => Promise<T>): Promise<T> {
    let fail: (reason: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
        fail = reject;
    });
    failed.catch(() => undefined);
    const onRejection = (reason: unknown): void => fail(reason);
    process.on("unhandledRejection", onRejection);
    try {
        return await Promise.race([body(), failed]);
    } finally {
        process.off("unhandledRejection", onRejection);
    }
}

async function runOnce(program: Program, opts: RunProgramOptions): Promise<ProgramResult> {
    const project = opts.project ?? DEFAULT_PROJECT;
    const stack = opts.stack ?? DEFAULT_STACK;
    const qualify = (k: string): string => (k.includes(":") ? k : `${project}:${k}`);
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.config ?? {})) {
        config[qualify(k)] = v;
    }
    // Replaces the whole config, so nothing leaks from the previous run.
    pulumi.runtime.setAllConfig(config, (opts.secretKeys ?? []).map(qualify));

    const resources: CapturedResource[] = [];
    const capturedKeys = new Set<string>();
    const capture = (c: CapturedResource): void => {
        capturedKeys.add(`${c.type}::${c.name}`);
        resources.push(c);
    };

    await pulumi.runtime.setMocks(
        {
            newResource: async (args) => {
                if (!capturedKeys.has(`${args.type}::${args.name}`)) {
                    // Fallback when the request could not be observed: the mock's own view of the inputs.
                    capture(buildCaptured(args.type, args.name, args.custom ?? true, "", `urn:pulumi:${stack}::${project}::${args.type}::${args.name}`, sdkToWire(args.inputs)));
                }
                if (opts.newResource) {
                    return opts.newResource(args);
                }
                // A preview of a create has no id yet (the resource's id is unknown) and, for a provider
                // without preview support such as the dynamic one, its inputs as state.
                const id = args.custom === false || opts.isDryRun ? undefined : `${args.name}-id`;
                return { id, state: args.inputs };
            },
            call: async (args) => (opts.call ? opts.call(args) : defaultCall(args)),
        },
        project,
        stack,
        opts.isDryRun ?? false,
    );

    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike | undefined;
    if (monitor && typeof monitor.registerResource === "function" && typeof monitor.newUrn === "function") {
        const original = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) => {
            try {
                const type = req.getType();
                const name = req.getName();
                const parent = req.getParent();
                const wire = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
                capture(buildCaptured(type, name, req.getCustom(), parent, monitor.newUrn(parent, type, name), wire));
            } catch {
                // Leave it to the fallback in newResource.
            }
            return original(req, callback);
        };
    }

    const returned = await program();
    const outputs = (await resolveDeep(returned ?? {})) as Record<string, PropertyValue>;
    // Let every registration finish (and surface its failure) before returning.
    await pulumi.runtime.disconnect();
    return { resources, outputs: outputs ?? {} };
}

/**
 * The harness stands in for `pulumi up`, where `getFlowInstance` calls EMR itself; under mocks it
 * turns into an invoke instead (so a user's unit tests call out to nothing), which is answered
 * here the way the real program would have answered it.
 */
async function defaultCall(args: pulumi.runtime.MockCallArgs): Promise<pulumi.runtime.MockCallResult> {
    const lookup = require("../../sdk/getFlowInstance") as typeof import("../../sdk/getFlowInstance");
    if (args.token === lookup.GET_FLOW_INSTANCE_TOKEN) {
        try {
            return (await lookup.lookupFlowInstance(args.inputs as import("../../sdk/getFlowInstance").GetFlowInstanceArgs)) as unknown as pulumi.runtime.MockCallResult;
        } catch (err) {
            // The mock monitor hands an invoke's failure on as `new Error(err.details)`, as if it
            // were a gRPC error: give it the message to carry.
            throw Object.assign(err instanceof Error ? err : new Error(String(err)), { details: err instanceof Error ? err.message : String(err) });
        }
    }
    return args.inputs;
}

function buildCaptured(type: string, name: string, custom: boolean, parent: string, urn: string, wire: Record<string, unknown>): CapturedResource {
    const inputs = fromWire(wire) as PropertyMap;
    const captured: CapturedResource = {
        type,
        name,
        urn,
        custom,
        inputs,
        plainInputs: reveal(inputs) as PropertyMap,
        secretPaths: secretPaths(inputs),
        wire,
    };
    if (parent) {
        captured.parent = parent;
    }
    if (isDynamicType(type)) {
        const p = inputs["__provider"];
        const unwrapped = p instanceof Secret ? p.value : p;
        if (typeof unwrapped === "string") {
            captured.providerString = unwrapped;
            captured.providerIsSecret = p instanceof Secret;
        }
    }
    return captured;
}

/** The mock's deserialized inputs back to wire JSON (secret wrappers are already wire-shaped). */
function sdkToWire(value: unknown): Record<string, unknown> {
    const conv = (v: unknown): unknown => {
        if (pulumi.isUnknown(v)) {
            return UNKNOWN;
        }
        if (Array.isArray(v)) {
            return v.map(conv);
        }
        if (typeof v === "object" && v !== null) {
            const out: Record<string, unknown> = {};
            for (const [k, x] of Object.entries(v)) {
                if (x !== undefined) {
                    out[k] = conv(x);
                }
            }
            return out;
        }
        return v;
    };
    return conv(value) as Record<string, unknown>;
}

/** Resolves Outputs, promises and resources inside a value, keeping secrecy and unknowns visible. */
export async function resolveDeep(value: unknown): Promise<PropertyValue> {
    if (pulumi.Output.isInstance(value)) {
        const o = value as unknown as OutputInternals;
        const [known, isSecret] = await Promise.all([o.isKnown, o.isSecret]);
        const inner = known ? await resolveDeep(await o.promise(true)) : UNKNOWN;
        return isSecret ? new Secret(inner) : inner;
    }
    if (pulumi.isUnknown(value)) {
        return UNKNOWN;
    }
    if (pulumi.Resource.isInstance(value)) {
        const urn = await resolveDeep(value.urn);
        if (pulumi.CustomResource.isInstance(value)) {
            return { urn, id: await resolveDeep(value.id) };
        }
        return { urn };
    }
    if (value instanceof Promise) {
        return resolveDeep(await value);
    }
    if (value instanceof Secret) {
        return value;
    }
    if (Array.isArray(value)) {
        return Promise.all(value.map(resolveDeep));
    }
    if (value instanceof Date) {
        return value.toISOString();
    }
    if (typeof value === "object" && value !== null) {
        const out: Record<string, PropertyValue> = {};
        for (const [k, v] of Object.entries(value)) {
            const r = await resolveDeep(v);
            if (r !== undefined) {
                out[k] = r;
            }
        }
        return out;
    }
    if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
        return undefined;
    }
    return value as PropertyValue;
}

/**
 * `require`s a program module afresh, so its top-level code (which registers the resources) runs
 * again. Clears from the require cache every module under `root` (default: the module's own
 * directory) that is not under a `node_modules` directory; packages, `@pulumi/pulumi` included,
 * stay loaded. Returns the module's exports: a program's stack outputs.
 */
export function requireFresh(modulePath: string, opts: { root?: string } = {}): Record<string, unknown> {
    const resolved = require.resolve(path.resolve(modulePath));
    const root = path.resolve(opts.root ?? path.dirname(resolved));
    for (const key of Object.keys(require.cache)) {
        if ((key === root || key.startsWith(root + path.sep)) && !key.includes(`${path.sep}node_modules${path.sep}`)) {
            delete require.cache[key];
        }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported: unknown = require(resolved);
    return typeof exported === "object" && exported !== null ? { ...(exported as Record<string, unknown>) } : {};
}

/**
 * Serializes a dynamic provider object the way `pulumi.dynamic.Resource` does
 * (`serializeFunction(() => provider, { allowSecrets: true })`), giving the `__provider` string
 * without running a program.
 */
export async function serializeProvider(provider: pulumi.dynamic.ResourceProvider): Promise<{ text: string; containsSecrets: boolean }> {
    const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    return { text: sf.text, containsSecrets: sf.containsSecrets };
}
