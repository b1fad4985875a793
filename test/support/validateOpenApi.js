// Validates the OpenAPI document read from stdin with @apidevtools/swagger-parser (schema and structure: paths,
// parameters, $refs); exits 1 with the reason when it is invalid. A child process: the parser is ESM-only, which
// Jest's module system cannot load, while Node itself can require it.
const SwaggerParser = require('@apidevtools/swagger-parser');

let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (text += chunk));
process.stdin.on('end', async () => {
  try {
    const api = await SwaggerParser.validate(JSON.parse(text));
    process.stdout.write(`valid OpenAPI ${api.openapi}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
});
