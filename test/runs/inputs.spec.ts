/**
 * Which values can be IDs of each kind: every form the service's documents show is accepted (a
 * project ID with or without `FP-`), and only what cannot be an ID is refused, with a hint.
 */
import { strict as assert } from "assert";
import { checkId, type IdProblem } from "../../provider/runs/inputs";
import { FlowSubmissionProvider } from "../../provider/adapter/dynamicProvider";

describe("checkId", () => {
    it("accepts a project ID with FP- as is, and without it gives it back with the prefix", () => {
        assert.deepEqual(checkId("project", "FP-257A173659F59685"), { id: "FP-257A173659F59685" });
        // SubmitFlow's documented sample request sends the bare form.
        assert.deepEqual(checkId("project", "257A173659F59685"), { id: "FP-257A173659F59685" });
        assert.deepEqual(checkId("flow", "F-7A39731FE7196358"), { id: "F-7A39731FE7196358" });
        assert.deepEqual(checkId("instance", "FI-7A39731FE7196358"), { id: "FI-7A39731FE7196358" });
    });

    it("gives no bare form to flows or instances", () => {
        assert.equal((checkId("flow", "7A39731FE7196358") as IdProblem).problem, "shape");
        assert.equal((checkId("instance", "7A39731FE7196358") as IdProblem).problem, "shape");
    });

    const refused: [string, "project" | "flow" | "instance", unknown, string, RegExp][] = [
        ["a number", "project", 123, "type", /must be a string, got a number/],
        ["an empty string", "project", "", "empty", /must not be empty/],
        ["a padded ID", "project", " FP-257A173659F59685", "space", /white space around it: remove it \(FP-257A173659F59685\)/],
        ["a name with a space", "project", "data platform", "space", /not a project ID: an ID has no white space in it; HINT/],
        ["a flow ID as project ID", "project", "F-7A39731FE7196358", "otherKind", /is a flow ID, not a project ID \(FP-0123456789ABCDEF\); HINT/],
        ["an instance ID as project ID", "project", "FI-7A39731FE7196358", "otherKind", /is a flow instance ID, not a project ID/],
        ["a cluster ID as project ID", "project", "C-7A39731FE7196358", "otherKind", /is a cluster ID, not a project ID/],
        ["a project ID as flow ID", "flow", "FP-257A173659F59685", "otherKind", /is a project ID, not a flow ID \(F-0123456789ABCDEF\)/],
        ["a job ID as flow ID", "flow", "FJ-257A173659F59685", "otherKind", /is a job ID, not a flow ID/],
        ["a flow ID as instance ID", "instance", "F-257A173659F59685", "otherKind", /is a flow ID, not a flow instance ID/],
        ["a short project ID", "project", "FP-123", "shape", /is not a project ID: expected the shape FP-0123456789ABCDEF \(or its 16 characters without FP-\); HINT/],
        ["a lower-case project ID", "project", "fp-0123456789abcdef", "shape", /is not a project ID/],
        ["a masked project ID from the documents", "project", "FP-257A173659F5****", "shape", /is not a project ID/],
        ["a name", "project", "data-platform", "shape", /is not a project ID.*; HINT/],
    ];
    for (const [what, kind, value, problem, reason] of refused) {
        it(`refuses ${what} (${problem})`, () => {
            const checked = checkId(kind, value, "HINT");
            assert.ok(!("id" in checked), JSON.stringify(checked));
            assert.equal(checked.problem, problem);
            assert.match(checked.reason, reason);
        });
    }
});

describe("FlowSubmission's check() on ID forms", () => {
    const provider = new FlowSubmissionProvider({ createClient: () => assert.fail("check calls nothing") as never, env: {} });
    const base = { flowId: "F-0123456789ABCDEF", regionId: "cn-hangzhou" };

    it("accepts a project ID without FP- and stores it with the prefix, so both spellings are one input", async () => {
        const bare = await provider.check({}, { ...base, projectId: "0123456789ABCDEF" });
        const full = await provider.check({}, { ...base, projectId: "FP-0123456789ABCDEF" });
        assert.deepEqual(bare.failures, []);
        assert.equal(bare.inputs?.projectId, "FP-0123456789ABCDEF");
        assert.deepEqual(bare.inputs, full.inputs);
        const diff = await provider.diff("FI-0000000000000001", { ...full.inputs, instanceId: "FI-0000000000000001" }, bare.inputs as never);
        assert.notEqual(diff.replaces?.includes("projectId"), true, "respelling the project replaces nothing");
    });

    it("refuses a flow ID given as project ID and a name given as flow ID, naming the lookups", async () => {
        const result = await provider.check({}, { ...base, projectId: "F-0123456789ABCDEF", flowId: "nightly-etl" });
        const byProperty = new Map((result.failures ?? []).map((f) => [f.property, f.reason]));
        assert.match(byProperty.get("projectId") ?? "", /"F-0123456789ABCDEF" is a flow ID, not a project ID .*getFlowProject\(\{ name \}\)/);
        assert.match(byProperty.get("flowId") ?? "", /"nightly-etl" is not a flow ID: expected the shape F-0123456789ABCDEF; to find one by name, use getFlow\(\{ projectId, name \}\)/);
    });
});
