/**
 * Scale (opt-in: `--only scale`, slow): whole stacks through the engine imitation's mini engine, the
 * program run under mocks and every resource deployed by the real dynamic provider host against
 * the emulator, with the provider's default settings:
 *
 * - 1,000 FlowSubmissions in one stack (`waitFor: "submission"`, registered at once: the worst
 *   case, as an engine with unbounded parallelism deploys them, which was the default before
 *   January 2024 and is what a high `--parallel` asks for; today's default is four per CPU). Preview (the program, then Check of
 *   every resource) and up are timed; the ideal for the up is the minimal provider making the
 *   same 1,000 Check+Create calls through a host of its own, all at once.
 * - A FlowBackfill of 366 daily runs (`waitFor: "submission"`, the default one lane: each run is
 *   submitted after the one before it is). Its ideal is 366 sequential Check+Create of the
 *   minimal provider.
 * - State bytes per resource: what the engine would keep for a resource (inputs and outputs, as
 *   JSON), for the stack above and for a FlowSubmission of a 50-node flow awaited to completion,
 *   whose `nodes` output is the largest thing a resource keeps.
 *
 * Host RSS is the host's peak resident set after each stack.
 */
import { DEMO_IDS, DEMO_SEED, parseSeed, type RunningEmulator } from "../emulator";
import { reveal, runProgram, type PropertyMap, type ProviderHost } from "../test/engine-imitation";
import { MiniEngine } from "../test/engine-imitation/miniEngine";
import { checkAndCreate, emulator, PROJECT, peakRssKiB, round, startHost, stopHost, submissionInputs, timed, type Figure, type ProviderTexts } from "./common";

export const STACK_SIZE = 1000;
const SCALE_NOTE =
    "preview and up include the program itself run under the engine imitation's mocks (programUnderMocksOnlyMs: the same program with no provider call), " +
    "which stands in for Pulumi's engine; the ideal is the minimal provider's Check+Create through a host without a program.";
export const BACKFILL_DAYS = 366;
export const WIDE_FLOW_NODES = 50;
const WIDE_FLOW_ID = "F-D3M00000000000W5";

/** The demo seed plus one flow of 50 short nodes. */
function wideSeed() {
    const base = JSON.parse(JSON.stringify(DEMO_SEED)) as { prepMs?: number; projects: { flows: unknown[] }[] };
    base.projects[0]!.flows.push({
        id: WIDE_FLOW_ID,
        name: "wide",
        nodes: Array.from({ length: WIDE_FLOW_NODES }, (_, i) => ({ name: `step-${String(i + 1).padStart(2, "0")}`, jobType: "SPARK", jobId: `FJ-D3M0000000000${String(i + 100).padStart(3, "0")}`, durationMs: 1 })),
    });
    base.prepMs = 1;
    return parseSeed(base);
}

function stateBytes(entries: { inputs: PropertyMap; outputs: PropertyMap }[]): { perResource: number; max: number; total: number } {
    const sizes = entries.map((e) => Buffer.byteLength(JSON.stringify({ inputs: e.inputs, outputs: e.outputs })));
    const total = sizes.reduce((a, b) => a + b, 0);
    return { perResource: Math.round(total / Math.max(1, sizes.length)), max: Math.max(0, ...sizes), total };
}

async function minimalBurst(emu: RunningEmulator, text: string, n: number, sequential: boolean): Promise<number> {
    const h = await startHost(emu);
    try {
        const inputs = submissionInputs(text);
        const t = await timed(async () => {
            if (sequential) for (let i = 0; i < n; i++) await checkAndCreate(h.host, inputs);
            else await Promise.all(Array.from({ length: n }, () => checkAndCreate(h.host, inputs)));
        });
        return t.ms;
    } finally {
        await stopHost(h);
    }
}

/** `pulumi preview` of a new stack: the program under mocks as a dry run, Check of every resource. */
async function previewProgram(host: ProviderHost, program: () => unknown): Promise<number> {
    let checked = 0;
    await runProgram(program as () => Record<string, unknown>, {
        project: PROJECT,
        stack: "dev",
        isDryRun: true,
        newResource: async (args) => {
            if (args.custom === false) return { id: undefined, state: args.inputs };
            const urn = `urn:pulumi:dev::${PROJECT}::${args.type}::${args.name}`;
            const result = await host.check(urn, {}, args.inputs as PropertyMap);
            if (result.failures.length > 0) throw new Error(`check failed: ${JSON.stringify(result.failures)}`);
            checked++;
            return { id: undefined, state: args.inputs };
        },
    });
    return checked;
}

/** The program alone under the engine imitation's mocks, no provider call: what the imitation itself costs. */
async function programOnly(program: () => unknown): Promise<number> {
    const t = await timed(() => runProgram(program as () => Record<string, unknown>, { project: PROJECT, stack: "dev" }));
    return t.ms;
}

async function engineFor(emu: RunningEmulator, project: string) {
    const h = await startHost(emu);
    return { h, engine: new MiniEngine(h.host, project) };
}

