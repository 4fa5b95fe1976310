// The "messaging" area: loaded on first use (see ../lazy.js). Exports its globals by name.
export { MessageEvent } from "./message-event.js";
export { MessageChannel, MessagePort } from "./message-port.js";
