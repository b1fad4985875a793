/** `npm run bench -- …`: the load and which systems to measure. */
export interface Options {
  rate: number;
  seconds: number;
  messages: number;
  concurrency: number;
  receiptDelayMs: number;
  warmup: number;
  only: Set<string>;
  /** What the product runs on: the embedded dev server (npm start's default) or a real cluster. */
  temporal: 'dev' | 'real';
  /**
   * Another checkout of the product, built (`npm ci && npm run build`), e.g. an earlier commit in a git worktree:
   * measured as `earlier`, its own `npm start` (dist/src/main.js), under the same load in the same run.
   */
  earlier?: string;
}

export function parseOptions(argv: string[]): Options {
  const options: Options = { rate: 50, seconds: 5, messages: 100, concurrency: 20, receiptDelayMs: 100, warmup: 20, only: new Set(['product', 'floor', 'relay']), temporal: 'dev' };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? '';
    switch (flag) {
      case '--rate': options.rate = Number(value()); break;
      case '--seconds': options.seconds = Number(value()); break;
      case '--messages': options.messages = Number(value()); break;
      case '--concurrency': options.concurrency = Number(value()); break;
      case '--receipt-delay-ms': options.receiptDelayMs = Number(value()); break;
      case '--warmup': options.warmup = Number(value()); break;
      case '--only': options.only = new Set(value().split(',').map((name) => name.trim()).filter(Boolean)); break;
      case '--temporal': {
        const kind = value();
        if (kind !== 'dev' && kind !== 'real') throw new Error(`--temporal: dev or real (got ${kind})`);
        options.temporal = kind;
        break;
      }
      case '--earlier': options.earlier = value(); break;
      case '--help':
      case '-h':
        console.log('npm run bench -- [--rate 50] [--seconds 5] [--messages 100] [--concurrency 20] [--receipt-delay-ms 100] [--warmup 20] [--only product,floor,relay] [--temporal dev|real] [--earlier <built checkout>]');
        process.exit(0);
        break;
      default:
        if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
        positional.push(arg);
    }
  }
  if (positional[0]) options.messages = Number(positional[0]);
  if (positional[1]) options.concurrency = Number(positional[1]);
  for (const [key, value] of Object.entries(options)) if (typeof value === 'number' && !(value >= 0)) throw new Error(`--${key}: not a number`);
  return options;
}
