/**
 * The submission record on the paths where something goes wrong: retention, corrupt or foreign
 * files, the shared salt, a directory that cannot be written, where it lives, and entries left by
 * another process.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { JOURNAL_DIR_ENV, JOURNAL_RETENTION_MS, SubmissionJournal, defaultJournalDir } from "../../provider/runs/journal";

const PROJECT = "FP-0123456789ABCDEF";
const FLOW = "F-0123456789ABCDEF";
const REGION = "cn-hangzhou";

describe("submission record: retention, corrupt entries, salt, directory", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-life-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const fields = (key: string) => ({ key, projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1 });

    it("removes entries older than the retention and keeps the others", () => {
        let now = Date.UTC(2026, 10, 1);
        const writer = new SubmissionJournal(dir, () => undefined, () => now);
        writer.update(writer.begin(fields("old")), { instanceId: "FI-0000000000000OLD" });
        now += JOURNAL_RETENTION_MS - 1;
        writer.update(writer.begin(fields("recent")), { instanceId: "FI-000000000000000R" });
        now += 2;
        const reader = new SubmissionJournal(dir, () => undefined, () => now);
        assert.deepEqual([...reader.heldInstanceIds(PROJECT, FLOW)], ["FI-000000000000000R"]);
        assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith(".json")).length, 1, "the old entry's file is gone");
    });

    it("skips corrupt, foreign and half-written files", () => {
        const writer = new SubmissionJournal(dir, () => undefined);
        writer.update(writer.begin(fields("k")), { instanceId: "FI-00000000000000OK" });
        fs.writeFileSync(path.join(dir, "broken.json"), "{ not json");
        fs.writeFileSync(path.join(dir, "other-version.json"), JSON.stringify({ v: 2, entryId: "x", projectId: PROJECT, flowId: FLOW, instanceId: "FI-000000000000000X", updatedAt: Date.now() }));
        fs.writeFileSync(path.join(dir, "no-id.json"), JSON.stringify({ v: 1, projectId: PROJECT, flowId: FLOW, instanceId: "FI-000000000000000Y", updatedAt: Date.now() }));
        fs.writeFileSync(path.join(dir, "notes.txt"), JSON.stringify({ v: 1, entryId: "t", projectId: PROJECT, flowId: FLOW, instanceId: "FI-000000000000000Z", updatedAt: Date.now() }));
        const reader = new SubmissionJournal(dir, () => undefined);
        assert.deepEqual([...reader.heldInstanceIds(PROJECT, FLOW)], ["FI-00000000000000OK"]);
    });

    it("keeps the last whole version of an entry: a version cut off mid-write leaves the one before it", () => {
        const writer = new SubmissionJournal(dir, () => undefined);
        const entry = writer.begin(fields("cut"));
        const file = path.join(dir, `${entry.entryId}.json`);
        writer.update(entry, { instanceId: "FI-0000000000000CUT" });
        assert.equal(fs.readFileSync(file, "utf8").trim().split("\n").length, 2, "one line per version, in the entry's own file");
        // As if the process died while appending the finishing version.
        fs.appendFileSync(file, JSON.stringify({ ...entry, instanceId: "FI-0000000000000CUT", done: true }).slice(0, 40));
        const reader = new SubmissionJournal(dir, () => undefined);
        const [left] = reader.interrupted("cut");
        assert.equal(left?.instanceId, "FI-0000000000000CUT", "the version before the cut one");
        assert.notEqual(left?.done, true);
        // A file cut off during its first version holds no entry at all (SubmitFlow was not called yet).
        fs.writeFileSync(path.join(dir, "first-cut.json"), JSON.stringify({ ...entry, entryId: "first-cut" }).slice(0, 30));
        assert.deepEqual(new SubmissionJournal(dir, () => undefined).interrupted("cut").map((e) => e.entryId), [entry.entryId]);
    });

    it("reads an entry written as one JSON document without a newline, and rewrites it whole when it takes it over", () => {
        const entry = { v: 1, entryId: "older-format", pid: 2 ** 22 + 1, key: "old-format", projectId: PROJECT, flowId: FLOW, regionId: REGION, startedAt: 1, updatedAt: Date.now() };
        const file = path.join(dir, "older-format.json");
        fs.writeFileSync(file, JSON.stringify(entry));
        const journal = new SubmissionJournal(dir, () => undefined);
        const [found] = journal.interrupted("old-format");
        assert.equal(found?.entryId, "older-format");
        journal.finish(journal.adoptEntry(found!), { instanceId: "FI-00000000000OLDFMT" });
        const reread = new SubmissionJournal(dir, () => undefined);
        assert.deepEqual(reread.interrupted("old-format"), [], "done");
        assert.deepEqual([...reread.heldInstanceIds(PROJECT, FLOW)], ["FI-00000000000OLDFMT"]);
        for (const line of fs.readFileSync(file, "utf8").trim().split("\n")) JSON.parse(line);
    });

    it("shares one salt between journals of a directory, so keys match across processes", () => {
        const a = new SubmissionJournal(dir, () => undefined);
        const b = new SubmissionJournal(dir, () => undefined);
        assert.equal(a.keyFor({ x: 1, y: [2] }), b.keyFor({ y: [2], x: 1 }), "same salt, and key order does not matter");
        assert.notEqual(a.keyFor({ x: 1 }), a.keyFor({ x: 2 }));
        const other = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-life-"));
        try {
            assert.notEqual(new SubmissionJournal(other, () => undefined).keyFor({ x: 1 }), a.keyFor({ x: 1 }), "another directory has another salt");
        } finally {
            fs.rmSync(other, { recursive: true, force: true });
        }
    });

    it("takes the salt another process wrote first", () => {
        // As if another process created the salt between this one's read and its write.
        fs.writeFileSync(path.join(dir, "salt"), "their-salt\n");
        const theirs = new SubmissionJournal(dir, () => undefined).keyFor({ x: 1 });
        const crypto = require("crypto") as typeof import("crypto");
        assert.equal(theirs, crypto.createHmac("sha256", "their-salt").update(JSON.stringify({ x: 1 })).digest("hex"));
    });

    it("works in memory when the directory cannot be written, warning once", () => {
        const file = path.join(dir, "a-file");
        fs.writeFileSync(file, "");
        const warnings: string[] = [];
        const journal = new SubmissionJournal(path.join(file, "sub"), (l) => warnings.push(l));
        const entry = journal.begin(fields(journal.keyFor({ x: 1 })));
        journal.update(entry, { instanceId: "FI-00000000000000ME" });
        assert.deepEqual([...journal.heldInstanceIds(PROJECT, FLOW)], ["FI-00000000000000ME"]);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0]!, new RegExp(`cannot record submissions under .*Set ${JOURNAL_DIR_ENV} to a writable directory`));
    });

    it("lives where EMR_FLOW_JOURNAL_DIR says, else under the home directory", () => {
        assert.equal(defaultJournalDir({ [JOURNAL_DIR_ENV]: "/somewhere/else" }), "/somewhere/else");
        assert.equal(defaultJournalDir({ [JOURNAL_DIR_ENV]: "  " }), path.join(os.homedir(), ".pulumi-emr-flow", "submissions"));
        assert.equal(defaultJournalDir({}), path.join(os.homedir(), ".pulumi-emr-flow", "submissions"));
    });

    it("leaves entries of another live process alone, and takes over those of a dead one", () => {
        const key = "k";
        const mine = new SubmissionJournal(dir, () => undefined);
        const live = mine.begin(fields(key));
        mine.update(live, { pid: process.ppid });
        const dead = mine.begin({ ...fields(key), startedAt: 0 });
        mine.update(dead, { pid: 2 ** 22 + 12345 });
        const reader = new SubmissionJournal(dir, () => undefined);
        assert.deepEqual(
            reader.interrupted(key).map((e) => e.entryId),
            [dead.entryId],
        );
    });
});
