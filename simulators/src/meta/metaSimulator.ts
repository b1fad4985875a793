import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createSimulatorApp, listenOnLoopback, sleep, type RecordedRequest } from '../support';
import { AccountRegistry } from './accounts';
import { registerControlRoutes } from './controlRoutes';
import { registerGraphErrorHandling, registerGraphRoutes, type AcceptedSend } from './graphRoutes';
import { phoneDigits } from './ids';
import { buildInboundMessage } from './inboundMessages';
import { MediaStore, registerMediaRoutes, type BadMediaDownload } from './media';
import { ReceiptScheduler } from './receipts';
import { TemplateStore } from './templates';
import type {
  BatchItem,
  EmitStatusOptions,
  InboundSpec,
  MarkedAsRead,
  MediaDefinition,
  MessageStatus,
  MetaAccount,
  MetaSimulatorOptions,
  ReceiptStep,
  SendFault,
  SentMessage,
  TemplateDefinition,
  TemplateStatus,
  WebhookDelivery,
} from './types';
import { WebhookDispatcher } from './webhookDelivery';
import { WhatsAppIdDirectory } from './whatsAppIds';
import { buildEnvelope, buildStatus, type OutboundMessageInfo, type PricingCategory, type WebhookItem } from './webhookPayloads';

const DEFAULT_WEBHOOK_RETRIES = { attempts: 8, firstDelayMs: 250 };

/** A customer service window lasts 24 hours from the user's last message (A.6). */
const SERVICE_WINDOW_MS = 24 * 3600 * 1000;

/** Loopback stand-in for the WhatsApp Cloud API (Graph) and the webhooks Meta sends back. */
export class MetaSimulator {
  readonly requests: RecordedRequest[];
  readonly sentMessages: SentMessage[] = [];
  readonly markedAsRead: MarkedAsRead[] = [];
  readonly webhookDeliveries: Array<WebhookDelivery<unknown>>;
  readonly apiVersion: string;

  private readonly app: FastifyInstance;
  private readonly accounts = new AccountRegistry();
  private readonly templates = new TemplateStore();
  private readonly media = new MediaStore();
  private readonly dispatcher: WebhookDispatcher;
  private readonly receipts: ReceiptScheduler;
  private readonly outbound = new Map<string, OutboundMessageInfo>();
  /** When each user last messaged each business number (`<phone number id>|<wa_id>`): its customer service window. */
  private readonly lastInboundAt = new Map<string, number>();
  private readonly whatsAppIds = new WhatsAppIdDirectory();
  private latencyMs = 0;
  private sendFaults: SendFault[] = [];
  private listeningOrigin = '';
  private stopping: Promise<void> | undefined;

  static async start(options: MetaSimulatorOptions): Promise<MetaSimulator> {
    const simulator = new MetaSimulator(options);
    simulator.listeningOrigin = await listenOnLoopback(simulator.app, options.port ?? 0);
    return simulator;
  }

  /** http://127.0.0.1:PORT */
  get origin(): string {
    return this.listeningOrigin;
  }

  /** origin + '/' + apiVersion: what WHATSAPP_GRAPH_BASE_URL points at. */
  get baseUrl(): string {
    return `${this.listeningOrigin}/${this.apiVersion}`;
  }

