import crypto from 'node:crypto';
import { signHighLevelPayload } from './signature';
import type { HighLevelSimulator } from './highLevelSimulator';
import { newHighLevelId } from './ids';
import type { ProviderOutboundMessage } from './types';

export type DeliverySignatureMode = 'valid' | 'none' | 'wrong' | 'N/A';

export interface HighLevelDeliveryCallerOptions {
  privateKeyPem?: string;
  publicKeyPem?: string;
  /** When given, each message id is registered with it before posting (HighLevel creates the message first). */
  simulator?: HighLevelSimulator;
}

export interface DeliveryResult {
  status: number;
  /** Parsed JSON when the answer is JSON, else the text ('' for an empty body). */
  body: unknown;
}

function generateEd25519KeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Plays HighLevel posting ProviderOutboundMessage to a provider's Delivery URL, signed with X-GHL-Signature (Ed25519). */
export class HighLevelDeliveryCaller {
  readonly publicKeyPem: string;
  private readonly privateKeyPem: string;
  private readonly simulator: HighLevelSimulator | undefined;
  /** Signs 'wrong' requests: a valid Ed25519 signature from a key the receiver does not trust. */
  private strangerPrivateKeyPem: string | undefined;

  constructor(options: HighLevelDeliveryCallerOptions = {}) {
    if (options.privateKeyPem) {
      this.privateKeyPem = options.privateKeyPem;
      this.publicKeyPem =
        options.publicKeyPem ?? crypto.createPublicKey(options.privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
    } else {
      const generated = generateEd25519KeyPair();
      this.privateKeyPem = generated.privateKeyPem;
      this.publicKeyPem = generated.publicKeyPem;
    }
    this.simulator = options.simulator;
  }

  /** HighLevel's documented SMS example, with a fresh messageId unless overridden. */
  static examplePayload(overrides: Partial<ProviderOutboundMessage> = {}): ProviderOutboundMessage {
    return {
      contactId: 'GKBhT6BfwY9mjzXAU3sq',
      locationId: 'GKAWb4yu7A4LSc0skQ6g',
      messageId: newHighLevelId(),
      type: 'SMS',
      phone: '+15864603685',
      message: 'The text message to be sent to the contact',
      attachments: ['https://www.google.com/images/branding/googlelogo/1x/googlelogo_color_272x92dp.png'],
      userId: 'GK56r6wdJDrkUPd0xsmx',
      ...overrides,
    };
  }

  /** The X-GHL-Signature HighLevel would send for these exact bytes (for posting raw bodies in tests). */
  sign(rawBody: string): string {
    return signHighLevelPayload(rawBody, this.privateKeyPem);
  }

  /** Posts the exact JSON string it signs. */
  async send(deliveryUrl: string, payload: object, options: { signature?: DeliverySignatureMode } = {}): Promise<DeliveryResult> {
    const rawBody = JSON.stringify(payload);
    this.registerWithSimulator(payload);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    const signature = this.signatureFor(rawBody, options.signature ?? 'valid');
    if (signature !== undefined) headers['X-GHL-Signature'] = signature;

    const response = await fetch(deliveryUrl, { method: 'POST', headers, body: rawBody });
    const text = await response.text();
    return { status: response.status, body: parseMaybeJson(text) };
  }

  private signatureFor(rawBody: string, mode: DeliverySignatureMode): string | undefined {
    switch (mode) {
      case 'valid':
        return signHighLevelPayload(rawBody, this.privateKeyPem);
      case 'wrong':
        this.strangerPrivateKeyPem ??= generateEd25519KeyPair().privateKeyPem;
        return signHighLevelPayload(rawBody, this.strangerPrivateKeyPem);
      case 'N/A':
        return 'N/A'; // what HighLevel's own sample treats as "unsigned"
      case 'none':
        return undefined;
    }
  }

  private registerWithSimulator(payload: object): void {
    if (!this.simulator) return;
    const { messageId, locationId, contactId } = payload as Partial<Record<string, unknown>>;
    if (typeof messageId === 'string' && typeof locationId === 'string') {
      this.simulator.registerOutboundMessage(locationId, messageId, typeof contactId === 'string' ? contactId : undefined);
    }
  }
}

function parseMaybeJson(text: string): unknown {
  if (text === '') return '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
