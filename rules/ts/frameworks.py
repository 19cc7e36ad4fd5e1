"""What TS/JS web frameworks call their apps, routers, route methods and handler decorators."""
from __future__ import annotations

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "del", "head", "options",
                          "all", "any"})
# Methods that register a handler on an app or router object (Express, Koa, Fastify, Hono).
ROUTE_METHODS = HTTP_METHODS | {"route", "openapi", "on", "ws"}
# tRPC procedure builders end their chain with one of these.
PROCEDURE_METHODS = frozenset({"query", "mutation", "subscription"})
# Receivers of `<name>.get("/path", handler)` when they cannot be resolved to a constructor.
ROUTER_NAME_HINTS = ("app", "router", "api", "server", "routes", "route", "fastify", "hono",
                     "r", "v1", "v2", "admin", "instance", "web")

# Modules whose default export or named export builds an app or router.
APP_FACTORIES = {
    ("express", "default"): "express", ("express", "Router"): "express",
    ("express", "*"): "express",
    ("koa", "default"): "koa", ("@koa/router", "default"): "koa",
    ("koa-router", "default"): "koa", ("koa-router", "*"): "koa",
    ("fastify", "default"): "fastify", ("fastify", "fastify"): "fastify",
    ("fastify", "*"): "fastify",
    ("hono", "Hono"): "hono", ("@hono/zod-openapi", "OpenAPIHono"): "hono",
    ("hono/tiny", "Hono"): "hono", ("hono/quick", "Hono"): "hono",
}

NEXT_ROUTE_EXPORTS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})

NEST_CONTROLLER_DECORATORS = frozenset({"Controller"})
NEST_RESOLVER_DECORATORS = frozenset({"Resolver"})
NEST_ROUTE_DECORATORS = frozenset({"Get", "Post", "Put", "Patch", "Delete", "All", "Head",
                                   "Options", "Sse", "Search"})
NEST_RESOLVER_METHOD_DECORATORS = frozenset({"Query", "Mutation", "Subscription",
                                             "ResolveField", "ResolveProperty"})
NEST_MESSAGE_DECORATORS = frozenset({"MessagePattern", "EventPattern", "SubscribeMessage"})
NEST_MODULES = ("@nestjs/",)

# Parameter names of a function that receives the request and writes the response.
REQUEST_PARAMETERS = frozenset({"req", "request"})
RESPONSE_PARAMETERS = frozenset({"res", "response", "reply", "rep"})
ERROR_PARAMETERS = frozenset({"err", "error", "e", "ex", "exception"})
