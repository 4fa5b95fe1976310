globalThis.transpile = function(){};
