// An imitation of the Pulumi engine: it drives the real dynamic provider host as `pulumi up` does, without the Pulumi CLI.
/**
 * - `runProgram` (program.ts) runs a real Pulumi program under `setMocks` and captures each
 *   resource's inputs and `__provider`, as the engine would receive them;
 * - `ProviderHost` (host.ts) spawns the real `@pulumi/pulumi/cmd/dynamic-provider` host and calls
 *   Configure/Check/Diff/Create/Read/Update/Delete over gRPC, marshalling as the engine does;
 * - values.ts: how secrets and unknowns look on the wire and in tests;
 * - `MiniEngine` (miniEngine.ts, imported from its own file) runs a deployment: a program's resources through the host, with state.
 */
export * from "./values";
export * from "./urn";
export * from "./program";
export * from "./host";
