// https://websockets.spec.whatwg.org/#the-closeevent-interface: what a WebSocket fires when its
// peer closed (or the connection went away: code 1006, wasClean false).
import {
  configureInterface, constructPrefix, converters, createDictionaryConverter, illegalInvocation, isObject,
  requiredArguments,
} from "../webidl.js";
import { Event } from "../events.js";

const convertCloseEventInit = createDictionaryConverter("CloseEventInit", [
  { key: "bubbles", converter: converters.boolean, defaultValue: false },
  { key: "cancelable", converter: converters.boolean, defaultValue: false },
  { key: "composed", converter: converters.boolean, defaultValue: false },
  { key: "wasClean", converter: converters.boolean, defaultValue: false },
  { key: "code", converter: converters["unsigned short"], defaultValue: 0 },
  { key: "reason", converter: converters.USVString, defaultValue: "" },
]);

export class CloseEvent extends Event {
  #wasClean;
  #code;
  #reason;

  constructor(type, eventInitDict = undefined) {
    const prefix = constructPrefix("CloseEvent");
    requiredArguments(arguments.length, 1, prefix);
    type = converters.DOMString(type, prefix, "parameter 1");
    const init = convertCloseEventInit(eventInitDict, prefix, "parameter 2");
    super(type, init);
    this.#wasClean = init.wasClean;
    this.#code = init.code;
    this.#reason = init.reason;
  }

  get wasClean() { return closeEventOf(this).#wasClean; }
  get code() { return closeEventOf(this).#code; }
  get reason() { return closeEventOf(this).#reason; }

  static {
    isCloseEvent = (value) => isObject(value) && #code in value;
  }
}
let isCloseEvent;
function closeEventOf(value) {
  if (!isCloseEvent(value)) illegalInvocation();
  return value;
}
configureInterface(CloseEvent, "CloseEvent");
