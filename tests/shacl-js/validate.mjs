// A second SHACL engine for sikg's tests: rdf-validate-shacl (SHACL Core) validates a data graph against shapes.
//   node validate.mjs SHAPES.nt DATA.nt
// Both files are N-Triples. Prints {"conforms": bool, "results": [[focus, path, component], ...]} as JSON: blank nodes
// keep their labels from the files (_:label), a path that is not a single IRI is "[complex path]", no path is null.
// Exits 2 (with the error on stderr) when the shapes cannot be loaded, e.g. a constraint a Core engine does not know.
import { readFileSync } from 'node:fs'
import rdf from '@rdfjs/dataset'
import { Parser } from 'n3'
import SHACLValidator from 'rdf-validate-shacl'

function read (path) {
  const parser = new Parser({ format: 'N-Triples', blankNodePrefix: '' })
  return rdf.dataset(parser.parse(readFileSync(path, 'utf8')))
}

function name (term) {
  if (!term) return null
  return term.termType === 'BlankNode' ? `_:${term.value}` : term.value
}

const [shapesFile, dataFile] = process.argv.slice(2)
if (!shapesFile || !dataFile) {
  console.error('usage: node validate.mjs SHAPES.nt DATA.nt')
  process.exit(2)
}
try {
  const validator = new SHACLValidator(read(shapesFile))
  const report = await validator.validate(read(dataFile))
  const results = report.results.map(r => [
    name(r.focusNode),
    r.path ? (r.path.termType === 'NamedNode' ? r.path.value : '[complex path]') : null,
    name(r.sourceConstraintComponent)])
  console.log(JSON.stringify({ conforms: report.conforms, results }))
} catch (error) {
  console.error(`validate.mjs: ${error.message}`)
  process.exit(2)
}
