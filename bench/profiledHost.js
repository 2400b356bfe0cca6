#!/usr/bin/env node
// The dynamic provider host under the CPU profiler, for finding where a figure's time goes.
// `--cpu-prof` is refused in NODE_OPTIONS, and the host is ended with SIGTERM (which skips the
// profile that flag writes at exit), so this starts the profiler itself, writes the profile to
// $EMR_FLOW_BENCH_PROFILE_DIR on SIGTERM, then runs the real host (resolved from the working
// directory, as the CLI's shim does). Used by `npm run bench -- --profile`.
"use strict";
const fs = require("fs");
const inspector = require("inspector");
const path = require("path");

const dir = process.env.EMR_FLOW_BENCH_PROFILE_DIR || ".";
const session = new inspector.Session();
session.connect();
session.post("Profiler.enable", () => {
    // 100 µs: finer than the default 1 ms, since one create is a few milliseconds.
    session.post("Profiler.setSamplingInterval", { interval: 100 }, () => session.post("Profiler.start"));
});
process.on("SIGTERM", () => {
    session.post("Profiler.stop", (err, result) => {
        if (!err) {
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(path.join(dir, `host-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
        }
        process.exit(0);
    });
});
require(require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [process.cwd()] }));
