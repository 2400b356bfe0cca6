/**
 * The few steps of the Pulumi engine these tests need, over the real dynamic provider host:
 * for each resource a program registers, Check then Create (new), Diff then Update or
 * replacement (changed), and Read for refresh and Delete for destroy, with a state kept in
 * memory between "deployments". Resources registered by a program under `setMocks` are
 * deployed as they register, so a resource that uses another's output sees the real value,
 * as in `pulumi up`.
 *
 * It follows the engine where it matters here: a create that fails with an id stays in state
 * (marked failed to initialize) and the next deployment calls Update on it; a replacement
 * creates the new resource before deleting the old one; Delete gets the outputs in state;
 * components are recorded, not sent to a provider; after a failed step no new step starts
 * (steps already running finish).
 */
import type * as pulumi from "@pulumi/pulumi";
import { HostCallError, ProviderHost, reveal, runProgram, type PropertyMap, type ProgramResult, type RunProgramOptions } from ".";

export interface StateEntry {
    urn: string;
    type: string;
    name: string;
    id: string;
    inputs: PropertyMap;
    outputs: PropertyMap;
    /** Set when the last create or update failed with the resource kept (partial failure). */
    initErrors?: string[];
}

export type StepKind = "create" | "update" | "replace" | "same" | "delete" | "refresh" | "failed" | "skipped";

export interface Step {
    kind: StepKind;
    urn: string;
    id?: string;
    detail?: string;
}

export class DeploymentError extends Error {
    constructor(
        message: string,
        public readonly errors: { urn: string; error: HostCallError | Error }[],
        public readonly result?: ProgramResult,
    ) {
        super(message);
    }
}

export class MiniEngine {
    readonly state = new Map<string, StateEntry>();
    steps: Step[] = [];

    constructor(
        readonly host: ProviderHost,
        readonly project: string,
        readonly stack = "dev",
    ) {}

    /** `pulumi up` of `program`: registers, checks, creates or updates, then deletes what is gone. */
    async up(program: () => unknown, opts: Omit<RunProgramOptions, "newResource" | "project" | "stack"> = {}): Promise<{ steps: Step[]; result: ProgramResult }> {
        this.steps = [];
        const seen = new Set<string>();
        const errors: { urn: string; error: HostCallError | Error }[] = [];
        const result = await runProgram(program as () => Record<string, unknown>, {
            ...opts,
            project: this.project,
            stack: this.stack,
            newResource: async (args: pulumi.runtime.MockResourceArgs) => {
                const urn = `urn:pulumi:${this.stack}::${this.project}::${args.type}::${args.name}`;
                seen.add(urn);
                // Components have no provider: the engine only records them.
                if (args.custom === false) return { id: undefined, state: args.inputs };
                // After a failed step the engine starts no new ones; what was in state stays.
                if (errors.length > 0) {
                    this.steps.push({ kind: "skipped", urn, detail: "an earlier step failed" });
                    const kept = this.state.get(urn);
                    return { id: kept?.id ?? `${args.name}-skipped`, state: kept?.outputs ? (reveal(kept.outputs) as Record<string, unknown>) : {} };
                }
                try {
                    const entry = await this.register(urn, args.type, args.name, args.inputs as PropertyMap);
                    return { id: entry.id, state: reveal(entry.outputs) as Record<string, unknown> };
                } catch (err) {
                    errors.push({ urn, error: err as Error });
                    const kept = this.state.get(urn);
                    // Dependents of a failed resource see what state holds (or nothing).
                    return { id: kept?.id ?? `${args.name}-failed`, state: kept?.outputs ?? {} };
                }
            },
        });
        if (errors.length === 0) {
            for (const [urn, entry] of [...this.state].reverse()) {
                if (!seen.has(urn)) await this.destroyOne(entry);
            }
        }
        if (errors.length > 0) {
            throw new DeploymentError(`deployment failed: ${errors.map((e) => `${e.urn}: ${e.error.message}`).join("\n")}`, errors, result);
        }
        return { steps: this.steps, result };
    }

