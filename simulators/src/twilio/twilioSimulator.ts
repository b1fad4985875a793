import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { createSimulatorApp, listenOnLoopback, type RecordedRequest } from '../support';
import { registerContentRoutes } from './contentApi';
import { ContentStore } from './contentStore';
import { registerControlRoutes } from './controlRoutes';
import { MediaStore, emitInboundMessage, registerMediaRoutes } from './inbound';
import { registerMessageRoutes } from './messagesApi';
import { registerMessageListRoute } from './messagesList';
import { SimulatorState } from './state';
import { reportStatus } from './statusCallbacks';
import type {
  CallbackDelivery,
  CallbackStep,
  ContentApprovalStatus,
  ContentInput,
  CreateFailure,
  InboundMessageInput,
  SimulatedMessage,
  StatusCallbackStatus,
  TwilioAccount,
  TwilioSimulatorOptions,
} from './types';
import { TwilioApiError, sendTwilioError, stripChannel } from './wireFormat';

/**
 * Loopback stand-in for api.twilio.com and content.twilio.com: Messages create/fetch/list, signed status callbacks,
 * signed inbound webhooks with downloadable media, and the Content API, plus fault injection for tests and demos.
 */
export class TwilioSimulator {
  readonly requests: RecordedRequest[];
  private readonly contents = new ContentStore();
  private readonly media = new MediaStore();

  private constructor(
    private readonly app: FastifyInstance,
    private readonly state: SimulatorState,
    requests: RecordedRequest[],
  ) {
    this.requests = requests;
  }

  static async start(options: TwilioSimulatorOptions = {}): Promise<TwilioSimulator> {
    const { app, requests } = createSimulatorApp();
    const state = new SimulatorState(options.callbackDelayMs ?? 30, options.autoRead ?? false);
    for (const account of options.accounts ?? []) state.registerAccount(account);
    const simulator = new TwilioSimulator(app, state, requests);
    simulator.registerRoutes();
    state.baseUrl = await listenOnLoopback(app, options.port ?? 0);
    return simulator;
  }

  /** http://127.0.0.1:PORT — serves both the api.twilio.com and the content.twilio.com paths. */
  get baseUrl(): string {
    return this.state.baseUrl;
  }

  get messages(): SimulatedMessage[] {
    return this.state.messages;
  }

  get callbackDeliveries(): CallbackDelivery[] {
    return this.state.callbackDeliveries;
  }

  registerAccount(account: TwilioAccount): void {
    this.state.registerAccount(account);
  }

  /** Resolves when the status callbacks of every message created so far have been posted. */
  async callbacksSettled(): Promise<void> {
    while (this.state.timelines.size > 0) await Promise.all([...this.state.timelines]);
  }

  async stop(): Promise<void> {
    this.state.stop();
    await this.app.close();
  }

  /** What messages cost once final (USD): per SMS segment, per WhatsApp message. */
  setPrices(prices: { smsPerSegment?: number; whatsApp?: number }): void {
    Object.assign(this.state.prices, prices);
  }

  /** Delay added before every Twilio API request (not /_sim controls). */
  setLatency(ms: number): void {
    this.state.latencyMs = Math.max(0, ms);
  }

  /** The next `count` Messages create calls fail synchronously with this HTTP status and Twilio error code. */
  failNextCreates(count: number, error: CreateFailure): void {
    for (let index = 0; index < count; index += 1) this.state.pendingCreateFailures.push({ ...error });
  }

  /** Replaces the automatic callbacks of the next message to `to` (E.164, `whatsapp:` optional). [] withholds them all. */
  scriptCallbacks(to: string, steps: CallbackStep[]): void {
    this.state.scriptedCallbacks.set(stripChannel(to), steps.map((step) => ({ ...step })));
  }

  /** Sends one status callback for a created message now, outside any timeline. */
  async emitStatusCallback(messageSid: string, status: StatusCallbackStatus, options: { errorCode?: number } = {}): Promise<CallbackDelivery> {
    const message = this.state.findMessage(messageSid);
    if (!message) throw new Error(`TwilioSimulator: unknown message ${messageSid}`);
    if (!message.statusCallback) throw new Error(`TwilioSimulator: message ${messageSid} was created without a StatusCallback`);
    const delivery = await reportStatus(this.state, message, status, options.errorCode);
    if (!delivery) throw new Error(`TwilioSimulator: no status callback delivered for ${messageSid}`);
    return delivery;
  }

  /** Posts an incoming message to `url` (the product's "A message comes in" webhook), signed with the account's token. */
  emitInbound(url: string, inbound: InboundMessageInput): Promise<CallbackDelivery> {
    return emitInboundMessage(this.state, this.media, url, inbound);
  }

  /** Adds a Content API template; returns its HX sid. */
  addContent(content: ContentInput): string {
    return this.contents.add(content);
  }

  setContentApproval(sid: string, status: ContentApprovalStatus): void {
    this.contents.setApproval(sid, status);
  }

  private registerRoutes(): void {
    const { app, state } = this;
    app.addHook('onRequest', async (request) => {
      if (state.latencyMs > 0 && !request.url.startsWith('/_sim')) await state.sleep(state.latencyMs);
    });
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof TwilioApiError) return sendTwilioError(reply, error);
      if (error instanceof ZodError) return reply.code(400).send({ error: 'invalid control request', issues: error.issues });
      if (request.url.startsWith('/_sim')) return reply.code(400).send({ error: error.message });
      if (error.statusCode !== undefined && error.statusCode < 500) {
        return sendTwilioError(reply, new TwilioApiError(error.statusCode, 20001, error.message));
      }
      return sendTwilioError(reply, new TwilioApiError(500, 20500));
    });
    app.setNotFoundHandler((request, reply) =>
      sendTwilioError(reply, new TwilioApiError(404, 20404, `The requested resource ${request.url.split('?')[0]} was not found`)),
    );
    registerMessageRoutes(app, state, this.contents);
    registerMessageListRoute(app, state);
    registerMediaRoutes(app, state, this.media);
    registerContentRoutes(app, state, this.contents);
    registerControlRoutes(app, this);
  }
}
