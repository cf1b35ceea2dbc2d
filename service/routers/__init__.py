"""The API's routes, one module per concern: `engine` (evaluate, batch, read a record),
`planner` (best district, what-if, worklist, windows), `catalog` (measures, readings) and `site`
(health, the page, its words and examples, the API docs)."""