    /** `pulumi preview`: Check and Diff only. */
    async preview(news: PropertyMap, urn: string): Promise<{ failures: { property: string; reason: string }[]; diff?: Awaited<ReturnType<ProviderHost["diff"]>> }> {
        const old = this.state.get(urn);
        const checked = await this.host.check(urn, old?.inputs ?? {}, news);
        if (checked.failures.length > 0 || !old) return { failures: checked.failures };
        return { failures: [], diff: await this.host.diff(old.id, urn, old.outputs, checked.inputs, { oldInputs: old.inputs }) };
    }

    private async register(urn: string, type: string, name: string, news: PropertyMap): Promise<StateEntry> {
        const old = this.state.get(urn);
        const checked = await this.host.check(urn, old?.inputs ?? {}, news);
        if (checked.failures.length > 0) {
            throw new Error(`check failed: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
        }
        if (!old) return this.createOne(urn, type, name, checked.inputs, "create");
        const diff = await this.host.diff(old.id, urn, old.outputs, checked.inputs, { oldInputs: old.inputs });
        if (diff.replaces.length > 0) {
            const created = await this.createOne(urn, type, name, checked.inputs, "replace", diff.replaces.join(","));
            await this.host.delete(old.id, urn, old.outputs, { oldInputs: old.inputs });
            return created;
        }
        if (diff.changes !== "some" && !old.initErrors) {
            this.steps.push({ kind: "same", urn, id: old.id });
            return old;
        }
        try {
            const updated = await this.host.update(old.id, urn, old.outputs, checked.inputs, { oldInputs: old.inputs });
            const entry: StateEntry = { ...old, inputs: checked.inputs, outputs: updated.properties };
            delete entry.initErrors;
            this.state.set(urn, entry);
            this.steps.push({ kind: "update", urn, id: old.id });
            return entry;
        } catch (err) {
            throw this.keepOnInitFailure(err, urn, type, name, checked.inputs, old.id);
        }
    }

    private async createOne(urn: string, type: string, name: string, inputs: PropertyMap, kind: "create" | "replace", detail?: string): Promise<StateEntry> {
        try {
            const created = await this.host.create(urn, inputs);
            const entry: StateEntry = { urn, type, name, id: created.id, inputs, outputs: created.properties };
            this.state.set(urn, entry);
            this.steps.push({ kind, urn, id: created.id, detail });
            return entry;
        } catch (err) {
            throw this.keepOnInitFailure(err, urn, type, name, inputs);
        }
    }

    /** As the engine does: an error that carries an id keeps the resource in state. */
    private keepOnInitFailure(err: unknown, urn: string, type: string, name: string, inputs: PropertyMap, oldId?: string): unknown {
        if (err instanceof HostCallError && err.initFailed) {
            this.state.set(urn, { urn, type, name, id: err.initFailed.id || oldId || "", inputs, outputs: err.initFailed.properties, initErrors: err.initFailed.reasons });
            this.steps.push({ kind: "failed", urn, id: err.initFailed.id, detail: err.details });
        }
        return err;
    }

    /** `pulumi refresh`. */
    async refresh(): Promise<Step[]> {
        this.steps = [];
        for (const [urn, entry] of this.state) {
            const read = await this.host.read(entry.id, urn, entry.outputs, { inputs: entry.inputs });
            if (!read.id) {
                this.state.delete(urn);
                this.steps.push({ kind: "delete", urn, id: entry.id, detail: "gone" });
                continue;
            }
            this.state.set(urn, { ...entry, outputs: read.properties, inputs: read.inputs ?? entry.inputs });
            this.steps.push({ kind: "refresh", urn, id: entry.id });
        }
        return this.steps;
    }

    /** `pulumi destroy`. */
    async destroy(): Promise<Step[]> {
        this.steps = [];
        for (const [, entry] of [...this.state].reverse()) await this.destroyOne(entry);
        return this.steps;
    }

    private async destroyOne(entry: StateEntry): Promise<void> {
        await this.host.delete(entry.id, entry.urn, entry.outputs, { oldInputs: entry.inputs });
        this.state.delete(entry.urn);
        this.steps.push({ kind: "delete", urn: entry.urn, id: entry.id });
    }
}
