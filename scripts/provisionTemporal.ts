import { ensureTemporalCli } from '../src/temporal/cli';

/** `npm run provision:temporal`: find or build the pinned Temporal CLI ahead of time and print its path. */
ensureTemporalCli().then(
  (path) => console.log(path),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
