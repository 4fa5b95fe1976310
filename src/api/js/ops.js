// The native operations and the object C++ reads back, captured once while the snapshot is
// built (the globals that carried them are deleted right after; user code never sees them).
export const ops = globalThis.__wispOps;
export const internals = globalThis.__wispInternals;
