// Stands in for @modelcontextprotocol/server/_shims inside the server bundle (see scripts/bundle.ts): this server always
// passes its own validator, so the SDK's default (ajv) is never made; `process` is what the SDK's Node shim also gives.
export { default as process } from "node:process";

export class DefaultJsonSchemaValidator {
  constructor() {
    throw new Error(
      "ajv is not bundled into the server: pass createServer's jsonSchemaValidator (src/mcp/json-schema-validator.ts)",
    );
  }
}