export async function measureScale(texts: ProviderTexts, o: { goal: number }): Promise<Figure[]> {
    const emu = await emulator({ seed: wideSeed(), timeScale: 0.001 });
    const figures: Figure[] = [];
    try {
        emu.configure({ latencyMs: 0, actionLatencyMs: {}, rateLimitPerSecond: undefined });

        // 1,000 FlowSubmissions.
        let PROGRAM: () => unknown;
        const stack = () => {
            const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../sdk");
            for (let i = 0; i < STACK_SIZE; i++) new FlowSubmission(`run-${i}`, { projectId: DEMO_IDS.projectId, flowId: DEMO_IDS.succeedingFlowId, waitFor: "submission" });
            return {};
        };
        {
            const { h, engine } = await engineFor(emu, PROJECT);
            PROGRAM = stack;
            try {
                const preview = await timed(() => previewProgram(h.host, stack));
                emu.reset();
                const up = await timed(() => engine.up(stack));
                const created = up.value.steps.filter((s) => s.kind === "create").length;
                if (created !== STACK_SIZE || emu.instances().length !== STACK_SIZE) throw new Error(`expected ${STACK_SIZE} creates and runs, got ${created} and ${emu.instances().length}`);
                const rssKiB = peakRssKiB(h.host.pid!);
                const ideal = await minimalBurst(emu, texts.minimal, STACK_SIZE, false);
                const state = stateBytes([...engine.state.values()].filter((e) => e.type.includes("FlowSubmission")));
                const ratio = up.ms / ideal;
                figures.push({
                    figure: `scale: ${STACK_SIZE} FlowSubmissions in one stack`,
                    settings: {},
                    ours: round(up.ms / 1000, 2),
                    baseline: round(ideal / 1000, 2),
                    ratio: round(ratio),
                    unit: "s up vs minimal provider's creates",
                    goal: `<= ${o.goal}`,
                    met: ratio <= o.goal,
                    detail: { previewMs: round(preview.ms, 0), upMs: round(up.ms, 0), idealMs: round(ideal, 0), programUnderMocksOnlyMs: round(await programOnly(PROGRAM), 0), hostPeakRssMiB: round(rssKiB / 1024, 1), stateBytes: state },
                    note: SCALE_NOTE,
                });
            } finally {
                await stopHost(h);
            }
        }

        // A 366-day FlowBackfill, one lane.
        const backfill = () => {
            const { FlowBackfill } = require("pulumi-emr-flow") as typeof import("../sdk");
            const b = new FlowBackfill("year", { projectId: DEMO_IDS.projectId, flowId: DEMO_IDS.succeedingFlowId, from: "2024-01-01", to: "2024-12-31", waitFor: "submission", conf: { bizdate: "{yyyyMMdd}" } });
            return { count: b.instanceIds.apply((ids) => Object.keys(ids).length) };
        };
        {
            const { h, engine } = await engineFor(emu, PROJECT);
            PROGRAM = backfill;
            try {
                const preview = await timed(() => previewProgram(h.host, backfill));
                emu.reset();
                const up = await timed(() => engine.up(backfill));
                const count = reveal(up.value.result.outputs.count);
                if (count !== BACKFILL_DAYS || emu.instances().length !== BACKFILL_DAYS) throw new Error(`expected ${BACKFILL_DAYS} runs, got ${String(count)} and ${emu.instances().length}`);
                const rssKiB = peakRssKiB(h.host.pid!);
                const ideal = await minimalBurst(emu, texts.minimal, BACKFILL_DAYS, true);
                const state = stateBytes([...engine.state.values()].filter((e) => e.type.includes("FlowSubmission")));
                const ratio = up.ms / ideal;
                figures.push({
                    figure: `scale: FlowBackfill of ${BACKFILL_DAYS} days (one lane)`,
                    settings: {},
                    ours: round(up.ms / 1000, 2),
                    baseline: round(ideal / 1000, 2),
                    ratio: round(ratio),
                    unit: "s up vs minimal provider's creates in sequence",
                    goal: `<= ${o.goal}`,
                    met: ratio <= o.goal,
                    detail: { previewMs: round(preview.ms, 0), upMs: round(up.ms, 0), idealMs: round(ideal, 0), programUnderMocksOnlyMs: round(await programOnly(PROGRAM), 0), hostPeakRssMiB: round(rssKiB / 1024, 1), stateBytes: state },
                    note: SCALE_NOTE,
                });
            } finally {
                await stopHost(h);
            }
        }

        // One FlowSubmission of a 50-node flow, awaited to completion: the largest state a resource keeps.
        {
            const h = await startHost(emu);
            try {
                const inputs: PropertyMap = { ...submissionInputs(texts.ours), flowId: WIDE_FLOW_ID, waitFor: "completion" };
                const urn = `urn:pulumi:stack::${PROJECT}::pulumi-nodejs:dynamic/emr-flow:FlowSubmission::wide`;
                const checked = await h.host.check(urn, {}, inputs);
                const created = await h.host.create(urn, checked.inputs);
                const nodes = (created.properties.nodes as unknown[] | undefined) ?? [];
                const state = stateBytes([{ inputs: checked.inputs, outputs: created.properties }]);
                const withoutNodes = stateBytes([{ inputs: checked.inputs, outputs: { ...created.properties, nodes: [] } }]);
                figures.push({
                    figure: `state of one FlowSubmission of a ${WIDE_FLOW_NODES}-node flow`,
                    settings: {},
                    ours: state.perResource,
                    baseline: null,
                    ratio: null,
                    unit: "bytes (inputs + outputs as JSON)",
                    goal: "<= 16384",
                    met: state.perResource <= 16384,
                    detail: { nodesInOutput: nodes.length, nodesOmitted: created.properties.nodesOmitted ?? 0, bytesWithoutNodes: withoutNodes.perResource, providerBytesInInputsAndOutputs: 2 * Buffer.byteLength(String(texts.ours)) },
                });
            } finally {
                await stopHost(h);
            }
        }
    } finally {
        await emu.close();
    }
    return figures;
}
