/**
 * A seed for the lookup tests: names shared by two projects and by two flows, a name that is a
 * part of another, the same name in another region, and enough projects to need three pages.
 */
import type { Seed } from "../../emulator/seed";

export const LOOKUP_IDS = {
    dataPlatform: "FP-5EED000000000001",
    dataPlatformDev: "FP-5EED000000000002",
    sharedA: "FP-5EED000000000003",
    sharedB: "FP-5EED000000000004",
    dataPlatformShanghai: "FP-5EED000000000005",
    /** The last of the filler projects: only on the third page of 100. */
    lastFiller: "FP-F0000000000000F5",
    nightly: "F-5EED000000000001",
    nightlyV2: "F-5EED000000000002",
    reportA: "F-5EED000000000003",
    reportB: "F-5EED000000000004",
} as const;

const node = (name: string) => ({ name, jobType: "SHELL", durationMs: 500 });

export const LOOKUP_SEED: Seed = {
    prepMs: 100,
    projects: [
        {
            id: LOOKUP_IDS.dataPlatform,
            name: "data-platform",
            description: "nightly pipelines",
            regionId: "cn-hangzhou",
            owner: "1230404",
            flows: [
                { id: LOOKUP_IDS.nightly, name: "nightly-etl", cronExpression: "0 0 2 * * ?", nodes: [node("extract"), node("load")] },
                { id: LOOKUP_IDS.nightlyV2, name: "nightly-etl-v2", nodes: [node("extract")] },
                { id: LOOKUP_IDS.reportA, name: "report", nodes: [node("report")] },
                { id: LOOKUP_IDS.reportB, name: "report", nodes: [node("report")] },
            ],
        },
        { id: LOOKUP_IDS.dataPlatformDev, name: "data-platform-dev", regionId: "cn-hangzhou", flows: [{ id: "F-5EED000000000005", name: "nightly-etl", nodes: [node("x")] }] },
        { id: LOOKUP_IDS.sharedA, name: "shared", regionId: "cn-hangzhou", flows: [] },
        { id: LOOKUP_IDS.sharedB, name: "shared", regionId: "cn-hangzhou", flows: [] },
        { id: LOOKUP_IDS.dataPlatformShanghai, name: "data-platform", regionId: "cn-shanghai", flows: [] },
        // 246 more, so that listing the region's projects takes three pages of 100.
        ...Array.from({ length: 246 }, (_, i) => ({ id: `FP-F${i.toString(16).toUpperCase().padStart(15, "0")}`, name: `filler-${i}`, regionId: "cn-hangzhou", flows: [] })),
    ],
};
