/** The agent protocol: message model and codec, pure (no I/O). See docs/protocol.md. */
export * from './errors.js';
export * from './messages.js';
export { encodeRequest, decodeRequest, encodeReply, decodeReply, type Envelope } from './codec.js';
export {
  encodePipe,
  decodePipe,
  decodePipeFrame,
  decodePipeRequest,
  encodePipeReply,
  decodePipeReply,
} from './pipe.js';
export { z85Encode } from './z85.js';
