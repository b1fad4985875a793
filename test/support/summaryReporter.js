// Prints one plain closing line ("tests: N passed, N failed, N skipped") that CI tooling reads in any language.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTotalTests } = results;
    process.stdout.write(`\ntests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests} skipped\n`);
    if (numTotalTests === 0) process.stdout.write('no tests ran\n');
  }
}
module.exports = SummaryReporter;
