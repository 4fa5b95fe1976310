// HTML's MessageEvent (https://html.spec.whatwg.org/#the-messageevent-interface): what a
// MessagePort delivers, and what a WebSocket fires for each message (websocket/ imports it).
// In a Worker the only possible `source` is a MessagePort, as in workerd.
import {
  configureInterface, constructPrefix, converters, createDictionaryConverter, createInterfaceConverter,
  createNullableConverter, createSequenceConverter, illegalInvocation, isObject, requiredArguments,
} from "../webidl.js";
import { Event } from "../events.js";

// message-port.js hands its brand check over here (it imports this file, not the reverse).
let isMessagePort = () => false;
export function registerMessagePortBrand(is) {
  isMessagePort = is;
}

const convertPort = createInterfaceConverter("MessagePort", (v) => isMessagePort(v));

const convertMessageEventInit = createDictionaryConverter("MessageEventInit", [
  { key: "bubbles", converter: converters.boolean, defaultValue: false },
  { key: "cancelable", converter: converters.boolean, defaultValue: false },
  { key: "composed", converter: converters.boolean, defaultValue: false },
  { key: "data", converter: converters.any, defaultValue: null },
  { key: "origin", converter: converters.USVString, defaultValue: "" },
  { key: "lastEventId", converter: converters.DOMString, defaultValue: "" },
  { key: "source", converter: createNullableConverter(convertPort), defaultValue: null },
  { key: "ports", converter: createSequenceConverter(convertPort), defaultValue: [] },
]);

export class MessageEvent extends Event {
  #data;
  #origin;
  #lastEventId;
  #source;
  #ports;  // a frozen Array: the same object on every read (FrozenArray<MessagePort>)

  constructor(type, eventInitDict = undefined) {
    const prefix = constructPrefix("MessageEvent");
    requiredArguments(arguments.length, 1, prefix);
    type = converters.DOMString(type, prefix, "parameter 1");
    const init = convertMessageEventInit(eventInitDict, prefix, "parameter 2");
    super(type, init);
    this.#data = init.data;
    this.#origin = init.origin;
    this.#lastEventId = init.lastEventId;
    this.#source = init.source;
    this.#ports = Object.freeze([...init.ports]);
  }

  get data() { return messageEventOf(this).#data; }
  get origin() { return messageEventOf(this).#origin; }
  get lastEventId() { return messageEventOf(this).#lastEventId; }
  get source() { return messageEventOf(this).#source; }
  get ports() { return messageEventOf(this).#ports; }

  static {
    isMessageEvent = (value) => isObject(value) && #data in value;
    setDelivered = (event, data) => {
      event.#data = data;  // undefined stays undefined (MessageEventInit's default is null)
      event.#origin = null;
    };
  }
}
let isMessageEvent, setDelivered;

// The event a MessagePort dispatches: from `source`, with a null origin (as workerd's).
export function deliveredMessageEvent(data, source) {
  const event = new MessageEvent("message", { source });
  setDelivered(event, data);
  return event;
}
function messageEventOf(value) {
  if (!isMessageEvent(value)) illegalInvocation();
  return value;
}
configureInterface(MessageEvent, "MessageEvent");
