import type { FastifyInstance } from 'fastify';
import { createSimulatorApp, listenOnLoopback, type RecordedRequest } from '../support';
import { installErrorHandler } from './apiErrors';
import { newContact } from './contactStore';
import { registerContactsRoutes } from './contactsRoutes';
import { registerControlRoutes } from './controlRoutes';
import { registerConversationsRoutes } from './conversationsRoutes';
import { HighLevelDeliveryCaller } from './deliveryCaller';
import { FaultInjector, type FailNextOptions } from './faults';
import { newHighLevelId } from './ids';
import { registerOauthRoutes } from './oauthRoutes';
import { DEFAULT_RATE_LIMIT, RateLimiter } from './rateLimit';
import { conversationForContact, createSimulatorState, type SimulatorContext, type SimulatorState } from './state';
import { TokenStore, type TokenSubject } from './tokenStore';
import { registerUploadRoutes } from './uploadRoutes';
import type { HighLevelSimulatorOptions, LocationTokenGrant, SimContact, SimInboundMessage, SimStatusUpdate, SimUpload } from './types';

const DEFAULT_STATUS_DOWNSTREAM_DELAY_MS = 3000;

/**
 * Loopback stand-in for services.leadconnectorhq.com: contacts, conversations (inbound, status, upload)
 * and OAuth, with HighLevel's auth, Version-header and rate-limit behaviour. Point HIGHLEVEL_API_BASE_URL at baseUrl.
 */
export class HighLevelSimulator {
  readonly requests: RecordedRequest[];
  readonly contacts: Map<string, SimContact>;
  readonly inboundMessages: SimInboundMessage[];
  readonly statusUpdates: SimStatusUpdate[];
  readonly uploads: SimUpload[];
  /** Posts to Delivery URLs for /_sim/outbound; its publicKeyPem is what the product must trust. */
  readonly deliveryCaller: HighLevelDeliveryCaller;

  private readonly app: FastifyInstance;
  private readonly state: SimulatorState;
  private readonly tokens: TokenStore;
  private readonly faults = new FaultInjector();
  private readonly context: SimulatorContext;
  /** The agency the simulated installs belong to when no companyId is given. */
  private readonly defaultCompanyId = newHighLevelId();
  private listeningUrl = '';

  static async start(options: HighLevelSimulatorOptions = {}): Promise<HighLevelSimulator> {
    const simulator = new HighLevelSimulator(options);
    await simulator.registerRoutes();
    simulator.listeningUrl = await listenOnLoopback(simulator.app, options.port ?? 0);
    return simulator;
  }

  private constructor(options: HighLevelSimulatorOptions) {
    const { app, requests } = createSimulatorApp();
    this.app = app;
    this.requests = requests;
    this.state = createSimulatorState();
    this.contacts = this.state.contacts;
    this.inboundMessages = this.state.inboundMessages;
    this.statusUpdates = this.state.statusUpdates;
    this.uploads = this.state.uploads;
    const clientId = options.clientId ?? 'sim-client-id';
    this.tokens = new TokenStore(clientId);
    this.deliveryCaller = new HighLevelDeliveryCaller({ ...options.webhookKeyPair, simulator: this });
    this.context = {
      state: this.state,
      tokens: this.tokens,
      rateLimiter: options.rateLimit === false ? undefined : new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT),
      clientId,
      clientSecret: options.clientSecret ?? 'sim-client-secret',
      statusDownstreamDelayMs: options.statusDownstreamDelayMs ?? DEFAULT_STATUS_DOWNSTREAM_DELAY_MS,
      baseUrl: () => this.listeningUrl,
    };
  }

  /** http://127.0.0.1:PORT */
  get baseUrl(): string {
    return this.listeningUrl;
  }

  async stop(): Promise<void> {
    await this.app.close();
  }

  /** As if the app had been installed on the location and the code exchanged. */
  issueLocationToken(locationId: string, companyId?: string): LocationTokenGrant {
    const issued = this.tokens.issue({ userType: 'Location', companyId: companyId ?? this.defaultCompanyId, locationId, userId: newHighLevelId() });
    return { access_token: issued.record.accessToken, refresh_token: issued.refreshToken, expires_in: issued.expiresIn };
  }

  /** An agency (Company) token, the kind /oauth/locationToken needs. */
  issueCompanyToken(companyId: string, approvedLocations: string[] = []): LocationTokenGrant {
    const issued = this.tokens.issue({ userType: 'Company', companyId, userId: newHighLevelId(), approvedLocations });
    return { access_token: issued.record.accessToken, refresh_token: issued.refreshToken, expires_in: issued.expiresIn };
  }

  /** The `code` HighLevel would append to the redirect URI after an install on this location. */
  createAuthorizationCode(locationId: string, companyId?: string): string {
    const subject: TokenSubject = { userType: 'Location', companyId: companyId ?? this.defaultCompanyId, locationId, userId: newHighLevelId() };
    return this.tokens.createAuthorizationCode(subject);
  }

  /** The `code` after an agency user installs on several sub-accounts: it redeems to a Company token listing them. */
  createAgencyAuthorizationCode(companyId: string, approvedLocations: string[]): string {
    return this.tokens.createAuthorizationCode({ userType: 'Company', companyId, userId: newHighLevelId(), approvedLocations });
  }

  expireAccessToken(accessToken: string): void {
    this.tokens.expire(accessToken);
  }

  seedContact(seed: Partial<SimContact> & { locationId: string }): SimContact {
    const { id, dateAdded, extra, ...input } = seed;
    const contact = newContact(seed.locationId, input);
    if (id) contact.id = id;
    if (dateAdded) contact.dateAdded = dateAdded;
    if (extra) Object.assign(contact.extra, extra);
    this.contacts.set(contact.id, contact);
    return contact;
  }

  /** The contact's conversation (created when it has none), as HighLevel keeps one per contact. */
  conversationOf(contact: SimContact): string {
    return conversationForContact(this.state, contact.locationId, contact.id).id;
  }

  /** Delay applied to every API request (not /_sim, not /_files). */
  setLatency(ms: number): void {
    this.faults.setLatency(ms);
  }

  /** The next `count` API requests (matching pathPrefix, if given) answer `status` with `body`. */
  failNext(count: number, options: FailNextOptions): void {
    this.faults.failNext(count, options);
  }

  /**
   * Makes messageId known, as HighLevel does when a user sends a message, and starts the window in which
   * status updates get 403. Registering the same id again (a redelivery) keeps the original time.
   */
  registerOutboundMessage(locationId: string, messageId: string, contactId?: string): void {
    if (this.state.messages.has(messageId)) return;
    const conversationId = contactId ? conversationForContact(this.state, locationId, contactId).id : newHighLevelId();
    this.state.messages.set(messageId, { messageId, locationId, conversationId, contactId, direction: 'outbound', registeredAt: Date.now() });
  }

  /** The last accepted status for the message (HighLevel keeps whatever came last, in any order). */
  finalStatus(messageId: string): string | undefined {
    for (let index = this.statusUpdates.length - 1; index >= 0; index -= 1) {
      const update = this.statusUpdates[index]!;
      if (update.messageId === messageId) return update.status;
    }
    return undefined;
  }

  private async registerRoutes(): Promise<void> {
    this.faults.install(this.app);
    installErrorHandler(this.app);
    await registerUploadRoutes(this.app, this.context);
    registerContactsRoutes(this.app, this.context);
    registerConversationsRoutes(this.app, this.context);
    registerOauthRoutes(this.app, this.context);
    registerControlRoutes(this.app, this, this.deliveryCaller, this.faults);
  }
}
