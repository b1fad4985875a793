import type { RateLimiter } from './rateLimit';
import type { TokenStore } from './tokenStore';
import { newHighLevelId } from './ids';
import type { SimContact, SimInboundMessage, SimStatusUpdate, SimUpload } from './types';

/** A message id HighLevel knows: outbound ones (posted to the Delivery URL) and inbound ones the provider added. */
export interface KnownMessage {
  messageId: string;
  locationId: string;
  conversationId: string;
  contactId?: string;
  direction: 'inbound' | 'outbound';
  /** Epoch ms; status updates are refused (403) until statusDownstreamDelayMs after this. */
  registeredAt: number;
}

export interface SimConversation {
  id: string;
  locationId: string;
  contactId: string;
}

export interface SimulatorState {
  contacts: Map<string, SimContact>;
  conversations: Map<string, SimConversation>;
  messages: Map<string, KnownMessage>;
  inboundMessages: SimInboundMessage[];
  statusUpdates: SimStatusUpdate[];
  uploads: SimUpload[];
  /** Upload file id → upload, served under /_files/<id>/<filename>. */
  files: Map<string, SimUpload>;
}

/** What the route modules share. */
export interface SimulatorContext {
  state: SimulatorState;
  tokens: TokenStore;
  rateLimiter: RateLimiter | undefined;
  clientId: string;
  clientSecret: string;
  statusDownstreamDelayMs: number;
  baseUrl(): string;
}

export function createSimulatorState(): SimulatorState {
  return {
    contacts: new Map(),
    conversations: new Map(),
    messages: new Map(),
    inboundMessages: [],
    statusUpdates: [],
    uploads: [],
    files: new Map(),
  };
}

/** HighLevel keeps one conversation per contact (per channel family); the simulator keeps one per contact. */
export function conversationForContact(state: SimulatorState, locationId: string, contactId: string): SimConversation {
  for (const conversation of state.conversations.values()) {
    if (conversation.contactId === contactId) return conversation;
  }
  const conversation: SimConversation = { id: newHighLevelId(), locationId, contactId };
  state.conversations.set(conversation.id, conversation);
  return conversation;
}
