/** The local EMR flow API emulator: start it in-process, or run `emr-flow-emulator`. */
export {
    startEmulator,
    CONTROL_PREFIX,
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    DEFAULT_HOST,
    MAX_BODY_BYTES,
    type EmulatorOptions,
    type EmulatorStats,
    type RunningEmulator,
    type TunableOptions,
} from "./server";
export type { EmulatorInstanceView, EmulatorNodeView } from "./store";
export { FAULT_KINDS, type FaultController, type FaultKind, type FaultRule, type FaultView } from "./faults";
export { DEMO_IDS, DEMO_SEED, DEFAULT_PREP_MS, SeedError, loadSeedFile, parseSeed, type Seed, type SeedFlow, type SeedNode, type SeedProject } from "./seed";
export type { FlowStatus, NodeStatus, LifecycleEvent } from "./lifecycle";
export { API_VERSION, type ActionName } from "./actions";
export { DEFAULT_CORNERS, SCHEDULE_TIME_MODES, TIME_RANGE_MODES, type ContractCorners, type ScheduleTimeMode, type TimeRangeMode } from "./corners";
