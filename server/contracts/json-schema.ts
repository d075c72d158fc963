// Every ajv instance that compiles a user's JSON Schema is made here, so none of them compiles a
// user's `pattern`, `patternProperties` key or `format: "regex"` value with JavaScript's
// backtracking RegExp: they go to the linear-time engine in ./patterns.ts. Formats are
// ajv-formats' full set, with "regex" judged by that engine. Client code may import this file.
import type { Ajv, Options } from "ajv";
import addFormatsModule from "ajv-formats";
import { ajvRegExp, isRunnablePattern } from "./patterns";

// ajv-formats is CommonJS; its default export arrives wrapped under ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;

/** `new AjvClass(options)` with Keel's pattern engine and formats (Ajv, Ajv2019 or Ajv2020). */
export function createAjv<T extends Ajv>(AjvClass: new (options: Options) => T, options: Options): T {
  const ajv = new AjvClass({ ...options, code: { ...options.code, regExp: ajvRegExp } });
  addFormats(ajv);
  ajv.addFormat("regex", isRunnablePattern);
  return ajv;
}
