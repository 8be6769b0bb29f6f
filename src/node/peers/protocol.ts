/**
 * The node-to-node batch protocol. Its one definition is the schema in src/wire/peer-batch.ts:
 * the receiver checks every batch against it and the sender is typed with it.
 */
export {
  BATCH_PATH,
  type BatchRequest,
  type BatchResponse,
  FIRST_PEER_PROTOCOL,
  GET_NEWER_SINCE,
  isOpRefusal,
  MSGPACK,
  OP_CONFLICT_DIGEST,
  OP_CONFLICT_FETCH,
  OP_CONFLICT_PUT,
  OP_GET,
  OP_GET_NEWER,
  OP_ML_PUSH,
  OP_ML_VECTOR,
  OP_PUT,
  type OpRefusal,
  PEER_PROTOCOL,
  type PeerOp,
  type PeerResult,
  PING_PATH,
  type PutResult,
  type VersionResult,
} from "../../wire/peer-batch.ts";
