import { ops, internals } from "./ops.js";
internals.DOMException = class DOMException extends Error {};