  private constructor(options: MetaSimulatorOptions) {
    const { app, requests } = createSimulatorApp();
    this.app = app;
    this.requests = requests;
    this.apiVersion = options.apiVersion ?? 'v23.0';
    this.dispatcher = new WebhookDispatcher(options.appSecret, options.webhookUrl);
    this.webhookDeliveries = this.dispatcher.deliveries;
    this.receipts = new ReceiptScheduler(options.receiptDelayMs ?? 30, options.autoRead ?? false, options.webhookRetries ?? DEFAULT_WEBHOOK_RETRIES);
    for (const account of options.accounts ?? []) this.accounts.register(account);
    for (const [phone, waId] of Object.entries(options.whatsAppIds ?? {})) this.whatsAppIds.register(phone, waId);

    app.addHook('onRequest', async (request) => {
      if (this.latencyMs > 0 && !request.url.startsWith('/_sim')) await sleep(this.latencyMs);
    });
    registerGraphErrorHandling(app);
    const origin = () => this.listeningOrigin;
    registerMediaRoutes(app, { apiVersion: this.apiVersion, origin, accounts: this.accounts, media: this.media });
    registerGraphRoutes(app, {
      apiVersion: this.apiVersion,
      origin,
      accounts: this.accounts,
      templates: this.templates,
      takeSendFault: () => this.sendFaults.shift(),
      acceptSend: (send) => this.acceptSend(send),
      recordMarkAsRead: (entry) => this.markedAsRead.push(entry),
      waIdFor: (phone) => this.whatsAppIds.waIdFor(phone),
    });
    registerControlRoutes(app, {
      sentMessages: this.sentMessages,
      markedAsRead: this.markedAsRead,
      webhookDeliveries: this.webhookDeliveries,
      emitInbound: (spec) => this.emitInbound(spec),
      emitStatus: (wamid, status, statusOptions) => this.emitStatus(wamid, status, statusOptions),
      scriptReceipts: (to, steps) => this.scriptReceipts(to, steps),
      setLatency: (ms) => this.setLatency(ms),
      failNextSends: (count, error) => this.failNextSends(count, error),
      setWhatsAppId: (phone, waId) => this.setWhatsAppId(phone, waId),
      upsertTemplate: (template, wabaId) => this.upsertTemplate(wabaId ?? this.accounts.resolve(undefined).wabaId, template),
    });
  }

  setWebhookUrl(url: string): void {
    this.dispatcher.url = url;
  }

  registerAccount(account: MetaAccount): void {
    this.accounts.register(account);
  }

  /** From now on `phone` reaches (and writes from) the WhatsApp id `waId`, e.g. a Brazilian number without the ninth digit. */
  setWhatsAppId(phone: string, waId: string): void {
    this.whatsAppIds.register(phone, waId);
  }

  /** Cancels pending receipts and in-flight webhooks, then closes the server. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const receiptsStopped = this.receipts.stop();
      this.dispatcher.abortAll();
      await receiptsStopped;
      await this.app.close();
    })();
    return this.stopping;
  }

  // ---- faults ----

  /** Added to every Graph API request (not /_sim). */
  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  /** The next `count` message sends (not mark-as-read) fail with this error; replaces earlier queued faults. */
  failNextSends(count: number, error: SendFault): void {
    this.sendFaults = Array.from({ length: Math.max(0, count) }, () => ({ ...error }));
  }

  /** Resolves when every receipt sequence of the messages sent so far has finished posting. */
  receiptsSettled(): Promise<void> {
    return this.receipts.idle();
  }

  /** Replaces the automatic receipts of the next message to `to`; an empty list withholds all receipts. */
  scriptReceipts(to: string, steps: ReceiptStep[]): void {
    this.receipts.script(to, steps);
  }

  // ---- webhooks ----

  async emitStatus(wamid: string, status: MessageStatus, options: EmitStatusOptions = {}): Promise<WebhookDelivery> {
    return this.dispatcher.deliver(buildEnvelope([this.statusItem(wamid, status, options)]));
  }

  async emitInbound(spec: InboundSpec): Promise<WebhookDelivery> {
    return this.dispatcher.deliver(buildEnvelope([this.inboundItem(spec)]));
  }

  /** Everything in ONE signed POST, grouped per WABA and business number; `entries` splits it over several entry objects. */
  async emitBatch(items: BatchItem[], options: { entries?: number } = {}): Promise<WebhookDelivery> {
    const webhookItems = items.map((item) => {
      if (item.kind === 'status') {
        const { kind: _kind, wamid, status, ...statusOptions } = item;
        return this.statusItem(wamid, status, statusOptions);
      }
      const { kind: _kind, ...spec } = item;
      return this.inboundItem(spec);
    });
    return this.dispatcher.deliver(buildEnvelope(webhookItems, options.entries ?? 1));
  }

