export { TwilioSimulator } from './twilioSimulator';
export type {
  CallbackDelivery,
  CallbackStep,
  CallbackStepStatus,
  ContentApproval,
  ContentApprovalStatus,
  ContentInput,
  CreateFailure,
  InboundMedia,
  InboundMessageInput,
  MessageChannel,
  MessageStatus as TwilioMessageStatus,
  SimulatedMessage,
  StatusCallbackStatus,
  TwilioAccount,
  TwilioSimulatorOptions,
} from './types';
export type { RecordedRequest } from '../support';
