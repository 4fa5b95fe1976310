// The "file" area: loaded on first use (see ../lazy.js). Exports its globals by name, and (not
// globals) what fetch bodies use, as `bodyFiles`.
export { Blob, File } from "./blob.js";
export { FormData } from "./form-data.js";
export * as bodyFiles from "./body-files.js";
