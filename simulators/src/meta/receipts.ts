import type { MessageStatus, ReceiptStep, WebhookDelivery } from './types';
import { phoneDigits } from './ids';

/**
 * Runs receipt sequences for sent messages. Steps of one message run one after another (each waits for the
 * previous webhook to finish, then its own delay), so a script's order is the order the receiver sees.
 */
export class ReceiptScheduler {
  private readonly scripts = new Map<string, ReceiptStep[]>();
  /** Pending waits, so stop() can cut them short. */
  private readonly waits = new Map<NodeJS.Timeout, () => void>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly defaultDelayMs: number,
    private readonly autoRead: boolean,
    private readonly retries: { attempts: number; firstDelayMs: number },
  ) {}

  /** Replaces the automatic receipts of the next message to this recipient (E.164 or digits). */
  script(recipient: string, steps: ReceiptStep[]): void {
    this.scripts.set(phoneDigits(recipient), steps.map((step) => ({ ...step })));
  }

  /** The script for this recipient, consumed; undefined when there is none. */
  takeScript(recipientDigits: string): ReceiptStep[] | undefined {
    const steps = this.scripts.get(recipientDigits);
    this.scripts.delete(recipientDigits);
    return steps;
  }

  automaticSteps(): ReceiptStep[] {
    const statuses: MessageStatus[] = this.autoRead ? ['sent', 'delivered', 'read'] : ['sent', 'delivered'];
    return statuses.map((status) => ({ status }));
  }

  run(steps: ReceiptStep[], emit: (step: ReceiptStep) => Promise<WebhookDelivery>): void {
    if (this.stopped || steps.length === 0) return;
    const sequence = (async () => {
      for (const step of steps) {
        await this.wait(step.delayMs ?? this.defaultDelayMs);
        if (this.stopped) return;
        await this.untilAccepted(() => emit(step));
        if (step.duplicate && !this.stopped) await emit(step);
      }
    })();
    const tracked = sequence.catch(() => undefined).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Re-delivers a webhook the receiver did not answer 200 (a later step of the message waits for it). */
  private async untilAccepted(emit: () => Promise<WebhookDelivery>): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const delivery = await emit();
      if (delivery.statusCode === 200 || !delivery.url || this.stopped || attempt >= this.retries.attempts) return;
      await this.wait(this.retries.firstDelayMs * 2 ** (attempt - 1));
    }
  }

  /** Resolves once every receipt sequence started so far has posted its last step (tests: "nothing more comes"). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Cancels pending steps and waits for the ones already posting. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const [timer, resolve] of this.waits) {
      clearTimeout(timer);
      resolve();
    }
    this.waits.clear();
    await Promise.all([...this.running]);
  }

  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve();
      }, Math.max(0, ms));
      this.waits.set(timer, resolve);
    });
  }
}
