/** Template matcher speed on large inputs: `npm run bench:matching`. Prints figures; asserts nothing. */
import { matchTemplateText } from '../../src/domain/templateMatching';
import { knownTemplates, templateCases } from '../support/templateCases';

function time(label: string, runs: number, work: () => void): void {
  const started = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) work();
  const perRun = Number(process.hrtime.bigint() - started) / runs / 1e6;
  console.log(`${label.padEnd(58)} ${perRun.toFixed(3).padStart(9)} ms per run`);
}

const table = knownTemplates();
time(`case table (${templateCases.length} texts × ${table.length} templates)`, 200, () => {
  for (const item of templateCases) matchTemplateText(item.text, table);
});
for (const count of [100, 300, 1000]) {
  const many = knownTemplates(
    Array.from({ length: count }, (_, i) => ({ name: `t${i}`, language: 'en', components: [{ type: 'BODY', text: `Hi {{1}} {{2}} {{3}} and {{4}} {{5}} number ${i} {{6}}.` }] })),
  );
  const words = Array.from({ length: 700 }, (_, i) => `w${i}`).join(' ');
  time(`adversarial 700-word text × ${count} similar templates`, 3, () => matchTemplateText(`Hi ${words} and x y number 5 end.`, many));
}
