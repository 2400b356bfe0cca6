/**
 * The seed: which projects and flows the emulator knows, and how each flow's nodes behave.
 * Validated with zod on load so a typo in a seed file fails at startup with a path to the bad
 * field, instead of surfacing later as a puzzling `EMR.Flow.NotFound`.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

/** `FP-`/`F-`/`C-`/`FJ-` plus 16 upper-case characters: real IDs are hex; the demo spells "D3M0" to be recognisable. */
const id = (prefix: string) =>
    z.string().regex(new RegExp(`^${prefix}-[0-9A-Z]{16}$`), `must be ${prefix}- followed by 16 upper-case letters or digits`);

const nodeSchema = z.strictObject({
    name: z.string().min(1),
    jobType: z.string().regex(/^[A-Z][A-Z0-9_]*$/, "must be an upper-case job type such as SPARK, HIVE, SHELL"),
    jobName: z.string().min(1).optional(),
    jobId: id("FJ").optional(),
    /** How long the node runs, before `timeScale`. */
    durationMs: z.number().int().nonnegative(),
    /** The first `submitMs` of `durationMs` the node waits in YARN as SUBMITTED (`Pending: true`). */
    submitMs: z.number().int().nonnegative().optional(),
    /** SUCCESS (default) or FAILED. With `failAttempts` the outcome is decided by the attempt number instead. */
    outcome: z.enum(["SUCCESS", "FAILED"]).optional(),
    /** Fail the first N attempts of this node in an instance, then succeed (so a RerunFlow can succeed). */
    failAttempts: z.number().int().nonnegative().optional(),
});

const flowSchema = z.strictObject({
    id: id("F"),
    name: z.string().min(1),
    clusterId: id("C").optional(),
    cronExpression: z.string().optional(),
    /** Flows of the same project this flow depends on: listed in `DependencyFlowList` of its instances. */
    dependsOn: z.array(id("F")).optional(),
    nodes: z.array(nodeSchema).min(1, "a flow needs at least one node"),
});

const projectSchema = z.strictObject({
    id: id("FP"),
    name: z.string().min(1).optional(),
    regionId: z.string().regex(/^[a-z]+(-[a-z0-9]+)+$/, "must be a region ID such as cn-hangzhou"),
    owner: z.string().min(1).optional(),
    flows: z.array(flowSchema),
});

export const seedSchema = z
    .strictObject({
        /** Time every instance spends in PREP before its first node starts, before `timeScale`. Default 300. */
        prepMs: z.number().int().nonnegative().optional(),
        projects: z.array(projectSchema).min(1, "a seed needs at least one project"),
    })
    .superRefine((seed, ctx) => {
        // IDs must be unique: lookups are by ID, and a duplicate would silently shadow a flow.
        const projects = new Set<string>();
        const flows = new Set<string>();
        seed.projects.forEach((project, p) => {
            if (projects.has(project.id)) ctx.addIssue({ code: "custom", path: ["projects", p, "id"], message: `duplicate project ID ${project.id}` });
            projects.add(project.id);
            project.flows.forEach((flow, f) => {
                if (flows.has(flow.id)) ctx.addIssue({ code: "custom", path: ["projects", p, "flows", f, "id"], message: `duplicate flow ID ${flow.id}` });
                flows.add(flow.id);
            });
            const own = new Set(project.flows.map((flow) => flow.id));
            project.flows.forEach((flow, f) => {
                (flow.dependsOn ?? []).forEach((parent, d) => {
                    if (!own.has(parent) || parent === flow.id) {
                        ctx.addIssue({ code: "custom", path: ["projects", p, "flows", f, "dependsOn", d], message: `${parent} is not another flow of project ${project.id}` });
                    }
                });
            });
        });
    });

export type Seed = z.infer<typeof seedSchema>;
export type SeedProject = Seed["projects"][number];
export type SeedFlow = SeedProject["flows"][number];
export type SeedNode = SeedFlow["nodes"][number];

export const DEFAULT_PREP_MS = 300;

/** Thrown for a seed that does not validate; the message lists every problem with its path. */
export class SeedError extends Error {
    override name = "SeedError";
}

export function parseSeed(input: unknown, source = "seed"): Seed {
    const result = seedSchema.safeParse(input);
    if (!result.success) {
        throw new SeedError(`${source} is not a valid emulator seed:\n${z.prettifyError(result.error)}`);
    }
    return result.data;
}

export function loadSeedFile(file: string): Seed {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (err) {
        throw new SeedError(`cannot read seed file ${file}: ${(err as Error).message}`);
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (err) {
        throw new SeedError(`seed file ${file} is not JSON: ${(err as Error).message}`);
    }
    return parseSeed(json, `seed file ${file}`);
}

/** IDs of the built-in demo project, for examples and tests. */
export const DEMO_IDS = {
    regionId: "cn-hangzhou",
    projectId: "FP-D3M0000000000001",
    /** Succeeds in about 3 s: three nodes of ~1 s. */
    succeedingFlowId: "F-D3M0000000000001",
    /** Fails at its second node on the first attempt; a RerunFlow (ReRunFail=true) then succeeds. */
    failOnceFlowId: "F-D3M0000000000002",
    /** Runs for about 2 minutes, then succeeds. */
    longFlowId: "F-D3M0000000000003",
    /** Always fails at its first node. */
    alwaysFailingFlowId: "F-D3M0000000000004",
} as const;

/** The seed loaded when none is given (documented in the README). */
export const DEMO_SEED: Seed = parseSeed({
    prepMs: DEFAULT_PREP_MS,
    projects: [
        {
            id: DEMO_IDS.projectId,
            name: "emulator-demo",
            regionId: DEMO_IDS.regionId,
            owner: "emulator",
            flows: [
                {
                    id: DEMO_IDS.succeedingFlowId,
                    name: "nightly-etl",
                    clusterId: "C-D3M0000000000001",
                    cronExpression: "0 0 2 * * ?",
                    nodes: [
                        { name: "extract", jobType: "SHELL", durationMs: 800 },
                        { name: "transform", jobType: "SPARK", durationMs: 1200 },
                        { name: "load", jobType: "HIVE_SQL", durationMs: 1000 },
                    ],
                },
                {
                    id: DEMO_IDS.failOnceFlowId,
                    name: "flaky-report",
                    clusterId: "C-D3M0000000000001",
                    nodes: [
                        { name: "prepare", jobType: "SHELL", durationMs: 500 },
                        { name: "aggregate", jobType: "SPARK", durationMs: 1000, outcome: "FAILED", failAttempts: 1 },
                        { name: "publish", jobType: "SHELL", durationMs: 500 },
                    ],
                },
                {
                    id: DEMO_IDS.longFlowId,
                    name: "weekly-backfill",
                    clusterId: "C-D3M0000000000001",
                    nodes: [
                        { name: "backfill", jobType: "SPARK", durationMs: 90_000, submitMs: 5_000 },
                        { name: "compact", jobType: "HIVE_SQL", durationMs: 30_000 },
                    ],
                },
                {
                    id: DEMO_IDS.alwaysFailingFlowId,
                    name: "broken-import",
                    clusterId: "C-D3M0000000000001",
                    nodes: [
                        { name: "import", jobType: "SQOOP", durationMs: 700, outcome: "FAILED" },
                        { name: "index", jobType: "SPARK", durationMs: 700 },
                    ],
                },
            ],
        },
    ],
});
