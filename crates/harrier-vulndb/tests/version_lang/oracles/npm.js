// node-semver oracle for harrier's version tests: reads JSON [a, b] lines, writes
// JSON [a.version|null, b.version|null, compare|null] lines.
'use strict'
const SemVer = require('semver/classes/semver')
const readline = require('readline')

const parse = (text) => {
  try {
    return new SemVer(text)
  } catch (e) {
    return null
  }
}

const out = []
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [a, b] = JSON.parse(line)
  const va = parse(a)
  const vb = parse(b)
  const order = va && vb ? va.compare(vb) : null
  out.push(JSON.stringify([va && va.version, vb && vb.version, order]))
}).on('close', () => {
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''))
})