  /** Posts any payload; `signature` overrides the computed X-Hub-Signature-256 (for wrong-signature tests). */
  async deliverRaw(payload: unknown, options: { signature?: string } = {}): Promise<WebhookDelivery<unknown>> {
    return this.dispatcher.deliver(payload, options);
  }

  // ---- templates and media ----

  upsertTemplate(wabaId: string, template: TemplateDefinition): void {
    this.templates.upsert(wabaId, template);
  }

  setTemplateStatus(wabaId: string, name: string, language: string, status: TemplateStatus): void {
    this.templates.setStatus(wabaId, name, language, status);
  }

  addMedia(media: MediaDefinition): string {
    return this.media.add(media);
  }

  /** The next `count` media downloads answer Meta's HTML error page, or half the file ('truncated'). */
  serveBadMediaDownloads(count: number, kind: BadMediaDownload = 'html'): void {
    this.media.serveBadDownloads(count, kind);
  }

  // ---- internals ----

  private acceptSend(send: AcceptedSend): void {
    this.sentMessages.push({
      wamid: send.wamid,
      phoneNumberId: send.account.phoneNumberId,
      to: send.to,
      waId: send.waId,
      type: send.type,
      payload: send.payload,
      at: Date.now(),
    });
    const pricingCategory: PricingCategory = send.template ? (send.template.category.toLowerCase() as PricingCategory) : 'service';
    const lastInbound = this.lastInboundAt.get(`${send.account.phoneNumberId}|${send.waId}`);
    this.outbound.set(send.wamid, {
      wamid: send.wamid,
      account: send.account,
      recipientId: send.waId,
      pricingCategory,
      insideServiceWindow: lastInbound !== undefined && Date.now() - lastInbound < SERVICE_WINDOW_MS,
      conversationId: crypto.randomBytes(16).toString('hex'),
      ...(send.bizOpaqueCallbackData === undefined ? {} : { bizOpaqueCallbackData: send.bizOpaqueCallbackData }),
    });
    // Scripts are keyed by the number as the test wrote it; one keyed by the WhatsApp id works too.
    const scripted = this.receipts.takeScript(phoneDigits(send.to)) ?? this.receipts.takeScript(send.waId);
    // Scripted receipts are always attempted (and recorded); automatic ones need a webhook URL.
    const steps = scripted ?? (this.dispatcher.url ? this.receipts.automaticSteps() : []);
    this.receipts.run(steps, (step) => this.emitStatus(send.wamid, step.status, step.error ? { error: step.error } : {}));
  }

  private statusItem(wamid: string, status: MessageStatus, options: EmitStatusOptions): WebhookItem {
    const known = this.outbound.get(wamid);
    // Unknown wamids are allowed so tests can check that receivers ignore them.
    const message: OutboundMessageInfo = known
      ? { ...known, recipientId: options.recipientId ?? known.recipientId }
      : {
          wamid,
          account: this.accounts.resolve(undefined),
          recipientId: options.recipientId ?? '0',
          pricingCategory: 'service',
          conversationId: crypto.randomBytes(16).toString('hex'),
        };
    const statusObject = buildStatus(message, status, {
      apiVersion: this.apiVersion,
      ...(options.error ? { error: options.error } : {}),
      ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    });
    return { account: message.account, status: statusObject };
  }

  private inboundItem(spec: InboundSpec): WebhookItem {
    const account = this.accounts.resolve(spec.phoneNumberId);
    const { message, contact } = buildInboundMessage(spec, this.media, (phone) => this.whatsAppIds.waIdFor(phone));
    // A user's message opens (or renews) their 24-hour customer service window with this business number.
    if (message.from !== undefined && message.type !== 'system') {
      const at = Number(message.timestamp) * 1000;
      const key = `${account.phoneNumberId}|${message.from}`;
      this.lastInboundAt.set(key, Math.max(at, this.lastInboundAt.get(key) ?? 0));
    }
    return { account, message, ...(contact ? { contact } : {}) };
  }
}

