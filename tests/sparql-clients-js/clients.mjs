// The npm SPARQL clients against a sikg /sparql endpoint: `node clients.mjs ENDPOINT` prints one JSON object,
// {cell: "ok" or what went wrong}, for tests/test_sparql_clients.py to check cell by cell. Each cell runs one query
// form through one client as its users call it, and checks what the client parsed.
import { QueryEngine } from '@comunica/query-sparql'
import { ParsingClient, StreamClient } from 'sparql-http-client'

const endpoint = process.argv[2]
const SIKG = 'https://w3id.org/sikg/ontology#'
const PRACTICE = 'https://w3id.org/sikg/id/practice/coompanion'
const TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
const QUERIES = {
  SELECT: `SELECT ?p WHERE { ?p a <${SIKG}SupportPractice> } ORDER BY ?p`,
  ASK: `ASK { <${PRACTICE}> a <${SIKG}SupportPractice> }`,
  CONSTRUCT: `CONSTRUCT { ?p a <${SIKG}SupportPractice> } WHERE { ?p a <${SIKG}SupportPractice> }`,
  DESCRIBE: `DESCRIBE <${PRACTICE}>`
}
const PRACTICES = 35

function check (form, answer) {
  if (form === 'SELECT') {
    const practices = answer.map(row => row.get ? row.get('p').value : row.p.value)
    if (practices.length !== PRACTICES || !practices.includes(PRACTICE)) {
      throw new Error(`${practices.length} rows: ${practices.slice(0, 3).join(', ')}…`)
    }
  } else if (form === 'ASK') {
    if (answer !== true) throw new Error(`ASK answered ${answer}`)
  } else {
    const typed = answer.some(q => q.subject.value === PRACTICE && q.predicate.value === TYPE &&
                                   q.object.value === `${SIKG}SupportPractice`)
    if (!typed) throw new Error(`${answer.length} triples, without the practice's type`)
    if (form === 'CONSTRUCT' && answer.length !== PRACTICES) throw new Error(`${answer.length} triples`)
    if (form === 'DESCRIBE' && answer.length < 20) throw new Error(`${answer.length} triples`)
  }
}

function toArray (stream) {
  return new Promise((resolve, reject) => {
    const items = []
    stream.on('data', item => items.push(item))
    stream.on('end', () => resolve(items))
    stream.on('error', reject)
  })
}

const cells = {}

async function cell (name, form, run) {
  try {
    check(form, await run())
    cells[name] = 'ok'
  } catch (error) {
    cells[name] = `${error.name}: ${error.message}`.slice(0, 500)
  }
}

// Comunica: the endpoint as a source of type sparql, each form through its own entry point.
const engine = new QueryEngine()
const context = { sources: [{ type: 'sparql', value: endpoint }], lenient: false }
await cell('comunica SELECT', 'SELECT', async () => (await engine.queryBindings(QUERIES.SELECT, context)).toArray())
await cell('comunica ASK', 'ASK', () => engine.queryBoolean(QUERIES.ASK, context))
await cell('comunica CONSTRUCT', 'CONSTRUCT', async () => (await engine.queryQuads(QUERIES.CONSTRUCT, context)).toArray())
await cell('comunica DESCRIBE', 'DESCRIBE', async () => (await engine.queryQuads(QUERIES.DESCRIBE, context)).toArray())

// sparql-http-client: the stream client (rows and quads as streams) and the parsing client (arrays), by each of the
// protocol's three operations.
for (const [kind, Client] of [['stream', StreamClient], ['parsing', ParsingClient]]) {
  const client = new Client({ endpointUrl: endpoint })
  for (const operation of ['get', 'postUrlencoded', 'postDirect']) {
    const name = form => `sparql-http-client ${kind} ${operation} ${form}`
    await cell(name('SELECT'), 'SELECT', async () => {
      const rows = client.query.select(QUERIES.SELECT, { operation })
      return kind === 'stream' ? toArray(rows) : rows
    })
    await cell(name('ASK'), 'ASK', () => client.query.ask(QUERIES.ASK, { operation }))
    for (const form of ['CONSTRUCT', 'DESCRIBE']) { // a DESCRIBE is read as a CONSTRUCT's graph
      await cell(name(form), form, async () => {
        const quads = client.query.construct(QUERIES[form], { operation })
        return kind === 'stream' ? toArray(quads) : [...await quads] // the parsing client's is an RDF/JS dataset
      })
    }
  }
}

// SPARQL Update through the client is refused: the endpoint is read-only.
const updating = new StreamClient({ endpointUrl: endpoint, updateUrl: endpoint })
await cell('sparql-http-client update refused', 'ASK', async () => {
  try {
    await updating.query.update(`INSERT DATA { <${PRACTICE}> <urn:sikg-test:p> 1 }`)
  } catch (error) {
    if (!/read-only/.test(error.message)) throw error
    return !(await updating.query.ask(`ASK { <${PRACTICE}> <urn:sikg-test:p> ?o }`))
  }
  throw new Error('the update was accepted')
})

process.stdout.write(JSON.stringify(cells, null, 1) + '\n')
