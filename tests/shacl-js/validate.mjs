// A second SHACL engine for sikg's tests: rdf-validate-shacl (SHACL Core) validates data graphs against shapes.
//   node validate.mjs SHAPES.nt DATA.nt [DATA.nt ...]
// Every file is N-Triples. The shapes are read once (Node's start and their parsing cost more than a validation),
// then each data graph is validated on its own, by a validator of its own. Prints a line of JSON for each data file,
// in order: {"file": path, "conforms": bool, "results": [[focus, path, component], ...]}. Blank nodes keep their
// labels from the files (_:label), a path that is not a single IRI is "[complex path]", no path is null. Exits 2 (with
// the error on stderr) when a file cannot be read or validated, e.g. with a constraint a Core engine does not know.
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

const [shapesFile, ...dataFiles] = process.argv.slice(2)
if (!shapesFile || dataFiles.length === 0) {
  console.error('usage: node validate.mjs SHAPES.nt DATA.nt [DATA.nt ...]')
  process.exit(2)
}
try {
  const shapes = read(shapesFile)
  for (const file of dataFiles) {
    const report = await new SHACLValidator(shapes).validate(read(file))
    const results = report.results.map(r => [
      name(r.focusNode),
      r.path ? (r.path.termType === 'NamedNode' ? r.path.value : '[complex path]') : null,
      name(r.sourceConstraintComponent)])
    console.log(JSON.stringify({ file, conforms: report.conforms, results }))
  }
} catch (error) {
  console.error(`validate.mjs: ${error.message}`)
  process.exit(2)
}
