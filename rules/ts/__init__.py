"""backlint's TypeScript/JavaScript front end: tree-sitter trees, their semantic model, TS rules.

It depends on tree-sitter and its grammar wheels alone, and only the TS/JS path imports it: the
Python core (`backlint.rules`) never does, so checking Python needs nothing but the standard
library.
"""
