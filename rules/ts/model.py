"""The semantic model of one TS/JS file: directives, imports, top-level declarations, exports,
lexical scopes (resolved on demand), and the functions frameworks call per request.

It is built from the tree before the rules run. Scopes are computed lazily for the scope nodes a
rule's question reaches, so a file whose rules ask nothing pays nothing for them.
"""
from __future__ import annotations

from dataclasses import dataclass

import tree_sitter

Node = tree_sitter.Node

FUNCTION_KINDS = frozenset({"function_declaration", "function_expression", "function",
                            "arrow_function", "method_definition", "generator_function",
                            "generator_function_declaration"})
_SCOPE_KINDS = FUNCTION_KINDS | {"program", "statement_block", "for_statement",
                                 "for_in_statement", "catch_clause", "class_body"}
_DECLARATION_KINDS = frozenset({"lexical_declaration", "variable_declaration"})
_WRAPPER_KINDS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                            "non_null_expression", "type_assertion", "await_expression"})
_SCRIPT_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")


@dataclass(frozen=True)
class Import:
    """`import { name as local } from "source"`; name is "default" or "*" for those forms."""

    local: str
    source: str
    name: str
    type_only: bool = False


@dataclass(frozen=True)
class Binding:
    """What a name refers to: "import" (`imported`), "function", "class", "variable" (its
    declarator is `node`, its initial value `value`), or "parameter"."""

    kind: str
    node: Node | None = None
    value: Node | None = None
    imported: Import | None = None


@dataclass(frozen=True)
class Handler:
    """A function a framework calls per request: its framework, and how it was recognised."""

    framework: str
    how: str
    name: str


def module_id(relative_path: str) -> str:
    """`src/lib/db.ts` -> `ts:src/lib/db`; `src/lib/index.ts` -> `ts:src/lib`. Dots in file names
    become `~` so that `module.name` qualified names split at their last dot, as Python's do."""
    path = relative_path
    for suffix in _SCRIPT_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    folder, _, name = path.rpartition("/")
    if name == "index" and folder:
        path = folder
    return "ts:" + path.replace(".", "~")


def text(node: Node | None) -> str:
    raw = node.text if node is not None else None  # each `.text` copies the bytes: read it once
    return raw.decode("utf-8", "replace") if raw else ""


def string_value(node: Node | None) -> str | None:
    """The value of a plain string literal (or a template literal without substitutions)."""
    if node is None or node.type not in ("string", "template_string"):
        return None
    if any(child.type == "template_substitution" for child in node.named_children):
        return None
    return text(node)[1:-1]


