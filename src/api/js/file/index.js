// The "file" area: loaded on first use (see ../lazy.js). Exports its globals by name.
export {};
