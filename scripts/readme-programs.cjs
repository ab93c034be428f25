// Extracts the TypeScript programs of the README, in README order, for `npm run test:consumer`,
// which compiles them strict against the packed library and synthesizes them.
//
// Rules, written as HTML comments on the line before a ```ts fence:
//   <!-- readme-check: new program (...) -->   this block starts a new program
//   <!-- readme-check: skip (...) -->          this block is not compiled (say why in the comment)
// Every other ```ts block continues the current program. Each program must create `app` (an App):
// the check appends `app.synth()`.

/** @returns {{ name: string, line: number, source: string }[]} */
function readmePrograms(markdown) {
  const lines = markdown.split('\n');
  const programs = [];
  let current;
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i])) continue;
    const marker = /<!--\s*readme-check:\s*(new program|skip)\b(.*?)-->/.exec(lines[i - 1] ?? '');
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`README line ${i + 1}: unterminated code block`);
    const block = lines.slice(i + 1, end).join('\n');
    i = end;
    if (marker?.[1] === 'skip') continue;
    if (marker?.[1] === 'new program' || !current) {
      current = { name: (marker?.[2] ?? '').trim().replace(/^\(|\)$/g, '') || `program ${programs.length + 1}`, line: i + 1, blocks: [] };
      programs.push(current);
    }
    current.blocks.push(`// README block ending at line ${end + 1}\n${block}`);
  }
  return programs.map((p) => ({ name: p.name, line: p.line, source: `${p.blocks.join('\n\n')}\n\napp.synth();\n` }));
}
module.exports = { readmePrograms };
