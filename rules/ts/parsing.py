"""One tree-sitter parser per grammar, chosen by file suffix, and how much of a tree is errors."""
from __future__ import annotations

from functools import cache

import tree_sitter
import tree_sitter_javascript
import tree_sitter_typescript

TS, TSX, JS = "typescript", "tsx", "javascript"
_GRAMMAR_BY_SUFFIX = {".ts": TS, ".mts": TS, ".cts": TS, ".tsx": TSX,
                      ".js": JS, ".jsx": JS, ".mjs": JS, ".cjs": JS}
# A file is "partly parsed" only when most of it is inside error nodes; smaller errors are
# recovered locally by tree-sitter and everything around them is analysed.
_MOSTLY_ERRORS = 0.5


def grammar_for(path: str) -> str:
    lowered = path.lower()
    for suffix, grammar in _GRAMMAR_BY_SUFFIX.items():
        if lowered.endswith(suffix):
            return grammar
    return TS


@cache
def language(grammar: str) -> tree_sitter.Language:
    if grammar == TSX:
        return tree_sitter.Language(tree_sitter_typescript.language_tsx())
    if grammar == JS:
        return tree_sitter.Language(tree_sitter_javascript.language())
    return tree_sitter.Language(tree_sitter_typescript.language_typescript())


@cache
def _parser(grammar: str) -> tree_sitter.Parser:
    return tree_sitter.Parser(language(grammar))


def parse(source: bytes, grammar: str) -> tree_sitter.Tree:
    return _parser(grammar).parse(source)


def node_kinds(grammar: str) -> frozenset[str]:
    """The named node types of a grammar (what `visit_<type>` methods may name)."""
    lang = language(grammar)
    return frozenset(lang.node_kind_for_id(kind) for kind in range(lang.node_kind_count)
                     if lang.node_kind_is_named(kind))


def error_share(root: tree_sitter.Node) -> float:
    """The share of the file's bytes that lie inside ERROR nodes (missing tokens count nothing)."""
    if not root.has_error or root.end_byte == 0:
        return 0.0
    in_errors = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error:
            in_errors += node.end_byte - node.start_byte
        elif node.has_error:
            stack.extend(node.children)
    return in_errors / root.end_byte


def mostly_errors(root: tree_sitter.Node) -> bool:
    return error_share(root) > _MOSTLY_ERRORS