class TsModel:
    def __init__(self, relative_path: str, root: Node, grammar: str) -> None:
        self.relative_path = relative_path
        self.module = module_id(relative_path)
        self.root = root
        self.grammar = grammar
        self.directives: set[str] = set()
        self.imports: dict[str, Import] = {}
        self.declarations: dict[str, Binding] = {}
        self.exports: dict[str, Node] = {}
        self.reexports: list[tuple[str, str, str]] = []
        self.handlers: dict[int, Handler] = {}
        self.handler_nodes: dict[int, Node] = {}
        # Handlers this file registers that are defined in other modules (plain data).
        self.registered: list[dict] = []
        self.has_jsx = False
        self.role: str | None = None  # classify.file_role's answer, once asked
        self._scopes: dict[int, dict[str, Binding]] = {}
        self._read_top_level()

    # ----- questions rules ask -----
    def lookup(self, name: str, at: Node) -> Binding | None:
        """What `name` refers to at node `at`: the innermost enclosing declaration of it."""
        scope = at
        while scope is not None:
            if scope.type in _SCOPE_KINDS:
                binding = self._bindings_of(scope).get(name)
                if binding is not None:
                    return binding
            scope = scope.parent
        return None

    def imported(self, node: Node) -> Import | None:
        """The import an identifier (or `ns.member`) refers to; members keep the namespace's source
        with the member as name: `import * as db from "./db"; db.users` -> ("./db", "users")."""
        if node.type == "identifier":
            binding = self.lookup(text(node), node)
            return binding.imported if binding is not None else None
        if node.type == "member_expression":
            base = self.imported(node.child_by_field_name("object"))
            prop = text(node.child_by_field_name("property"))
            if base is not None and base.name in ("*", "default"):
                return Import(local=text(node), source=base.source, name=prop)
        return None

    def function_value(self, node: Node | None, depth: int = 0) -> Node | None:
        """The function an expression denotes in this file: a function literal, a name bound to
        one, or the function argument of a wrapper call (`withWorkspace(async (req) => ...)`)."""
        if node is None or depth > 8:
            return None
        kind = node.type
        if kind in FUNCTION_KINDS:
            return node
        if kind in _WRAPPER_KINDS and node.named_children:
            return self.function_value(node.named_children[-1], depth + 1)
        if kind == "identifier":
            return self._bound_function(node, depth)
        return self._wrapped_function(node, depth) if kind == "call_expression" else None

    def _bound_function(self, identifier: Node, depth: int) -> Node | None:
        binding = self.lookup(text(identifier), identifier)
        if binding is None:
            return None
        if binding.kind == "function":
            return binding.node
        return self.function_value(binding.value, depth + 1)

    def enclosing_function(self, node: Node) -> Node | None:
        parent = node.parent
        while parent is not None and parent.type not in FUNCTION_KINDS:
            parent = parent.parent
        return parent

    def handler_of(self, function: Node | None) -> Handler | None:
        return self.handlers.get(function.id) if function is not None else None

    def enclosing_handler(self, node: Node) -> tuple[Node, Handler] | None:
        function = self.enclosing_function(node)
        while function is not None:
            handler = self.handlers.get(function.id)
            if handler is not None:
                return function, handler
            function = self.enclosing_function(function)
        return None

    def import_sources(self) -> set[str]:
        return {entry.source for entry in self.imports.values()}

    # ----- building -----
    def _wrapped_function(self, call: Node, depth: int) -> Node | None:
        arguments = call.child_by_field_name("arguments")
        if arguments is None:
            return None
        for argument in reversed(arguments.named_children):
            found = self.function_value(argument, depth + 1)
            if found is not None:
                return found
        return None

    def _read_top_level(self) -> None:
        statements = self.root.named_children
        for statement in statements:
            if statement.type != "expression_statement":
                break
            value = string_value(statement.named_children[0] if statement.named_children else None)
            if value is None:
                break
            self.directives.add(value)
        self._scopes[self.root.id] = bindings = {}
        for statement in statements:
            self._read_statement(statement, bindings)
        self.declarations = dict(bindings)

    def _read_statement(self, statement: Node, bindings: dict[str, Binding]) -> None:
        kind = statement.type
        if kind == "import_statement":
            self._read_import(statement, bindings)
        elif kind == "export_statement":
            self._read_export(statement, bindings)
        else:
            _declare(statement, bindings, self)

    def _read_import(self, statement: Node, bindings: dict[str, Binding]) -> None:
        source = string_value(statement.child_by_field_name("source"))
        if source is None:
            source = _require_source(statement)
            if source is None:
                return
        type_only = any(child.type == "type" for child in statement.children)
        for local, name in _import_names(statement):
            entry = Import(local, source, name, type_only)
            self.imports[local] = entry
            bindings[local] = Binding("import", statement, imported=entry)

    def _read_export(self, statement: Node, bindings: dict[str, Binding]) -> None:
        source = string_value(statement.child_by_field_name("source"))
        declaration = statement.child_by_field_name("declaration")
        value = statement.child_by_field_name("value")
        if declaration is not None:
            for name in _declare(declaration, bindings, self):
                self.exports[name] = bindings[name].node
        elif value is not None:
            self.exports["default"] = value
        elif source is not None:
            self._read_reexport(statement, source)
        else:
            self._read_export_clause(statement, bindings)
        if any(child.type == "default" for child in statement.children) and declaration:
            self.exports["default"] = declaration

    def _read_reexport(self, statement: Node, source: str) -> None:
        clause = _first_child(statement, "export_clause")
        if clause is None:
            self.reexports.append((source, "*", "*"))
            return
        for specifier in clause.named_children:
            name = text(specifier.child_by_field_name("name"))
            alias = specifier.child_by_field_name("alias")
            self.reexports.append((source, name, text(alias) if alias else name))

    def _read_export_clause(self, statement: Node, bindings: dict[str, Binding]) -> None:
        clause = _first_child(statement, "export_clause")
        for specifier in clause.named_children if clause is not None else ():
            name = text(specifier.child_by_field_name("name"))
            alias = specifier.child_by_field_name("alias")
            binding = bindings.get(name)
            if binding is not None and binding.node is not None:
                self.exports[text(alias) if alias else name] = binding.node

    def _bindings_of(self, scope: Node) -> dict[str, Binding]:
        found = self._scopes.get(scope.id)
        if found is None:
            found = self._scopes[scope.id] = _scope_bindings(scope, self)
        return found


def _first_child(node: Node, kind: str) -> Node | None:
    for child in node.named_children:
        if child.type == kind:
            return child
    return None


def _import_names(statement: Node) -> list[tuple[str, str]]:
    """(local, imported) pairs of an import statement."""
    clause = _first_child(statement, "import_clause")
    if clause is None:
        require = _first_child(statement, "import_require_clause")
        name = _first_child(require, "identifier") if require is not None else None
        return [(text(name), "*")] if name is not None else []
    names: list[tuple[str, str]] = []
    for part in clause.named_children:
        if part.type == "identifier":
            names.append((text(part), "default"))
        elif part.type == "namespace_import":
            names.extend((text(child), "*") for child in part.named_children
                         if child.type == "identifier")
        elif part.type == "named_imports":
            for specifier in part.named_children:
                if specifier.type != "import_specifier":
                    continue
                name = text(specifier.child_by_field_name("name"))
                alias = specifier.child_by_field_name("alias")
                names.append((text(alias) if alias else name, name))
    return names


def _require_source(statement: Node) -> str | None:
    require = _first_child(statement, "import_require_clause")
    return string_value(require.child_by_field_name("source")) if require is not None else None


