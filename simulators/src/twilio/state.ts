import type { FastifyRequest } from 'fastify';
import type { CallbackDelivery, CallbackStep, CreateFailure, SimulatedMessage, TwilioAccount } from './types';
import { TwilioApiError } from './wireFormat';

/** Everything the route modules share; the public class wraps it. */
export class SimulatorState {
  /** Set once the server listens. */
  baseUrl = '';
  latencyMs = 0;
  /** What a message costs once final, in USD: per SMS segment, per WhatsApp message. */
  readonly prices = { smsPerSegment: 0.0079, whatsApp: 0.005 };
  readonly accounts = new Map<string, TwilioAccount>();
  readonly messages: SimulatedMessage[] = [];
  readonly callbackDeliveries: CallbackDelivery[] = [];
  readonly pendingCreateFailures: CreateFailure[] = [];
  /** Keyed by bare E.164; consumed by the next message to that recipient. */
  readonly scriptedCallbacks = new Map<string, CallbackStep[]>();
  /** Aborted by stop() so in-flight webhook requests end with the simulator. */
  readonly shutdown = new AbortController();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  /** Status timelines still playing (tests wait on them instead of sleeping). */
  readonly timelines = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    readonly callbackDelayMs: number,
    readonly autoRead: boolean,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  registerAccount(account: TwilioAccount): void {
    this.accounts.set(account.accountSid, { ...account });
  }

  defaultAccount(): TwilioAccount {
    const first = this.accounts.values().next();
    if (first.done) throw new Error('TwilioSimulator has no registered account');
    return first.value;
  }

  accountOrThrow(accountSid: string): TwilioAccount {
    const account = this.accounts.get(accountSid);
    if (!account) throw new Error(`TwilioSimulator: unknown account ${accountSid}`);
    return account;
  }

  findMessage(sid: string): SimulatedMessage | undefined {
    return this.messages.find((message) => message.sid === sid);
  }

  /**
   * HTTP Basic `AccountSid:AuthToken` of a registered account; when the URL names an account it must be the same one.
   * Twilio answers 401/20003 for every mismatch, so callers cannot tell which part was wrong.
   */
  authenticate(request: FastifyRequest, pathAccountSid?: string): TwilioAccount {
    const credentials = parseBasicAuth(request.headers.authorization);
    const account = credentials ? this.accounts.get(credentials.username) : undefined;
    if (!account || !credentials || account.authToken !== credentials.password || (pathAccountSid !== undefined && pathAccountSid !== account.accountSid)) {
      throw new TwilioApiError(401, 20003);
    }
    return account;
  }

  /** A sleep that stop() cuts short, so no timer outlives the simulator. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
      };
      this.timers.add(entry);
    });
  }

  stop(): void {
    this.stopped = true;
    this.shutdown.abort();
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.timers.clear();
  }
}

function parseBasicAuth(header: string | undefined): { username: string; password: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length).trim(), 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) return undefined;
  return { username: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
}
