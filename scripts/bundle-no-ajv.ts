// Stands in for the SDK's ajv validator inside the server bundle (see scripts/bundle.ts): this server always passes its own.
export class AjvJsonSchemaValidator {
  constructor() {
    throw new Error("ajv is not bundled into the server: pass createServer's jsonSchemaValidator (src/mcp/json-schema-validator.ts)");
  }
}
