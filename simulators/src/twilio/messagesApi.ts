import type { FastifyInstance } from 'fastify';
import { parseForm } from './signature';
import type { ContentStore } from './contentStore';
import { validateCreate, type ValidatedCreate } from './createValidation';
import type { SimulatorState } from './state';
import { automaticSteps, messageSegments, runStatusTimeline } from './statusCallbacks';
import type { CallbackStep, SimulatedMessage, TwilioAccount } from './types';
import { TwilioApiError, newSid, rfc2822, stripChannel } from './wireFormat';

type AccountParams = { Params: { accountSid: string } };
type MessageParams = { Params: { accountSid: string; messageSid: string } };

/** Programmable Messaging: create (POST …/Messages.json) and fetch (GET …/Messages/{Sid}.json); the list is in messagesList.ts. */
export function registerMessageRoutes(app: FastifyInstance, state: SimulatorState, contents: ContentStore): void {
  app.post<AccountParams>('/2010-04-01/Accounts/:accountSid/Messages.json', async (request, reply) => {
    const account = state.authenticate(request, request.params.accountSid);
    const injected = state.pendingCreateFailures.shift();
    if (injected) throw new TwilioApiError(injected.httpStatus, injected.code, injected.message);

    const validated = validateCreate(parseForm(typeof request.body === 'string' ? request.body : ''), contents);
    const message = recordMessage(state, account, validated);
    startStatusTimeline(state, contents, message, validated);
    return reply.code(201).send(messageResource(message));
  });

  app.get<MessageParams>('/2010-04-01/Accounts/:accountSid/Messages/:messageSid.json', async (request) => {
    const account = state.authenticate(request, request.params.accountSid);
    const message = state.findMessage(request.params.messageSid);
    if (!message || message.accountSid !== account.accountSid) {
      throw new TwilioApiError(404, 20404, `The requested resource ${request.url} was not found`);
    }
    return messageResource(message);
  });
}

function recordMessage(state: SimulatorState, account: TwilioAccount, validated: ValidatedCreate): SimulatedMessage {
  const now = Date.now();
  const message: SimulatedMessage = {
    sid: newSid(validated.mediaUrls.length > 0 ? 'MM' : 'SM'),
    accountSid: account.accountSid,
    to: validated.to,
    from: validated.from,
    messagingServiceSid: validated.messagingServiceSid,
    body: validated.body,
    mediaUrls: validated.mediaUrls,
    contentSid: validated.content?.sid,
    contentVariables: validated.contentVariables,
    statusCallback: validated.statusCallback,
    channel: validated.channel,
    // A Messaging Service first "accepts" the message, then picks a sender and queues it.
    status: validated.messagingServiceSid !== undefined ? 'accepted' : 'queued',
    createdAt: now,
    updatedAt: now,
  };
  state.messages.push(message);
  return message;
}

/** Scripted steps win; otherwise an unapproved WhatsApp template fails; otherwise the normal progression. */
function startStatusTimeline(state: SimulatorState, contents: ContentStore, message: SimulatedMessage, validated: ValidatedCreate): void {
  const recipient = stripChannel(message.to);
  let steps: CallbackStep[] | undefined = state.scriptedCallbacks.get(recipient);
  if (steps) state.scriptedCallbacks.delete(recipient);
  if (!steps && validated.content && message.channel === 'whatsapp') {
    const rejection = contents.whatsAppRejection(validated.content);
    if (rejection) steps = [{ status: rejection.status, errorCode: rejection.errorCode }];
  }
  steps ??= automaticSteps(state, message);
  const timeline = runStatusTimeline(state, message, steps)
    .catch((error: unknown) => {
      // Only reachable through a bug (deliveries record their own failures); keep the simulator alive.
      process.emitWarning(`TwilioSimulator status timeline failed: ${String(error)}`);
    })
    .finally(() => state.timelines.delete(timeline));
  state.timelines.add(timeline);
}

/** The Message resource as 2010-04-01 returns it (B.1). */
export function messageResource(message: SimulatedMessage) {
  const base = `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}`;
  const segments = messageSegments(message);
  return {
    account_sid: message.accountSid,
    api_version: '2010-04-01',
    body: message.body ?? '',
    date_created: rfc2822(message.createdAt),
    date_sent: message.sentAt !== undefined ? rfc2822(message.sentAt) : null,
    date_updated: rfc2822(message.updatedAt),
    direction: 'outbound-api',
    error_code: message.errorCode ?? null,
    error_message: null,
    from: message.from ?? null,
    messaging_service_sid: message.messagingServiceSid ?? null,
    num_media: String(message.mediaUrls.length),
    num_segments: String(segments),
    // Null until the message is final (Twilio: "may not be immediately available").
    price: message.price ?? null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: `${base}/Media.json` },
    to: message.to,
    uri: `${base}.json`,
  };
}
