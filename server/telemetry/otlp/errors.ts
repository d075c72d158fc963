import "server-only";
// The one error the decoder throws: the request body as a whole is not an OTLP trace export
// (spans that are individually malformed are rejected per OTLP partial success instead). The
// HTTP route answers it with 400 and a google.rpc.Status carrying the message.
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OtlpDecodeError";
  }
}
