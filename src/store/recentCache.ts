/** A bounded in-process map whose entries count for `keepMs`; past `max` entries the oldest is dropped. */
export class RecentCache<Value> {
  private readonly entries = new Map<string, { value: Value; at: number }>();

  constructor(
    private readonly keepMs: number,
    private readonly max: number,
  ) {}

  get(key: string): Value | undefined {
    const entry = this.entries.get(key);
    return entry && Date.now() - entry.at < this.keepMs ? entry.value : undefined;
  }

  set(key: string, value: Value): void {
    this.entries.set(key, { value, at: Date.now() });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
