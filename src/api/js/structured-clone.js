// https://html.spec.whatwg.org/#dom-structuredclone, serialised by V8 in C++ (ops.structuredClone).
import { ops } from "./ops.js";
import {
  converters, createDictionaryConverter, createSequenceConverter, methodPrefix, requiredArguments,
} from "./webidl.js";

const convertOptions = createDictionaryConverter("StructuredSerializeOptions", [
  { key: "transfer", converter: createSequenceConverter(converters.object), defaultValue: [] },
]);

export function structuredClone(value, options = undefined) {
  const prefix = methodPrefix("ServiceWorkerGlobalScope", "structuredClone");
  requiredArguments(arguments.length, 1, prefix);
  // C++ wants the transfer list as a real Array; any iterable is allowed here.
  return ops.structuredClone(value, convertOptions(options, prefix, "parameter 2"));
}
