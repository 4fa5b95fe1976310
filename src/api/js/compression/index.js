// The "compression" area: loaded on first use (see ../lazy.js). Exports its globals by name.
export { CompressionStream, DecompressionStream } from "./compression-streams.js";
