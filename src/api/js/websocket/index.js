// The "websocket" area: loaded on first use (see ../lazy.js). Exports its globals by name, and
// the runtime's side of exported ends (index.js passes them to C++ as internals).
export { WebSocket, WebSocketPair, isWebSocket, exportWebSocket, webSocketBridged, webSocketEvent } from "./websocket.js";
export { CloseEvent } from "./close-event.js";
