export function toASCII(d){return d;} export function toUnicode(d){return {domain:d,error:false};}