def _declare(statement: Node, bindings: dict[str, Binding], model: TsModel) -> list[str]:
    """Record the names a declaration statement binds; returns them."""
    kind = statement.type
    name_node = statement.child_by_field_name("name")
    if kind in ("function_declaration", "generator_function_declaration") and name_node:
        bindings[text(name_node)] = Binding("function", statement)
        return [text(name_node)]
    if kind in ("class_declaration", "abstract_class_declaration") and name_node:
        bindings[text(name_node)] = Binding("class", statement)
        return [text(name_node)]
    if kind in _DECLARATION_KINDS:
        return _declare_variables(statement, bindings, model)
    return []


def _declare_variables(statement: Node, bindings: dict[str, Binding],
                       model: TsModel) -> list[str]:
    declared = []
    for declarator in statement.named_children:
        if declarator.type != "variable_declarator":
            continue
        target = declarator.child_by_field_name("name")
        value = declarator.child_by_field_name("value")
        required = _required_module(value)
        if target is not None and target.type == "identifier":
            name = text(target)
            if required is not None:
                entry = Import(name, required, "*")
                model.imports.setdefault(name, entry)
                bindings[name] = Binding("import", declarator, value, entry)
            else:
                bindings[name] = Binding("variable", declarator, value)
            declared.append(name)
        elif target is not None:
            for name, imported in _pattern_names(target):
                if required is not None and imported:
                    entry = Import(name, required, imported)
                    model.imports.setdefault(name, entry)
                    bindings[name] = Binding("import", declarator, value, entry)
                else:
                    bindings[name] = Binding("variable", declarator, None)
                declared.append(name)
    return declared


def _required_module(value: Node | None) -> str | None:
    """`require("x")` (also `await import("x")`) as a declarator's value."""
    while value is not None and value.type in ("await_expression", "member_expression"):
        value = value.named_children[0] if value.named_children else None
    if value is None or value.type != "call_expression":
        return None
    function = value.child_by_field_name("function")
    if function is None or text(function) not in ("require", "import"):
        return None
    arguments = value.child_by_field_name("arguments")
    first = arguments.named_children[0] if arguments is not None and arguments.named_children \
        else None
    return string_value(first)


def _pattern_names(pattern: Node) -> list[tuple[str, str | None]]:
    """Names bound by a destructuring pattern, with the property each was taken from."""
    names: list[tuple[str, str | None]] = []
    if pattern.type == "object_pattern":
        for entry in pattern.named_children:
            if entry.type == "shorthand_property_identifier_pattern":
                names.append((text(entry), text(entry)))
            elif entry.type == "pair_pattern":
                key, value = entry.child_by_field_name("key"), entry.child_by_field_name("value")
                if value is not None and value.type == "identifier":
                    names.append((text(value), text(key)))
                elif value is not None:
                    names.extend((name, None) for name, _ in _pattern_names(value))
            elif entry.type in ("object_assignment_pattern", "rest_pattern"):
                names.extend((name, None) for name, _ in _pattern_names(entry))
    elif pattern.type in ("array_pattern", "assignment_pattern", "rest_pattern",
                          "object_assignment_pattern"):
        for entry in pattern.named_children:
            if entry.type in ("identifier", "shorthand_property_identifier_pattern"):
                names.append((text(entry), None))
            else:
                names.extend((name, None) for name, _ in _pattern_names(entry))
    return names


def _scope_bindings(scope: Node, model: TsModel) -> dict[str, Binding]:
    bindings: dict[str, Binding] = {}
    if scope.type in FUNCTION_KINDS:
        _declare_parameters(scope, bindings)
        body = scope.child_by_field_name("body")
        if body is not None and body.type == "statement_block":
            for statement in body.named_children:
                _declare(statement, bindings, model)
        return bindings
    if scope.type == "catch_clause":
        parameter = scope.child_by_field_name("parameter")
        if parameter is not None:
            for name in _parameter_names(parameter):
                bindings[name] = Binding("parameter", parameter)
        return bindings
    for statement in scope.named_children:
        if statement.type == "export_statement":
            statement = statement.child_by_field_name("declaration") or statement
        _declare(statement, bindings, model)
    return bindings


def _declare_parameters(function: Node, bindings: dict[str, Binding]) -> None:
    parameters = function.child_by_field_name("parameters")
    single = function.child_by_field_name("parameter")
    for parameter in ([single] if single is not None else
                      parameters.named_children if parameters is not None else ()):
        for name in _parameter_names(parameter):
            bindings[name] = Binding("parameter", parameter)


def _parameter_names(parameter: Node) -> list[str]:
    if parameter.type == "identifier":
        return [text(parameter)]
    if parameter.type in ("required_parameter", "optional_parameter"):
        pattern = parameter.child_by_field_name("pattern")
        return _parameter_names(pattern) if pattern is not None else []
    if parameter.type in ("object_pattern", "array_pattern", "assignment_pattern",
                          "rest_pattern"):
        return [name for name, _ in _pattern_names(parameter)] or [
            text(child) for child in parameter.named_children if child.type == "identifier"]
    return []
