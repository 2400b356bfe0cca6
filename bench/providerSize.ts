/**
 * `__provider` size: the text stored in the state of every FlowSubmission, as a program
 * serializes it when the package is installed from its `npm pack` tarball (what users get) and
 * when it is resolved from this repository.
 */
import * as fs from "fs";

import { installFromTarball } from "../test/support/packInstall";
import { captureOurProvider, type Figure } from "./common";

export const SIZE_GOAL_BYTES = 8 * 1024;

export async function measureProviderSize(fromRepo: string): Promise<Figure> {
    const dir = await installFromTarball("bench-size", {});
    let fromTarball: string;
    try {
        fromTarball = captureOurProvider(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    const tarballBytes = Buffer.byteLength(fromTarball);
    const repoBytes = Buffer.byteLength(fromRepo);
    const worst = Math.max(tarballBytes, repoBytes);
    return {
        figure: "__provider size",
        settings: {},
        ours: tarballBytes,
        baseline: null,
        ratio: null,
        unit: "bytes (from the tarball)",
        goal: `<= ${SIZE_GOAL_BYTES}`,
        met: worst <= SIZE_GOAL_BYTES,
        detail: { fromTarballBytes: tarballBytes, fromRepoBytes: repoBytes, sameText: fromTarball === fromRepo },
    };
}
