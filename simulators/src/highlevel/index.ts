export { HighLevelSimulator } from './highLevelSimulator';
export { HighLevelDeliveryCaller } from './deliveryCaller';
export type { DeliveryResult, DeliverySignatureMode, HighLevelDeliveryCallerOptions } from './deliveryCaller';
export type { FailNextOptions } from './faults';
export { MAX_UPLOAD_FILE_BYTES, MAX_UPLOAD_FILES } from './uploadRoutes';
export {
  CONTACTS_API_VERSION,
  CONVERSATIONS_API_VERSION,
  OAUTH_API_VERSION,
  INBOUND_MESSAGE_TYPES,
  MESSAGE_STATUSES,
} from './types';
export type {
  DndChannel,
  DndSetting,
  DndSettings,
  HighLevelSimulatorOptions,
  InboundMessageType,
  LocationTokenGrant,
  MessageStatus as HighLevelMessageStatus,
  MessageStatusError,
  ProviderOutboundMessage,
  RateLimitOptions,
  SimContact,
  SimInboundMessage,
  SimStatusUpdate,
  SimUpload,
} from './types';
export type { RecordedRequest } from '../support';
